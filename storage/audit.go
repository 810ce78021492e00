package storage

import (
	"context"

	"github.com/convene/convene"
)

var _ convene.AuditService = (*AuditService)(nil)

// AuditService implements convene.AuditService.
type AuditService struct{ db *DB }

// NewAuditService returns an AuditService on db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

// RecordAudit appends e, setting its time.
func (s *AuditService) RecordAudit(ctx context.Context, e *convene.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *Tx) error { return audit(ctx, tx, e) })
}

// FindAudit returns a meeting's entries (all if meetingID is 0), newest first, at most limit.
func (s *AuditService) FindAudit(ctx context.Context, meetingID int64, limit int) ([]*convene.AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []*convene.AuditEntry
	err := s.db.view(ctx, func(tx *Tx) error {
		q, args := `SELECT id, at, actor, action, meeting_id, subject, detail FROM audit`, []any{}
		if meetingID != 0 {
			q, args = q+` WHERE meeting_id = ?`, append(args, meetingID)
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e convene.AuditEntry
			var at int64
			if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.MeetingID, &e.Subject, &e.Detail); err != nil {
				return err
			}
			e.At = tm(at)
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, err
}
