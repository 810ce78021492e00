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

// FindConversation returns the account's conversation, or ENOTFOUND if it is in no flow.
func (s *ConversationService) FindConversation(ctx context.Context, accountID int64) (*convene.Conversation, error) {
	var c *convene.Conversation
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		c, err = findConversation(ctx, tx, accountID)
		return err
	})
	return c, wrapf(err, "find conversation of account %d", accountID)
}

func findConversation(ctx context.Context, tx *Tx, accountID int64) (*convene.Conversation, error) {
	c := &convene.Conversation{AccountID: accountID}
	var data string
	var updated int64
	err := tx.QueryRowContext(ctx, `SELECT flow, step, data, updated_at FROM conversations WHERE account_id = ?`, accountID).Scan(&c.Flow, &c.Step, &data, &updated)
	if err != nil {
		return nil, notFound(err, "no conversation")
	}
	c.UpdatedAt = tm(updated)
	if err := json.Unmarshal([]byte(data), &c.Data); err != nil {
		return nil, err
	}
	if c.Data == nil {
		c.Data = map[string]string{}
	}
	return c, nil
}

// SaveConversation creates or replaces the account's conversation, setting
// UpdatedAt to storage time. Returns EINVALID without account or flow.
func (s *ConversationService) SaveConversation(ctx context.Context, c *convene.Conversation) error {
	if err := c.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(c.Data)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO conversations (account_id, flow, step, data, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET flow = excluded.flow, step = excluded.step, data = excluded.data, updated_at = excluded.updated_at`,
			c.AccountID, c.Flow, c.Step, string(data), ts(tx.now))
		if err == nil {
			c.UpdatedAt = tx.now
		}
		return err
	})
	return wrapf(err, "save conversation of account %d", c.AccountID)
}

// DeleteConversation ends the account's flow; no error if there is none.
func (s *ConversationService) DeleteConversation(ctx context.Context, accountID int64) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM conversations WHERE account_id = ?`, accountID)
		return err
	})
	return wrapf(err, "delete conversation of account %d", accountID)
}
