package storage

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/convene/convene"
)

var _ convene.OutboxService = (*OutboxService)(nil)

// OutboxService implements convene.OutboxService.
type OutboxService struct{ db *DB }

// NewOutboxService returns an OutboxService on db.
func NewOutboxService(db *DB) *OutboxService { return &OutboxService{db: db} }

// enqueue inserts msgs as queued inside tx, skipping keys already stored.
func enqueue(ctx context.Context, tx *Tx, msgs []*convene.OutboxMessage) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO outbox (account_id, channel, chat_id, content, key, batch, notify_account, ref,
			interactive, edit_message_id, parts_sent, state, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (key) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	for _, m := range msgs {
		if err := m.Validate(); err != nil {
			return 0, err
		}
		content, err := json.Marshal(m.Content)
		if err != nil {
			return 0, err
		}
		next := m.NextAttemptAt
		if next.IsZero() {
			next = tx.now
		}
		r, err := stmt.ExecContext(ctx, m.AccountID, m.Channel, m.ChatID, string(content), m.Key, m.Batch, m.NotifyAccount, m.Ref,
			m.Interactive, m.EditMessageID, m.PartsSent, ts(next), ts(tx.now))
		if err != nil {
			return 0, err
		}
		if k, _ := r.RowsAffected(); k > 0 {
			n++
			m.ID, _ = r.LastInsertId()
			m.State, m.CreatedAt = convene.OutboxQueued, tx.now
		}
	}
	return n, nil
}

// Enqueue stores msgs as queued (due now unless NextAttemptAt is set),
// skipping any whose key is already stored, sets the new ones' ids, and
// returns how many were new. Returns EINVALID, storing nothing, if a
// message lacks recipient, key or content.
func (s *OutboxService) Enqueue(ctx context.Context, msgs []*convene.OutboxMessage) (int, error) {
	var n int
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		n, err = enqueue(ctx, tx, msgs)
		return err
	})
	return n, wrapf(err, "enqueue")
}

const outboxColumns = `id, account_id, channel, chat_id, content, key, batch, notify_account, ref, interactive, edit_message_id, parts_sent,
	state, attempts, next_attempt_at, error, provider_message_id, created_at, sent_at`

func scanOutbox(row interface{ Scan(...any) error }) (*convene.OutboxMessage, error) {
	var m convene.OutboxMessage
	var content string
	var next, created, sent int64
	if err := row.Scan(&m.ID, &m.AccountID, &m.Channel, &m.ChatID, &content, &m.Key, &m.Batch, &m.NotifyAccount, &m.Ref,
		&m.Interactive, &m.EditMessageID, &m.PartsSent, &m.State,
		&m.Attempts, &next, &m.Error, &m.ProviderMessageID, &created, &sent); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(content), &m.Content); err != nil {
		return nil, err
	}
	m.NextAttemptAt, m.CreatedAt, m.SentAt = tm(next), tm(created), tm(sent)
	return &m, nil
}

// channelFilter returns the condition on column for channels (nil: all;
// empty: none) and its arguments.
func channelFilter(column string, channels []string) (string, []any) {
	if channels == nil {
		return "", nil
	}
	if len(channels) == 0 {
		return " AND 0", nil
	}
	args := make([]any, len(channels))
	for i, c := range channels {
		args[i] = c
	}
	return " AND " + column + " IN (?" + strings.Repeat(", ?", len(channels)-1) + ")", args
}

// chatHead is the condition that o is the oldest waiting (queued or
// sending) message of its chat; it uses the outbox_chat_head index.
const chatHead = ` AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = o.channel AND p.chat_id = o.chat_id
	AND p.state IN ('queued', 'sending') AND p.id < o.id)`

// ClaimDue marks up to limit messages as sending, with the claim time, in
// one committed statement, and returns them: per chat only its oldest
// waiting message, if queued (not sending) and due by storage time;
// interactive ones first, then oldest first. So a chat keeps its order and
// has at most one send in flight. Claiming counts no attempt. channels nil
// means every channel; empty, none.
func (s *OutboxService) ClaimDue(ctx context.Context, channels []string, limit int) ([]*convene.OutboxMessage, error) {
	if limit <= 0 || (channels != nil && len(channels) == 0) {
		return nil, nil
	}
	var out []*convene.OutboxMessage
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		out, err = claimDue(ctx, tx, channels, limit)
		return err
	})
	if err != nil {
		return nil, wrapf(err, "claim due messages")
	}
	return out, nil
}

