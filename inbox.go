package convene

import (
	"context"
	"time"
)

// InboxState is where an incoming update is in handling.
type InboxState string

// Inbox states.
const (
	InboxNew  InboxState = "new"  // stored, not yet handled
	InboxDone InboxState = "done" // handled; committed with the handler's writes
	InboxDead InboxState = "dead" // failed too often; parked for a person to look at
)

// InboxUpdate is an update received from a channel, stored before the
// channel is told it arrived (the polling offset advanced, the webhook
// answered 200), so a crash cannot lose it.
type InboxUpdate struct {
	ID int64
	// Channel, BotID and UpdateID identify the update: a new bot token
	// starts its own sequence of ids, so the bot's own id is part of the key.
	Channel  string
	BotID    string
	UpdateID string
	// ChatKey groups the updates that must be handled in order (one chat's).
	ChatKey string
	// Payload is the update as the channel adapter made it; cleared once done.
	Payload       []byte
	State         InboxState
	Tries         int
	NextAttemptAt time.Time
	Error         string
	CreatedAt     time.Time
}

// Validate returns EINVALID for an update without its identity or chat.
func (u *InboxUpdate) Validate() error {
	if u.Channel == "" || u.UpdateID == "" || u.ChatKey == "" {
		return Errorf(EINVALID, "inbox: channel, update id and chat required")
	}
	return nil
}

// InboxService stores incoming updates and tracks their handling.
type InboxService interface {
	// StoreUpdates stores the updates in one transaction, skipping any whose
	// (channel, bot, update id) is already stored, and returns how many were new.
	StoreUpdates(ctx context.Context, us []*InboxUpdate) (int, error)
	// DueUpdates returns, for up to limit chats with updates waiting, the
	// chat's oldest waiting update if it is due, oldest first. A chat's later
	// updates are not returned before its oldest is done or dead, so each chat
	// is handled in order.
	DueUpdates(ctx context.Context, limit int) ([]*InboxUpdate, error)
	// NextUpdateDue returns when the earliest waiting update becomes due, zero if none waits.
	NextUpdateDue(ctx context.Context) (time.Time, error)
	// MarkUpdateDone marks the update handled and clears its payload; called
	// inside the handler's transaction so both commit together.
	MarkUpdateDone(ctx context.Context, id int64) error
	// RetryUpdate records a failed try and makes the update due again at at.
	RetryUpdate(ctx context.Context, id int64, at time.Time, errText string) error
	// ParkUpdate records a failed try and parks the update as dead.
	ParkUpdate(ctx context.Context, id int64, errText string) error
	// PruneInbox deletes done and dead updates stored before before, and returns how many.
	PruneInbox(ctx context.Context, before time.Time) (int, error)
	// InboxCounts counts waiting and dead updates.
	InboxCounts(ctx context.Context) (waiting, dead int, err error)
}

// Transactor runs work in one write transaction.
type Transactor interface {
	// InTx runs fn in a write transaction carried by the context fn receives:
	// every service call made with that context joins it, and everything
	// commits when fn returns nil, or nothing does. A nested call runs in a
	// savepoint of the outer transaction: if it fails, its writes are undone
	// and the outer transaction goes on.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// LeaseService keeps a named lease, so only one process does a job at a time.
type LeaseService interface {
	// AcquireLease takes the lease name for holder until now+ttl, or renews it
	// if holder has it. Returns ECONFLICT, naming the holder, while another holds it.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) error
	// ReleaseLease gives the lease up if holder has it.
	ReleaseLease(ctx context.Context, name, holder string) error
	// FindLease returns the holder of the lease and until when, "" if nobody holds it.
	FindLease(ctx context.Context, name string) (holder string, until time.Time, err error)
}
