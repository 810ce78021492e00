package storage

import (
	"context"
	"time"

	"github.com/convene/convene"
)

var _ convene.InboxService = (*InboxService)(nil)

// InboxService implements convene.InboxService.
type InboxService struct{ db *DB }

// NewInboxService returns an InboxService on db.
func NewInboxService(db *DB) *InboxService { return &InboxService{db: db} }

// StoreUpdates stores us as new in one transaction, skipping updates whose
// (channel, bot id, update id) is stored already, sets the new ones' ids and
// returns how many were new. Returns EINVALID, storing nothing, for an
// update without identity or chat.
func (s *InboxService) StoreUpdates(ctx context.Context, us []*convene.InboxUpdate) (int, error) {
	for _, u := range us {
		if err := u.Validate(); err != nil {
			return 0, err
		}
	}
	n := 0
	err := s.db.inTx(ctx, func(tx *Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO inbox (channel, bot_id, update_id, chat_key, payload, state, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, 'new', ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, u := range us {
			r, err := stmt.ExecContext(ctx, u.Channel, u.BotID, u.UpdateID, u.ChatKey, u.Payload, ts(tx.now), ts(tx.now))
			if err != nil {
				return err
			}
			if k, _ := r.RowsAffected(); k > 0 {
				n++
				u.ID, _ = r.LastInsertId()
				u.State, u.CreatedAt, u.NextAttemptAt = convene.InboxNew, tx.now, tx.now
			}
		}
		return nil
	})
	return n, wrapf(err, "store updates")
}

const inboxColumns = `id, channel, bot_id, update_id, chat_key, payload, state, tries, next_attempt_at, error, created_at`

// DueUpdates returns the oldest waiting update of up to limit chats, if
// due by storage time, oldest first.
func (s *InboxService) DueUpdates(ctx context.Context, limit int) ([]*convene.InboxUpdate, error) {
	var out []*convene.InboxUpdate
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+inboxColumns+` FROM inbox WHERE id IN
			(SELECT MIN(id) FROM inbox WHERE state = 'new' GROUP BY chat_key) AND next_attempt_at <= ? ORDER BY id LIMIT ?`, ts(tx.now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u convene.InboxUpdate
			var next, created int64
			if err := rows.Scan(&u.ID, &u.Channel, &u.BotID, &u.UpdateID, &u.ChatKey, &u.Payload, &u.State, &u.Tries, &next, &u.Error, &created); err != nil {
				return err
			}
			u.NextAttemptAt, u.CreatedAt = tm(next), tm(created)
			out = append(out, &u)
		}
		return rows.Err()
	})
	return out, wrapf(err, "due updates")
}

// NextUpdateDue returns when the earliest waiting update becomes due, zero if none waits.
func (s *InboxService) NextUpdateDue(ctx context.Context) (time.Time, error) {
	var next int64
	err := s.db.view(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(next_attempt_at), 0) FROM inbox WHERE state = 'new'`).Scan(&next)
	})
	return tm(next), wrapf(err, "next due update")
}

// MarkUpdateDone marks a new update done and clears its payload (the texts
// people typed are not kept). Returns ECONFLICT if the update is not new
// (handled already, or dead) and ENOTFOUND if there is none.
func (s *InboxService) MarkUpdateDone(ctx context.Context, id int64) error {
	return s.setState(ctx, id, "done", `UPDATE inbox SET state = 'done', payload = NULL, error = '', done_at = ? WHERE id = ? AND state = 'new'`, withNow)
}

// RetryUpdate records a failed try of a new update and makes it due at at.
func (s *InboxService) RetryUpdate(ctx context.Context, id int64, at time.Time, errText string) error {
	return s.setState(ctx, id, "for retry", `UPDATE inbox SET tries = tries + 1, next_attempt_at = ?, error = ? WHERE id = ? AND state = 'new'`, ts(at), errText)
}

// ParkUpdate records a failed try of a new update and parks it as dead;
// its payload stays for a person to look at until it is pruned.
func (s *InboxService) ParkUpdate(ctx context.Context, id int64, errText string) error {
	return s.setState(ctx, id, "dead", `UPDATE inbox SET state = 'dead', tries = tries + 1, error = ?, done_at = ? WHERE id = ? AND state = 'new'`, errText, withNow)
}

func (s *InboxService) setState(ctx context.Context, id int64, what, q string, args ...any) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		for i, a := range args {
			if a == withNow {
				args[i] = ts(tx.now)
			}
		}
		r, err := tx.ExecContext(ctx, q, append(args, id)...)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			return nil
		}
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM inbox WHERE id = ?`, id).Scan(&state); err != nil {
			return notFound(err, "no update %d in the inbox", id)
		}
		return convene.Errorf(convene.ECONFLICT, "update %d is %s", id, state)
	})
	return wrapf(err, "mark update %d %s", id, what)
}

// PruneInbox deletes done and dead updates finished before before.
func (s *InboxService) PruneInbox(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM inbox WHERE state <> 'new' AND done_at < ?`, ts(before))
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	return int(n), wrapf(err, "prune inbox")
}

// InboxCounts counts waiting and dead updates.
func (s *InboxService) InboxCounts(ctx context.Context) (waiting, dead int, err error) {
	err = s.db.view(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(state = 'new'), 0), COALESCE(SUM(state = 'dead'), 0) FROM inbox`).Scan(&waiting, &dead)
	})
	return waiting, dead, wrapf(err, "inbox counts")
}