func claimDue(ctx context.Context, tx *Tx, channels []string, limit int) ([]*convene.OutboxMessage, error) {
	cf, cargs := channelFilter("o.channel", channels)
	now := ts(tx.now)
	args := append(append([]any{now, now}, cargs...), limit)
	rows, err := tx.QueryContext(ctx, `UPDATE outbox SET state = 'sending', claimed_at = ?
		WHERE id IN (SELECT o.id FROM outbox o INDEXED BY outbox_claim WHERE o.state = 'queued' AND o.next_attempt_at <= ?`+cf+chatHead+`
			ORDER BY o.interactive DESC, o.id LIMIT ?)
		RETURNING `+outboxColumns, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*convene.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING gives no order.
	sort.Slice(out, func(i, j int) bool {
		if out[i].Interactive != out[j].Interactive {
			return out[i].Interactive
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// NextDue returns when the earliest queued message of the channels (nil:
// all) that heads its chat becomes due, zero if none is queued. Messages
// behind a chat's earlier one are not counted: they cannot be claimed
// before it is done.
func (s *OutboxService) NextDue(ctx context.Context, channels []string) (time.Time, error) {
	var next int64
	err := s.db.view(ctx, func(tx *Tx) error {
		cf, cargs := channelFilter("o.channel", channels)
		return tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(o.next_attempt_at), 0) FROM outbox o WHERE o.state = 'queued'`+cf+chatHead, cargs...).Scan(&next)
	})
	return tm(next), wrapf(err, "next due message")
}

// setState runs q, whose last parameter is the message id, in a
// transaction, and returns ENOTFOUND if no message changed. An argument
// withNow stands for the transaction's time.
func (s *OutboxService) setState(ctx context.Context, what string, id int64, q string, args ...any) error {
	err := s.db.inTx(ctx, func(tx *Tx) error { return setOutboxState(ctx, tx, id, q, args...) })
	return wrapf(err, "mark message %d %s", id, what)
}

func setOutboxState(ctx context.Context, tx *Tx, id int64, q string, args ...any) error {
	for i, a := range args {
		if a == withNow {
			args[i] = ts(tx.now)
		}
	}
	r, err := tx.ExecContext(ctx, q, append(args, id)...)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return convene.Errorf(convene.ENOTFOUND, "no outbox message %d", id)
	}
	return nil
}

// withNow stands for the transaction's time among setState's arguments.
var withNow = &struct{ now bool }{true}

// MarkSent records delivery with the provider's message id, at storage time.
// Returns ENOTFOUND for an unknown message.
//
// A delivered reply (an interactive message) keeps no text: replies echo
// what people typed — feedback answers, anonymous ones too, one-time codes,
// reasons — and the database need not keep them once sent.
func (s *OutboxService) MarkSent(ctx context.Context, id int64, providerID string) error {
	return s.setState(ctx, "sent", id, `UPDATE outbox SET state = 'sent', provider_message_id = ?, sent_at = ?, error = '',
		content = CASE WHEN interactive THEN '{"text":""}' ELSE content END WHERE id = ?`, providerID, withNow)
}

// MarkRetry puts the message back in the queue until at after a failed
// send, counting an attempt and recording the error.
func (s *OutboxService) MarkRetry(ctx context.Context, id int64, at time.Time, errText string) error {
	return s.setState(ctx, "for retry", id, `UPDATE outbox SET state = 'queued', attempts = attempts + 1, next_attempt_at = ?, error = ? WHERE id = ?`, ts(at), errText)
}

// Postpone puts the message back in the queue until at, recording why,
// without counting an attempt: the channel asked to wait, is paused, or
// the dispatcher is stopping.
func (s *OutboxService) Postpone(ctx context.Context, id int64, at time.Time, why string) error {
	return s.setState(ctx, "postponed", id, `UPDATE outbox SET state = 'queued', next_attempt_at = ?, error = ? WHERE id = ?`, ts(at), why)
}

// MarkPartSent records that the first parts parts of a split message were
// delivered, keeping the last part's provider id; the message stays
// sending.
func (s *OutboxService) MarkPartSent(ctx context.Context, id int64, parts int, providerID string) error {
	return s.setState(ctx, "part sent", id, `UPDATE outbox SET parts_sent = ?, provider_message_id = ? WHERE id = ?`, parts, providerID)
}

// MarkFailed gives up on the message after a failed send, counting the
// attempt and recording the error.
func (s *OutboxService) MarkFailed(ctx context.Context, id int64, errText string) error {
	return s.setState(ctx, "failed", id, `UPDATE outbox SET state = 'failed', attempts = attempts + 1, error = ? WHERE id = ?`, errText)
}

// MarkUnreachable gives up on the message and flags its account
// unreachable, in one transaction, counting the attempt.
func (s *OutboxService) MarkUnreachable(ctx context.Context, id int64, errText string) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := setOutboxState(ctx, tx, id, `UPDATE outbox SET state = 'unreachable', attempts = attempts + 1, error = ? WHERE id = ?`, errText); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET reachable = 0 WHERE id = (SELECT account_id FROM outbox WHERE id = ?)`, id)
		return err
	})
	return wrapf(err, "mark message %d unreachable", id)
}

// RequeueSending puts messages still sending that were claimed before
// claimedBefore (left by a crash, or stuck past the send timeout) back in
// the queue, keeping their due time so they go out first and counting no
// attempt, and returns them as stored now, so they are sent again
// (at-least-once). Only one dispatcher may run, or its sends in flight
// would be sent twice.
func (s *OutboxService) RequeueSending(ctx context.Context, claimedBefore time.Time) ([]*convene.OutboxMessage, error) {
	var out []*convene.OutboxMessage
	err := s.db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET state = 'queued', next_attempt_at = MIN(next_attempt_at, ?)
			WHERE state = 'sending' AND claimed_at < ? RETURNING `+outboxColumns, ts(tx.now), ts(claimedBefore))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrapf(err, "requeue sending messages")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// QueuedByChannel counts queued messages per channel.
func (s *OutboxService) QueuedByChannel(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT channel, COUNT(*) FROM outbox WHERE state = 'queued' GROUP BY channel`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ch string
			var n int
			if err := rows.Scan(&ch, &n); err != nil {
				return err
			}
			out[ch] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrapf(err, "queued by channel")
	}
	return out, nil
}

// BatchStats counts a batch's messages by state; Unreached lists the accounts of unreachable ones.
func (s *OutboxService) BatchStats(ctx context.Context, batch string) (*convene.BatchStats, error) {
	st := &convene.BatchStats{Batch: batch}
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT state, account_id FROM outbox WHERE batch = ? ORDER BY id`, batch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var state convene.OutboxState
			var acc int64
			if err := rows.Scan(&state, &acc); err != nil {
				return err
			}
			switch state {
			case convene.OutboxQueued:
				st.Queued++
			case convene.OutboxSending:
				st.Sending++
			case convene.OutboxSent:
				st.Sent++
			case convene.OutboxFailed:
				st.Failed++
			case convene.OutboxUnreachable:
				st.Unreachable++
				st.Unreached = append(st.Unreached, acc)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrapf(err, "stats of batch %s", batch)
	}
	return st, nil
}

// FinishBatch marks a batch reported and returns true the first time only
// (also across processes).
func (s *OutboxService) FinishBatch(ctx context.Context, batch string) (bool, error) {
	var first bool
	err := s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO batches (batch, finished_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, batch, ts(tx.now))
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		first = n == 1
		return nil
	})
	return first, wrapf(err, "finish batch %s", batch)
}

// QueueDepth counts queued and sending messages.
func (s *OutboxService) QueueDepth(ctx context.Context) (int, error) {
	var n int
	err := s.db.view(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending')`).Scan(&n)
	})
	return n, wrapf(err, "queue depth")
}
