package scheduler_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/scheduler"
	"github.com/convene/convene/storage"
)

func TestReminderRules(t *testing.T) {
	t.Parallel()
	t.Run("BeforeFiresAtTheMinute", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, before(24*time.Hour, convene.AudienceAll)), mustTime("2024-03-26T00:00:00Z"))
		s := e.scheduler()
		e.tickAt(s, mustTime("2024-03-26T00:00:00Z"))
		e.tickAt(s, mustTime("2024-03-27T00:58:00Z"))
		e.tickAt(s, mustTime("2024-03-27T00:59:00Z"))
		if got := e.rec.take("audience:all"); len(got) != 0 {
			t.Fatalf("fired early: %v", got)
		}
		due := mustTime("2024-03-27T01:00:00Z") // 08:00 27/03 local, 24 h before
		e.tickAt(s, due)
		id := e.rule("chi-bo-01", "before:24h0m0s")
		if got, want := fmt.Sprint(e.rec.take("audience:all")), fmt.Sprintf("[audience:all reminder:%d:%d]", id, due.Unix()); got != want {
			t.Fatalf("at 08:00 27/03: %s, want %s", got, want)
		}
		f := e.lastFiring("chi-bo-01", "reminder", id)
		if !f.ScheduledFor.Equal(due) || f.Status != "sent" || f.Count != 1 || e.queued("audience:all") != 1 {
			t.Fatalf("firing %+v, %d queued", f, e.queued("audience:all"))
		}
		e.tickAt(s, due.Add(time.Minute))
		if got := e.rec.take("audience:all"); len(got) != 0 {
			t.Fatalf("fired twice: %v", got)
		}
	})
	t.Run("CronDailyUntilDeadline", func(t *testing.T) {
		p := plan("Asia/Ho_Chi_Minh", start, cronRule("0 8 * * *", convene.AudiencePending, deadline))
		e := newEnv(t, p, mustTime("2024-03-22T00:00:00Z"))
		s := e.scheduler()
		loc := e.meeting("chi-bo-01").Location()
		var fired []string
		// Each day: 07:59, 08:00, 11:00, 17:00, 17:01, 23:00 and 05:00 local.
		for day := mustTime("2024-03-22T00:00:00Z"); day.Before(start); day = day.Add(24 * time.Hour) {
			for _, h := range []time.Duration{59 * time.Minute, time.Hour, 4 * time.Hour, 10 * time.Hour, 10*time.Hour + time.Minute, 16 * time.Hour, 22 * time.Hour} {
				e.tickAt(s, day.Add(h))
				if len(e.rec.take("audience:pending reminder:")) > 0 {
					fired = append(fired, day.Add(h).In(loc).Format("02/01 15:04"))
				}
			}
		}
		want := "[22/03 08:00 23/03 08:00 24/03 08:00 25/03 08:00 26/03 08:00]"
		if fmt.Sprint(fired) != want {
			t.Fatalf("fired at %v, want %s (daily 08:00 local until the 17:00 deadline on 26/03)", fired, want)
		}
	})
	t.Run("At", func(t *testing.T) {
		at := mustTime("2024-03-27T08:00:00Z") // 15:00 local
		p := plan("Asia/Ho_Chi_Minh", start, convene.ReminderRule{Key: "at", Kind: convene.RuleAt, At: at, Audience: convene.AudienceAttending})
		e := newEnv(t, p, at.Add(-time.Hour))
		s := e.scheduler()
		e.tickAt(s, at.Add(-time.Minute))
		if got := e.rec.take("audience:attending"); len(got) != 0 {
			t.Fatalf("fired early: %v", got)
		}
		e.tickAt(s, at)
		want := fmt.Sprintf("[audience:attending reminder:%d:%d]", e.rule("chi-bo-01", "at"), at.Unix())
		if got := fmt.Sprint(e.rec.take("audience:attending")); got != want {
			t.Fatalf("at rule: %s, want %s", got, want)
		}
	})
	t.Run("NeverMatchingCron", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, cronRule("0 0 30 2 *", convene.AudienceAll, time.Time{})), mustTime("2024-03-26T00:00:00Z"))
		done := make(chan error, 1)
		go func() { done <- e.scheduler().Tick(ctx) }()
		select {
		case err := <-done:
			must(err)
		case <-time.After(5 * time.Second):
			t.Fatal("a tick with a spec that never matches (30 February) did not return")
		}
		if got := e.rec.take("audience:all"); len(got) != 0 {
			t.Fatalf("fired: %v", got)
		}
	})
}

