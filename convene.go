// Package convene holds the domain of the convene meeting bot: meetings,
// their attendee categories, people and their chat accounts, invitations,
// reminder rules, the outbox, conversations, feedback and the audit log,
// with the service interfaces the rest of the program implements and uses.
//
// It imports only the standard library.
package convene

import (
	"context"
	"time"
)

// DefaultTimezone is the time zone meetings are shown in unless a plan says otherwise.
const DefaultTimezone = "Asia/Ho_Chi_Minh"

// Clock returns the current time. Storage and the scheduler take one so tests control time.
type Clock func() time.Time

// StateService keeps small named values that outlive a restart: the bot's
// username, poller offsets.
type StateService interface {
	// GetState returns the value stored under key, or "" if none is.
	GetState(ctx context.Context, key string) (string, error)
	SetState(ctx context.Context, key, value string) error
}
