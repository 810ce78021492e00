package storage_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestReminderService(t *testing.T) {
	t.Run("FiringRecordedOnce", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		rs := storage.NewReminderService(db)
		acc := mustAccount(t, db, "1", 0)
		at := m.StartsAt.Add(-24 * time.Hour)
		f := &convene.Firing{Job: "reminder", Rule: 1, MeetingID: m.ID, ScheduledFor: at}
		if err := rs.RecordFiring(ctx(), f, []*convene.OutboxMessage{msg(acc, "r1")}); err != nil {
			t.Fatal(err)
		}
		if f.ID == 0 || f.Count != 1 || !f.FiredAt.Equal(c.Now()) {
			t.Fatalf("firing %+v", f)
		}
		err := rs.RecordFiring(ctx(), &convene.Firing{Job: "reminder", Rule: 1, MeetingID: m.ID, ScheduledFor: at}, []*convene.OutboxMessage{msg(acc, "r2")})
		if convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("second firing: %v", err)
		}
		if d, _ := storage.NewOutboxService(db).QueueDepth(ctx()); d != 1 {
			t.Fatalf("a refused firing enqueued messages: depth %d", d)
		}
		last, err := rs.LastFiring(ctx(), "reminder", m.ID, 1)
		if err != nil || !last.ScheduledFor.Equal(at) || last.Status != "sent" {
			t.Fatalf("last: %+v %v", last, err)
		}
		if _, err := rs.LastFiring(ctx(), "digest", m.ID, 0); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("no firing: %v", err)
		}
	})

	t.Run("SkippedFiringEnqueuesNothingAndCounts", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		rs := storage.NewReminderService(db)
		at := m.StartsAt.Add(-time.Hour)
		if err := rs.RecordFiring(ctx(), &convene.Firing{Job: "nudge", MeetingID: m.ID, ScheduledFor: at, Status: "skipped", Note: "deadline passed"}, nil); err != nil {
			t.Fatal(err)
		}
		last, err := rs.LastFiring(ctx(), "nudge", m.ID, 0)
		if err != nil || last.Status != "skipped" || last.Note != "deadline passed" || last.Count != 0 || last.Rule != 0 {
			t.Fatalf("last %+v %v", last, err)
		}
		// A later time of the same job is a new firing, and the last one.
		if err := rs.RecordFiring(ctx(), &convene.Firing{Job: "nudge", MeetingID: m.ID, ScheduledFor: at.Add(time.Minute)}, nil); err != nil {
			t.Fatal(err)
		}
		// An earlier one recorded afterwards (a catch-up) does not count as last.
		if err := rs.RecordFiring(ctx(), &convene.Firing{Job: "nudge", MeetingID: m.ID, ScheduledFor: at.Add(-time.Hour)}, nil); err != nil {
			t.Fatal(err)
		}
		if last, _ := rs.LastFiring(ctx(), "nudge", m.ID, 0); !last.ScheduledFor.Equal(at.Add(time.Minute)) || last.Status != "sent" {
			t.Fatalf("last %+v", last)
		}
		// Same time, other rule or meeting: separate firings.
		if err := rs.RecordFiring(ctx(), &convene.Firing{Job: "nudge", Rule: 9, MeetingID: m.ID, ScheduledFor: at}, nil); err != nil {
			t.Fatalf("other rule: %v", err)
		}
		if err := rs.RecordFiring(ctx(), &convene.Firing{Job: "nudge", MeetingID: m.ID + 1, ScheduledFor: at}, nil); err != nil {
			t.Fatalf("other meeting: %v", err)
		}
		if err := rs.RecordFiring(ctx(), &convene.Firing{MeetingID: m.ID, ScheduledFor: at}, nil); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("no job: %v", err)
		}
	})

	t.Run("FindReminderRules", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := seedPlan()
		second := p.Meetings[0]
		second.Meeting.Code = "chi-bo-04"
		second.Reminders = []convene.ReminderRule{{Key: "at:x", Kind: convene.RuleAt, At: mustTime("2024-03-27T01:00:00Z"), Audience: convene.AudienceAttending,
			From: mustTime("2024-03-20T01:00:00Z"), Until: mustTime("2024-03-27T02:00:00Z")}}
		p.Meetings = append(p.Meetings, second)
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		rs := storage.NewReminderService(db)
		all, err := rs.FindReminderRules(ctx(), 0)
		if err != nil || len(all) != 3 {
			t.Fatalf("all: %d %v", len(all), err)
		}
		m4, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-04")
		one, _ := rs.FindReminderRules(ctx(), m4.ID)
		if len(one) != 1 {
			t.Fatalf("one meeting: %d", len(one))
		}
		r := one[0]
		if r.Key != "at:x" || r.Kind != convene.RuleAt || !r.At.Equal(mustTime("2024-03-27T01:00:00Z")) || r.Audience != convene.AudienceAttending ||
			!r.From.Equal(mustTime("2024-03-20T01:00:00Z")) || !r.Until.Equal(mustTime("2024-03-27T02:00:00Z")) || r.MeetingID != m4.ID {
			t.Fatalf("rule %+v", r)
		}
	})

	t.Run("TwoProcessesCannotDoubleFire", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		acc := mustAccount(t, db, "1", 0)
		other := storage.NewDB(db.DSN)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, other)
		services := []*storage.ReminderService{storage.NewReminderService(db), storage.NewReminderService(other)}
		var ok atomic.Int32
		var wg sync.WaitGroup
		at := m.StartsAt.Add(-time.Hour)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(rs *storage.ReminderService) {
				defer wg.Done()
				err := rs.RecordFiring(ctx(), &convene.Firing{Job: "reminder", Rule: 2, MeetingID: m.ID, ScheduledFor: at},
					[]*convene.OutboxMessage{msg(acc, "same-key")})
				switch convene.ErrorCode(err) {
				case "":
					ok.Add(1)
				case convene.ECONFLICT:
				default:
					t.Error(err)
				}
			}(services[i%2])
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d firings recorded, want 1", ok.Load())
		}
	})
}
