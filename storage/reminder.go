package storage

import (
	"context"
	"time"

	"github.com/convene/convene"
)

var _ convene.ReminderService = (*ReminderService)(nil)

// ReminderService implements convene.ReminderService.
type ReminderService struct{ db *DB }

// NewReminderService returns a ReminderService on db.
func NewReminderService(db *DB) *ReminderService { return &ReminderService{db: db} }

// FindReminderRules returns a meeting's rules in plan order; all meetings'
// (by meeting) if meetingID is 0.
func (s *ReminderService) FindReminderRules(ctx context.Context, meetingID int64) ([]*convene.ReminderRule, error) {
	var rs []*convene.ReminderRule
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		rs, err = findReminderRules(ctx, tx, meetingID)
		return err
	})
	return rs, wrapf(err, "find reminder rules")
}

func findReminderRules(ctx context.Context, tx *Tx, meetingID int64) ([]*convene.ReminderRule, error) {
	q := `SELECT id, meeting_id, key, kind, before_ns, cron, at, audience, from_at, until_at FROM reminder_rules`
	var args []any
	if meetingID != 0 {
		q += ` WHERE meeting_id = ?`
		args = append(args, meetingID)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY meeting_id, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rs []*convene.ReminderRule
	for rows.Next() {
		var r convene.ReminderRule
		var before, at, from, until int64
		if err := rows.Scan(&r.ID, &r.MeetingID, &r.Key, &r.Kind, &before, &r.Cron, &at, &r.Audience, &from, &until); err != nil {
			return nil, err
		}
		r.Before, r.At, r.From, r.Until = time.Duration(before), tm(at), tm(from), tm(until)
		rs = append(rs, &r)
	}
	return rs, rows.Err()
}

// RecordFiring stores f (status "sent" if unset, fired at storage time,
// Count the number of msgs) and enqueues msgs, in one transaction. Returns
// ECONFLICT, storing and enqueueing nothing, if (job, meeting, rule,
// scheduled time) was already recorded, also by another process sharing
// the file. Returns EINVALID without job or scheduled time.
func (s *ReminderService) RecordFiring(ctx context.Context, f *convene.Firing, msgs []*convene.OutboxMessage) error {
	if f.Job == "" || f.ScheduledFor.IsZero() {
		return convene.Errorf(convene.EINVALID, "firing: job and scheduled time required")
	}
	err := s.db.inTx(ctx, func(tx *Tx) error { return recordFiring(ctx, tx, f, msgs) })
	return wrapf(err, "record firing of %s", f.Job)
}

func recordFiring(ctx context.Context, tx *Tx, f *convene.Firing, msgs []*convene.OutboxMessage) error {
	if f.Status == "" {
		f.Status = "sent"
	}
	f.FiredAt = tx.now
	f.Count = len(msgs)
	r, err := tx.ExecContext(ctx, `INSERT INTO firings (job, meeting_id, rule_id, scheduled_for, fired_at, status, note, count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		f.Job, f.MeetingID, f.Rule, ts(f.ScheduledFor), ts(f.FiredAt), f.Status, f.Note, f.Count)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return convene.Errorf(convene.ECONFLICT, "%s already fired for %s", f.Job, f.ScheduledFor.Format(time.RFC3339))
	}
	if f.ID, err = r.LastInsertId(); err != nil {
		return err
	}
	_, err = enqueue(ctx, tx, msgs)
	return err
}

// LastFiring returns the firing of a job for a meeting and rule with the
// latest scheduled time, or ENOTFOUND.
func (s *ReminderService) LastFiring(ctx context.Context, job string, meetingID, rule int64) (*convene.Firing, error) {
	var f convene.Firing
	err := s.db.view(ctx, func(tx *Tx) error {
		var sched, fired int64
		err := tx.QueryRowContext(ctx, `SELECT id, job, meeting_id, rule_id, scheduled_for, fired_at, status, note, count FROM firings
			WHERE job = ? AND meeting_id = ? AND rule_id = ? ORDER BY scheduled_for DESC LIMIT 1`, job, meetingID, rule).
			Scan(&f.ID, &f.Job, &f.MeetingID, &f.Rule, &sched, &fired, &f.Status, &f.Note, &f.Count)
		if err != nil {
			return notFound(err, "no firing of %s for meeting %d rule %d", job, meetingID, rule)
		}
		f.ScheduledFor, f.FiredAt = tm(sched), tm(fired)
		return nil
	})
	if err != nil {
		return nil, wrapf(err, "last firing of %s", job)
	}
	return &f, nil
}