func TestNoDoubleFiring(t *testing.T) {
	t.Parallel()
	due := mustTime("2024-03-27T01:00:00Z")
	t.Run("AcrossRestart", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, before(24*time.Hour, convene.AudienceAll)), due.Add(-time.Hour))
		e.tickAt(e.scheduler(), due)
		if got := e.rec.take("audience:all"); len(got) != 1 {
			t.Fatalf("first process: %v", got)
		}
		e.tickAt(e.scheduler(), due) // restarted at the same minute
		e.tickAt(e.scheduler(), due.Add(time.Minute))
		if got := e.rec.take("audience:all"); len(got) != 0 {
			t.Fatalf("a restarted scheduler fired again: %v", got)
		}
		if n := e.queued("audience:all"); n != 1 {
			t.Fatalf("%d reminders queued, want 1", n)
		}
	})
	t.Run("TwoProcessesConcurrently", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, before(24*time.Hour, convene.AudienceAll)), due.Add(-time.Hour))
		e.clock.Set(due)
		other := storage.NewDB(e.db.DSN)
		other.Now = e.clock.Now
		must(other.Open())
		defer other.Close()
		cfg := e.config()
		cfg.DigestSpec = "0 0 1 1 *" // no digest due: only the reminder wakes the dispatcher
		s1 := scheduler.New(cfg)
		cfg.Meetings, cfg.Reminders, cfg.Invitations = storage.NewMeetingService(other), storage.NewReminderService(other), storage.NewInvitationService(other)
		s2 := scheduler.New(cfg)
		var wg sync.WaitGroup
		for _, s := range []*scheduler.Scheduler{s1, s2, s1, s2} {
			wg.Add(1)
			go func() { defer wg.Done(); must(s.Tick(ctx)) }()
		}
		wg.Wait()
		// Both may build the messages; only one records the firing (and wakes the dispatcher).
		if e.rec.wakes != 1 || e.queued("audience:all") != 1 {
			t.Fatalf("%d firings recorded, %d reminders queued; want 1 and 1", e.rec.wakes, e.queued("audience:all"))
		}
	})
}

func TestCatchUp(t *testing.T) {
	t.Parallel()
	t.Run("OnlyLatestMissedFiringSent", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, cronRule("0 8 * * *", convene.AudienceAll, time.Time{})), mustTime("2024-03-22T02:00:00Z"))
		e.tickAt(e.scheduler(), mustTime("2024-03-22T02:00:00Z"))
		// Down for three days: 23, 24 and 25/03 08:00 are missed.
		e.tickAt(e.scheduler(), mustTime("2024-03-25T05:00:00Z"))
		want := fmt.Sprintf("[audience:all reminder:%d:%d]", e.rule("chi-bo-01", "cron:0 8 * * *"), mustTime("2024-03-25T01:00:00Z").Unix())
		if got := fmt.Sprint(e.rec.take("audience:all")); got != want {
			t.Fatalf("caught up %s, want only the latest: %s", got, want)
		}
		if !strings.Contains(e.log.String(), "passed=2") {
			t.Fatalf("the two older missed firings are not logged:\n%s", e.log)
		}
	})
	t.Run("MissedAfterStartSkipped", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, before(2*time.Hour, convene.AudienceAttending)), start.Add(-3*time.Hour))
		e.tickAt(e.scheduler(), start.Add(30*time.Minute))
		if got := e.rec.take("audience:attending"); len(got) != 0 || e.queued("audience:attending") != 0 {
			t.Fatalf("sent after the start: %v", got)
		}
		f := e.lastFiring("chi-bo-01", "reminder", e.rule("chi-bo-01", "before:2h0m0s"))
		if f == nil || f.Status != "skipped" || f.Note != "meeting already started" || !f.ScheduledFor.Equal(start.Add(-2*time.Hour)) {
			t.Fatalf("firing %+v", f)
		}
		if !strings.Contains(e.log.String(), "level=INFO msg=\"skipped: meeting already started\"") {
			t.Fatalf("skip not logged at info:\n%s", e.log)
		}
	})
	t.Run("MissedCronAfterItsWindowSkipped", func(t *testing.T) {
		rule := cronRule("0 8 * * *", convene.AudiencePending, deadline)
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, rule), mustTime("2024-03-25T02:00:00Z"))
		// 08:00 26/03 was missed; the process is back at 18:00, after the 17:00 deadline.
		e.tickAt(e.scheduler(), deadline.Add(time.Hour))
		if got := e.rec.take("audience:pending reminder:"); len(got) != 0 {
			t.Fatalf("sent after the rule's window: %v", got)
		}
		f := e.lastFiring("chi-bo-01", "reminder", e.rule("chi-bo-01", rule.Key))
		if f == nil || f.Status != "skipped" || f.Note != "rule window closed" || !f.ScheduledFor.Equal(mustTime("2024-03-26T01:00:00Z")) {
			t.Fatalf("firing %+v", f)
		}
	})
	t.Run("NotBeforeInvitationsIssued", func(t *testing.T) {
		// The nudge was due at 17:00 25/03; invitations went out at 19:00 while the scheduler was down.
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start), mustTime("2024-03-25T12:00:00Z"))
		e.tickAt(e.scheduler(), mustTime("2024-03-25T12:00:00Z"))
		if got := e.rec.take("audience:pending"); len(got) != 0 {
			t.Fatalf("nudged for a time before the invitations: %v", got)
		}
		if f := e.lastFiring("chi-bo-01", "nudge", 0); f == nil || f.Status != "skipped" || f.Note != "scheduled before the invitations were issued" {
			t.Fatalf("nudge firing %+v", f)
		}
	})
	t.Run("DraftMeetingSkipped", func(t *testing.T) {
		due := mustTime("2024-03-27T01:00:00Z")
		e := newDraftEnv(t, plan("Asia/Ho_Chi_Minh", start, before(24*time.Hour, convene.AudienceAll)), due.Add(-time.Hour))
		s := e.scheduler()
		e.tickAt(s, due)
		e.clock.Set(due.Add(time.Hour))
		e.issue("chi-bo-01")
		e.tickAt(s, due.Add(time.Hour))
		e.tickAt(e.scheduler(), due.Add(time.Hour+time.Minute))
		if got := e.rec.take("audience:all"); len(got) != 0 {
			t.Fatalf("a reminder due while the meeting was a draft went out: %v", got)
		}
	})
	t.Run("OlderThanCatchUpWindowIgnored", func(t *testing.T) {
		at := mustTime("2024-03-20T01:00:00Z")
		p := plan("Asia/Ho_Chi_Minh", start, convene.ReminderRule{Key: "at", Kind: convene.RuleAt, At: at, Audience: convene.AudienceAll})
		e := newEnv(t, p, at.Add(-time.Hour))
		e.tickAt(e.scheduler(), at.Add(4*24*time.Hour)) // down for four days, the window is three
		if got := e.rec.take("audience:all"); len(got) != 0 {
			t.Fatalf("sent a firing older than the catch-up window: %v", got)
		}
	})
}

