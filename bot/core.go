package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// core is what every feature's handlers share: the services, the settings,
// the texts and clock, the channels to reply through, and the reply helpers
// (t, say, reply, edit, answer; see bot.go). It knows nothing of routing.
type core struct {
	Services
	Config
	Texts    *Catalog
	Reporter Reporter
	Logger   *slog.Logger
	// Now is the clock; tests set it.
	Now func() time.Time

	mu       sync.RWMutex
	channels map[string]Channel
	admins   map[string]bool
	// wake nudges the dispatcher when something was enqueued.
	wake chan struct{}
	// menu lists the commands for a chat's command menu (Bot.Menu).
	menu func(lang string, organizer bool) []MenuCommand
}

// Channel returns the registered channel of that name, or nil.
func (b *Bot) Channel(name string) Channel { return b.core.Channel(name) }

// IsAdmin reports whether the account is a configured admin.
func (b *Bot) IsAdmin(channel, userID string) bool { return b.core.IsAdmin(channel, userID) }

// Wake tells the dispatcher that messages were enqueued.
func (b *Bot) Wake() { b.core.Wake() }

// Link returns the personal link of a token: a deep link on Telegram when the
// bot's username is known, else the bare code to send to the bot.
func (b *Bot) Link(ctx context.Context, token string) string { return b.core.Link(ctx, token) }
