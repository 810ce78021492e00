package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/convene/convene"
)

// run fires job j of meeting m if a scheduled time in (since, now] (any
// time up to now for a late job) is newer than its last recorded firing.
// The firing is recorded with its messages in one transaction; ECONFLICT
// means another tick or process recorded it first, which is fine.
func (s *Scheduler) run(ctx context.Context, m *convene.Meeting, j job, since, now time.Time) error {
	log := s.cfg.Logger.With("meeting", m.Code, "job", j.name, "rule", j.rule)
	after := since
	if j.late {
		after = time.Time{}
	}
	last, err := s.cfg.Reminders.LastFiring(ctx, j.name, m.ID, j.rule)
	switch {
	case convene.ErrorCode(err) == convene.ENOTFOUND:
		last = nil
	case err != nil:
		return fmt.Errorf("last firing: %w", err)
	case last.ScheduledFor.After(after):
		after = last.ScheduledFor
	}
	t, passed := j.due(after, now)
	if t.IsZero() {
		if last != nil && last.Status == "sent" && j.apply != nil && !j.applied() {
			log.Warn("applying a recorded firing again", "scheduled_for", last.ScheduledFor)
			return j.apply(ctx, last.FiredAt)
		}
		return nil
	}

	f := &convene.Firing{Job: j.name, Rule: j.rule, MeetingID: m.ID, ScheduledFor: t, Status: "sent"}
	if j.skip != nil {
		if f.Note, err = j.skip(ctx, t, now); err != nil {
			return err
		}
	}
	var msgs []*convene.OutboxMessage
	if f.Note != "" {
		f.Status = "skipped"
	} else if j.fire != nil {
		if msgs, err = j.fire(ctx, t); err != nil {
			return fmt.Errorf("build messages: %w", err)
		}
	}
	f.Count = len(msgs)
	err = s.cfg.Reminders.RecordFiring(ctx, f, msgs)
	if convene.ErrorCode(err) == convene.ECONFLICT {
		log.Debug("already fired by another tick or process", "scheduled_for", t)
		return nil
	} else if err != nil {
		return fmt.Errorf("record firing: %w", err)
	}
	if passed > 0 {
		log.Info("older missed firings passed over; only the latest counts", "passed", passed, "scheduled_for", t)
	}
	if f.Status == "skipped" {
		level := slog.LevelInfo
		if m.Status == convene.StatusDraft {
			level = slog.LevelDebug // a draft's firings are skipped every time: not news
		}
		log.Log(ctx, level, "skipped: "+f.Note, "scheduled_for", t)
		return nil
	}
	if t.Before(now.Add(-2 * time.Minute)) {
		log.Info("missed firing caught up", "scheduled_for", t, "messages", len(msgs))
	} else {
		log.Debug("fired", "scheduled_for", t, "messages", len(msgs))
	}
	if len(msgs) > 0 {
		s.cfg.Messenger.Wake()
	}
	if j.apply != nil {
		return j.apply(ctx, now)
	}
	return nil
}
