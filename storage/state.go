package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/convene/convene"
)

var _ convene.StateService = (*StateService)(nil)

// StateService implements convene.StateService.
type StateService struct{ db *DB }

// NewStateService returns a StateService on db.
func NewStateService(db *DB) *StateService { return &StateService{db: db} }

// GetState returns the value stored under key, or "" if none is.
func (s *StateService) GetState(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.view(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM state WHERE key = ?`, key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return v, wrapf(err, "get state %q", key)
}

// SetState stores value under key; a value of "" deletes the key.
func (s *StateService) SetState(ctx context.Context, key, value string) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if value == "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM state WHERE key = ?`, key)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
	return wrapf(err, "set state %q", key)
}
