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

// RecordAudit appends e, setting its time and id. Returns EINVALID without actor or action.
func (s *AuditService) RecordAudit(ctx context.Context, e *convene.AuditEntry) error {
	err := s.db.inTx(ctx, func(tx *Tx) error { return audit(ctx, tx, e) })
	return wrapf(err, "record audit %s", e.Action)
}

// FindAudit returns a meeting's entries (all if meetingID is 0), newest
// first, at most limit (100 if limit is not positive).
func (s *AuditService) FindAudit(ctx context.Context, meetingID int64, limit int) ([]*convene.AuditEntry, error) {
	var out []*convene.AuditEntry
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = findAudit(ctx, tx, meetingID, limit)
		return err
	})
	return out, wrapf(err, "find audit")
}

// audit appends e inside tx at the transaction's time.
func audit(ctx context.Context, tx *Tx, e *convene.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.At = tx.now
	r, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, meeting_id, subject, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		ts(e.At), e.Actor, e.Action, e.MeetingID, e.Subject, e.Detail)
	if err != nil {
		return err
	}
	e.ID, err = r.LastInsertId()
	return err
}

func findAudit(ctx context.Context, tx *Tx, meetingID int64, limit int) ([]*convene.AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	q, args := `SELECT id, at, actor, action, meeting_id, subject, detail FROM audit`, []any{}
	if meetingID != 0 {
		q, args = q+` WHERE meeting_id = ?`, append(args, meetingID)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*convene.AuditEntry
	for rows.Next() {
		var e convene.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.MeetingID, &e.Subject, &e.Detail); err != nil {
			return nil, err
		}
		e.At = tm(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}
