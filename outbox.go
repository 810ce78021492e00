package convene

import (
	"context"
	"time"
)

// OutboxState is where an outbox message is in delivery.
type OutboxState string

// Outbox states.
const (
	OutboxQueued      OutboxState = "queued"
	OutboxSending     OutboxState = "sending"
	OutboxSent        OutboxState = "sent"
	OutboxFailed      OutboxState = "failed"
	OutboxUnreachable OutboxState = "unreachable"
)

// Button is an inline choice. Data is English, stable and short (≤ 64 bytes on Telegram).
type Button struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// File is an attachment: its bytes, or a reference to a material.
type File struct {
	Name string `json:"name"`
	MIME string `json:"mime,omitempty"`
	Data []byte `json:"data,omitempty"`
	// Material, when set, names a meeting material (its id) whose bytes the
	// channel loads at send time, so the outbox row holds no file.
	Material int64 `json:"material,omitempty"`
}

// Content is a channel-neutral message: text, optional choices and one attachment.
type Content struct {
	Text     string     `json:"text"`
	Buttons  [][]Button `json:"buttons,omitempty"`
	Document *File      `json:"document,omitempty"`
	Photo    *File      `json:"photo,omitempty"`
	// RequestContact asks for the user's phone number with a reply keyboard button of this text.
	RequestContact string `json:"request_contact,omitempty"`
	// RemoveKeyboard removes a reply keyboard shown earlier.
	RemoveKeyboard bool `json:"remove_keyboard,omitempty"`
}

// OutboxMessage is a proactive message waiting for, or done with, delivery.
type OutboxMessage struct {
	ID        int64
	AccountID int64
	Channel   string
	ChatID    string
	Content   Content
	// Key makes enqueueing idempotent: a second message with the same key is dropped.
	Key string
	// Batch groups a broadcast or invitation run, so its sender learns the result.
	Batch string
	// NotifyAccount is the account told when the batch is done (0: nobody).
	NotifyAccount int64
	// Ref names what the message is about, e.g. "invitation:12", so its provider id can be remembered.
	Ref string
	// Interactive marks a reply to what a person just did: it goes before
	// bulk messages (invitations, reminders, broadcasts).
	Interactive bool
	// EditMessageID, when set, makes the message an edit of that sent message.
	EditMessageID string
	// PartsSent counts the parts of a long text already delivered, so a retry
	// sends only the rest.
	PartsSent         int
	State             OutboxState
	Attempts          int
	NextAttemptAt     time.Time
	Error             string
	ProviderMessageID string
	CreatedAt         time.Time
	SentAt            time.Time
}

// Validate returns EINVALID for a message without recipient, key or content.
func (m *OutboxMessage) Validate() error {
	switch {
	case m.AccountID == 0 || m.Channel == "" || m.ChatID == "":
		return Errorf(EINVALID, "outbox: recipient required")
	case m.Key == "":
		return Errorf(EINVALID, "outbox: idempotency key required")
	case m.Content.Text == "" && m.Content.Document == nil && m.Content.Photo == nil:
		return Errorf(EINVALID, "outbox: content required")
	}
	return nil
}

// BatchStats counts a batch's messages by state.
type BatchStats struct {
	Batch       string
	Queued      int
	Sending     int
	Sent        int
	Failed      int
	Unreachable int
	// Unreached names the accounts that could not be reached.
	Unreached []int64
}

// Done reports whether no message of the batch is still waiting.
func (b *BatchStats) Done() bool { return b.Queued == 0 && b.Sending == 0 }

// OutboxService queues proactive messages and tracks their delivery.
type OutboxService interface {
	// Enqueue stores msgs as queued, skipping any whose key is already stored,
	// and returns how many were new.
	Enqueue(ctx context.Context, msgs []*OutboxMessage) (int, error)
	// ClaimDue marks up to limit queued messages as sending (committed before
	// any send) and returns them: at most one per chat, and only a chat's
	// oldest waiting message, once due, while none of that chat's is sending
	// (so each chat keeps its order and has one send in flight); interactive
	// messages first, then oldest first. Claiming counts no attempt.
	ClaimDue(ctx context.Context, channels []string, limit int) ([]*OutboxMessage, error)
	// NextDue returns when the earliest queued message becomes due, zero if none is queued.
	NextDue(ctx context.Context, channels []string) (time.Time, error)
	// MarkSent records delivery with the provider's message id.
	MarkSent(ctx context.Context, id int64, providerID string) error
	// MarkRetry puts the message back in the queue until at after a failed
	// send, counting an attempt and recording the error.
	MarkRetry(ctx context.Context, id int64, at time.Time, errText string) error
	// Postpone puts the message back in the queue until at without counting
	// an attempt: a 429, a paused channel, shutting down.
	Postpone(ctx context.Context, id int64, at time.Time, why string) error
	// MarkPartSent records that the first parts parts of a split message were
	// delivered (the last provider id kept), so a retry sends only the rest.
	MarkPartSent(ctx context.Context, id int64, parts int, providerID string) error
	// MarkFailed gives up on the message.
	MarkFailed(ctx context.Context, id int64, errText string) error
	// MarkUnreachable gives up on the message and flags its account unreachable.
	MarkUnreachable(ctx context.Context, id int64, errText string) error
	// RequeueSending puts messages claimed before claimedBefore and still
	// sending (left by a crash, or stuck past the send timeout) back in the
	// queue and returns them, so they are sent again (at-least-once).
	RequeueSending(ctx context.Context, claimedBefore time.Time) ([]*OutboxMessage, error)
	// QueuedByChannel counts queued messages per channel, so messages for a
	// channel that is not running can be reported.
	QueuedByChannel(ctx context.Context) (map[string]int, error)
	// BatchStats counts a batch's messages by state.
	BatchStats(ctx context.Context, batch string) (*BatchStats, error)
	// FinishBatch marks a batch reported and returns true the first time only;
	// run it in a transaction with the report it causes.
	FinishBatch(ctx context.Context, batch string) (bool, error)
	// QueueDepth counts queued and sending messages.
	QueueDepth(ctx context.Context) (int, error)
}
