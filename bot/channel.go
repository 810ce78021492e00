package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/convene/convene"
)

// Caps says what a channel can do. The core renders choices as a numbered
// list and accepts typed answers where Buttons is false.
type Caps struct {
	MaxText        int  // longest text of one message, in characters
	Buttons        bool // inline buttons with callback data
	Edit           bool // editing a sent message
	Documents      bool // sending files
	Photos         bool // sending images
	RequestContact bool // a button that shares the user's phone number
}

// Outgoing is a message to send: text, choices, one attachment.
type Outgoing = convene.Content

// Channel is what the core needs of a chat network.
type Channel interface {
	// Name is the channel's stable name: "telegram", "zalo", "console".
	Name() string
	Caps() Caps
	// Send delivers m to the chat and returns the provider's message id.
	// Failures are *Error values.
	Send(ctx context.Context, chatID string, m Outgoing) (messageID string, err error)
	// Edit replaces the text and buttons of a sent message.
	Edit(ctx context.Context, chatID, messageID string, m Outgoing) error
	// Answer acknowledges a button press, optionally with a short notice.
	Answer(ctx context.Context, callbackID, text string) error
	// Receive delivers incoming updates to handle until ctx ends. An update
	// counts as received (the offset moves past it) only after handle
	// returned nil for it; on an error it is fetched again.
	Receive(ctx context.Context, handle func(context.Context, *Incoming) error) error
}

// Contact is a phone number a user shared.
type Contact struct {
	Phone  string
	UserID string // whose contact it is; must be the sender's own to link
	Name   string // the card's name, "" if none
}

// Incoming is one update from a channel, made channel-neutral.
type Incoming struct {
	Channel string
	// BotID is the receiving bot's own id: update ids are unique per bot.
	BotID    string
	UpdateID string
	UserID   string
	ChatID   string
	Name     string
	LangCode string
	// Text is the message text; for a command, Command holds its name
	// without slash and Args the rest.
	Text    string
	Command string
	Args    string
	// CallbackID and CallbackData are set for a button press on MessageID.
	CallbackID   string
	CallbackData string
	MessageID    string
	Contact      *Contact
	// Private is set when the update comes from the user's private chat with
	// the bot; only then does ChatID become the account's chat.
	Private bool
}

// ErrorKind classifies channel failures.
type ErrorKind int

// Kinds of channel failure.
const (
	// ErrPermanent: the request itself is wrong; retrying cannot help.
	ErrPermanent ErrorKind = iota
	// ErrRateLimited: the channel asked to wait RetryAfter for the whole bot.
	ErrRateLimited
	// ErrUnreachable: blocked, deactivated, never wrote, chat not found.
	ErrUnreachable
	// ErrTemporary: 5xx or network; retry with backoff.
	ErrTemporary
	// ErrUnauthorized: the bot token was refused (401, or 404 on the token):
	// nothing can be sent until it is fixed; pause the channel, retry nothing.
	ErrUnauthorized
)

func (k ErrorKind) String() string {
	switch k {
	case ErrRateLimited:
		return "rate limited"
	case ErrUnreachable:
		return "unreachable"
	case ErrTemporary:
		return "temporary"
	case ErrUnauthorized:
		return "unauthorized"
	}
	return "permanent"
}

// Error is a classified channel failure. Adapters return it from Send and Edit.
type Error struct {
	Kind       ErrorKind
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Kind == ErrRateLimited {
		return fmt.Sprintf("%s (retry after %s): %v", e.Kind, e.RetryAfter, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of the first *Error in err's chain; an unclassified
// error counts as temporary (a network error, most likely).
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ErrTemporary
}

// RetryAfterOf returns how long a rate-limited err asks to wait, 0 otherwise.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.Kind == ErrRateLimited {
		return e.RetryAfter
	}
	return 0
}
