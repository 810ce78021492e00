package storage

import (
	"context"
	"encoding/json"

	"github.com/convene/convene"
)

var _ convene.ConversationService = (*ConversationService)(nil)

// ConversationService implements convene.ConversationService.
type ConversationService struct{ db *DB }

// NewConversationService returns a ConversationService on db.
func NewConversationService(db *DB) *ConversationService { return &ConversationService{db: db} }

// FindConversation returns ENOTFOUND if the account is in no flow.
func (s *ConversationService) FindConversation(ctx context.Context, accountID int64) (*convene.Conversation, error) {
	c := &convene.Conversation{AccountID: accountID}
	err := s.db.view(ctx, func(tx *Tx) error {
		var data string
		var updated int64
		err := tx.QueryRowContext(ctx, `SELECT flow, step, data, updated_at FROM conversations WHERE account_id = ?`, accountID).Scan(&c.Flow, &c.Step, &data, &updated)
		if err != nil {
			return notFound(err, "no conversation")
		}
		c.UpdatedAt = tm(updated)
		return json.Unmarshal([]byte(data), &c.Data)
	})
	if err != nil {
		return nil, err
	}
	if c.Data == nil {
		c.Data = map[string]string{}
	}
	return c, nil
}

// SaveConversation creates or replaces the account's conversation.
func (s *ConversationService) SaveConversation(ctx context.Context, c *convene.Conversation) error {
	if err := c.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(c.Data)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		c.UpdatedAt = tx.now
		_, err := tx.ExecContext(ctx, `INSERT INTO conversations (account_id, flow, step, data, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET flow = excluded.flow, step = excluded.step, data = excluded.data, updated_at = excluded.updated_at`,
			c.AccountID, c.Flow, c.Step, string(data), ts(tx.now))
		return err
	})
}

// DeleteConversation ends the account's flow; no error if there is none.
func (s *ConversationService) DeleteConversation(ctx context.Context, accountID int64) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM conversations WHERE account_id = ?`, accountID)
		return err
	})
}
