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
	// staffCommands lists the menu of a staff member's chat (Bot.StaffMenu).
	staffCommands func(lang string) []MenuCommand
}

// handlers are the feature handlers the routing table points at, each a
// small type over the core and the other features it calls.
type handlers struct {
	invitations *invitations
	units       *unitHandlers
	calendar    *calendarHandlers
	rsvp        *rsvpHandlers
	checkin     *checkinHandlers
	feedback    *feedbackHandlers
	broadcast   *broadcastHandlers
	remind      *remindHandlers
	organizer   *organizerHandlers
	delegate    *delegateHandlers
	link        *linkHandlers
	linkConfirm *linkConfirmHandlers
	nominate    *nominateHandlers
	agenda      *agendaHandlers
	web         *webHandlers
	materials   *materialHandlers
}

// newHandlers builds the feature handlers over c and ties them together;
// commands is the routing table's command list, for /help.
func newHandlers(c *core, commands func() []command) handlers {
	h := handlers{
		invitations: &invitations{core: c}, units: &unitHandlers{core: c}, calendar: &calendarHandlers{core: c},
		rsvp: &rsvpHandlers{core: c}, checkin: &checkinHandlers{core: c}, feedback: &feedbackHandlers{core: c},
		broadcast: &broadcastHandlers{core: c}, remind: &remindHandlers{core: c}, organizer: &organizerHandlers{core: c},
		delegate: &delegateHandlers{core: c}, link: &linkHandlers{core: c}, linkConfirm: &linkConfirmHandlers{core: c},
		nominate: &nominateHandlers{core: c}, agenda: &agendaHandlers{core: c}, web: &webHandlers{core: c},
		materials: &materialHandlers{core: c},
	}
	h.materials.agenda = h.agenda
	h.rsvp.invitations = h.invitations
	h.invitations.units, h.invitations.calendar = h.units, h.calendar
	h.units.link = h.link
	h.agenda.units, h.agenda.nominate = h.units, h.nominate
	h.delegate.invitations, h.delegate.commands = h.invitations, commands
	h.link.invitations, h.link.units, h.link.checkin = h.invitations, h.units, h.checkin
	h.link.delegate, h.link.nominate, h.link.linkConfirm = h.delegate, h.nominate, h.linkConfirm
	h.linkConfirm.link = h.link
	h.nominate.units, h.nominate.invitations = h.units, h.invitations
	h.organizer.rsvp, h.organizer.checkin, h.organizer.invitations = h.rsvp, h.checkin, h.invitations
	h.remind.invitations = h.invitations
	return h
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