func TestFailedJobAloneAndRetried(t *testing.T) {
	t.Parallel()
	p := plan("Asia/Ho_Chi_Minh", start, before(24*time.Hour, convene.AudienceAll))
	p.Meetings = append(p.Meetings, meeting("chi-bo-04", "Asia/Ho_Chi_Minh", start, before(24*time.Hour, convene.AudienceAll)))
	due := mustTime("2024-03-27T01:00:00Z")
	e := newEnv(t, p, due.Add(-time.Hour))
	bad := fmt.Sprintf("reminder:%d:", e.rule("chi-bo-01", "before:24h0m0s"))
	good := fmt.Sprintf("reminder:%d:", e.rule("chi-bo-04", "before:24h0m0s"))
	e.rec.fail = func(kind, key string) error {
		if strings.HasPrefix(key, bad) {
			e.rec.fail = nil
			return errors.New("chat network down")
		}
		return nil
	}
	s := e.scheduler()
	e.tickAt(s, due.Add(-time.Minute))
	e.tickAt(s, due)
	got := e.rec.take("audience:all")
	if len(got) != 1 || !strings.Contains(got[0], good) {
		t.Fatalf("with chi-bo-01 failing, sent %v; want chi-bo-04's reminder", got)
	}
	if !strings.Contains(e.log.String(), "chat network down") {
		t.Fatalf("failure not logged:\n%s", e.log)
	}
	// The next tick looks back past its usual window for the failed job.
	e.tickAt(s, due.Add(2*time.Minute))
	if got := e.rec.take("audience:all"); len(got) != 1 || got[0] != fmt.Sprintf("audience:all %s%d", bad, due.Unix()) {
		t.Fatalf("failed reminder not retried: %v", got)
	}
}

func TestMovedMeeting(t *testing.T) {
	t.Parallel()
	rule := before(24*time.Hour, convene.AudienceAll)
	moved := start.Add(48 * time.Hour)
	t.Run("BeforeFirstFiring", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, rule), mustTime("2024-03-26T00:00:00Z"))
		s := e.scheduler()
		e.tickAt(s, mustTime("2024-03-26T00:00:00Z"))
		_, err := storage.NewPlanService(e.db).ApplyPlan(ctx, plan("Asia/Ho_Chi_Minh", moved, rule))
		must(err)
		e.tickAt(s, start.Add(-24*time.Hour))
		if got := e.rec.take("audience:all"); len(got) != 0 {
			t.Fatalf("fired at the old time: %v", got)
		}
		e.tickAt(s, moved.Add(-24*time.Hour-time.Minute))
		e.tickAt(s, moved.Add(-24*time.Hour))
		if got := e.rec.take("audience:all"); len(got) != 1 {
			t.Fatalf("did not fire at the new time: %v", got)
		}
	})
	t.Run("AfterFiringForTheOldTime", func(t *testing.T) {
		e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, rule), mustTime("2024-03-26T00:00:00Z"))
		s := e.scheduler()
		e.tickAt(s, start.Add(-24*time.Hour))
		if got := e.rec.take("audience:all"); len(got) != 1 {
			t.Fatalf("old time: %v", got)
		}
		e.clock.Add(time.Hour)
		_, err := storage.NewPlanService(e.db).ApplyPlan(ctx, plan("Asia/Ho_Chi_Minh", moved, rule))
		must(err)
		e.tickAt(s, start.Add(-23*time.Hour))
		e.tickAt(s, moved.Add(-24*time.Hour))
		want := fmt.Sprintf("[audience:all reminder:%d:%d]", e.rule("chi-bo-01", rule.Key), moved.Add(-24*time.Hour).Unix())
		if got := fmt.Sprint(e.rec.take("audience:all")); got != want {
			t.Fatalf("after the move: %s, want %s", got, want)
		}
	})
}
