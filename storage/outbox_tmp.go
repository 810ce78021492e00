package storage

// TEMPORARY until the dispatcher branch lands; removed at merge.

import (
	"context"
	"time"
)

func (s *OutboxService) Postpone(ctx context.Context, id int64, at time.Time, why string) error {
	return s.setState(ctx, "postponed", id, `UPDATE outbox SET state = 'queued', next_attempt_at = ?, error = ? WHERE id = ?`, ts(at), why)
}

func (s *OutboxService) MarkPartSent(ctx context.Context, id int64, parts int, providerID string) error {
	return nil
}

func (s *OutboxService) QueuedByChannel(ctx context.Context) (map[string]int, error) {
	return nil, nil
}
