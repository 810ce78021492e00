package convene

import (
	"context"
	"time"
)

// Conversation is where an account is in a multi-step flow, kept in the
// database so a restart resumes a half-finished conversation.
type Conversation struct {
	AccountID int64
	Flow      string // e.g. "decline", "substitute", "feedback", "broadcast"
	Step      string
	Data      map[string]string
	UpdatedAt time.Time
}

// Validate returns EINVALID for a conversation without an account or flow.
func (c *Conversation) Validate() error {
	if c.AccountID == 0 || c.Flow == "" {
		return Errorf(EINVALID, "conversation: account and flow required")
	}
	return nil
}

// ConversationService keeps conversations.
type ConversationService interface {
	// FindConversation returns ENOTFOUND if the account is in no flow.
	FindConversation(ctx context.Context, accountID int64) (*Conversation, error)
	// SaveConversation creates or replaces the account's conversation.
	SaveConversation(ctx context.Context, c *Conversation) error
	// DeleteConversation ends the account's flow; no error if there is none.
	DeleteConversation(ctx context.Context, accountID int64) error
}
