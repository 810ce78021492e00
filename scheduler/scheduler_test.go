package scheduler_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/scheduler"
	"github.com/convene/convene/storage"
)

func mustTime(s string) time.Time { t, err := time.Parse(time.RFC3339, s); must(err); return t }
func must(err error) {
	if err != nil {
		panic(err)
	}
}

var (
	ctx   = context.Background()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// recorder is a Messenger that returns one message per call, keyed as asked,
// and remembers the calls; the real bot builds these messages and is tested
// end to end elsewhere.
type recorder struct {
	mu    sync.Mutex
	calls []string
	acc   *convene.Account
}

func (r *recorder) msg(kind, key string) []*convene.OutboxMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, kind+" "+key)
	return []*convene.OutboxMessage{{AccountID: r.acc.ID, Channel: "telegram", ChatID: r.acc.ChatID, Key: key, Batch: kind, Content: convene.Content{Text: kind}}}
}
func (r *recorder) AudienceMessages(_ context.Context, m *convene.Meeting, a convene.Audience, key string) ([]*convene.OutboxMessage, error) {
	return r.msg("audience:"+string(a), key), nil
}
func (r *recorder) DigestMessages(_ context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	return r.msg("digest", key), nil
}
func (r *recorder) FeedbackRequestMessages(_ context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	return r.msg("feedback-open", key), nil
}
func (r *recorder) FeedbackNudgeMessages(_ context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	return r.msg("feedback-nudge", key), nil
}
func (r *recorder) Wake() {}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	sort.Strings(out)
	return out
}

type env struct {
	db    *storage.DB
	clock *clock
	rec   *recorder
	m     *convene.Meeting
}

// plan is meeting chi-bo-01 at 08:00 28/03/2024 in tz with the given rules.
func plan(tz string, start time.Time, rules ...convene.ReminderRule) *convene.Plan {
	return &convene.Plan{Meetings: []convene.PlanMeeting{{
		Meeting: convene.Meeting{Code: "chi-bo-01", Title: "Sinh hoạt chi bộ mẫu", Timezone: tz, StartsAt: start,
			EndsAt: start.Add(3*time.Hour + 30*time.Minute), RSVPDeadline: start.Add(-39 * time.Hour)},
		Categories: []convene.Category{{Code: "dang-vien", Name: "Đảng viên"}},
		Reminders:  rules,
	}}}
}

func newEnv(t *testing.T, p *convene.Plan, now time.Time) *env {
	t.Helper()
	c := &clock{t: now}
	db := storage.NewDB(filepath.Join(t.TempDir(), "s.db"))
	db.Now = c.Now
	must(db.Open())
	t.Cleanup(func() { db.Close() })
	_, err := storage.NewPlanService(db).ApplyPlan(ctx, p)
	must(err)
	ms := storage.NewMeetingService(db)
	m, err := ms.FindMeetingByCode(ctx, "chi-bo-01")
	must(err)
	st := convene.StatusInvited
	m, err = ms.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{Status: &st})
	must(err)
	acc, err := storage.NewPersonService(db).TouchAccount(ctx, &convene.Account{Channel: "telegram", UserID: "1", ChatID: "1"})
	must(err)
	return &env{db: db, clock: c, rec: &recorder{acc: acc}, m: m}
}

func (e *env) scheduler(opts ...func(*scheduler.Config)) *scheduler.Scheduler {
	cfg := scheduler.Config{
		Meetings: storage.NewMeetingService(e.db), Reminders: storage.NewReminderService(e.db),
		Invitations: storage.NewInvitationService(e.db), Messenger: e.rec, Now: e.clock.Now,
		CatchUpWindow: 3 * 24 * time.Hour, Logger: quiet,
	}
	for _, o := range opts {
		o(&cfg)
	}
	return scheduler.New(cfg)
}

// only keeps the calls of one kind.
func only(calls []string, prefix string) []string {
	var out []string
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

var start = mustTime("2024-03-28T01:00:00Z") // 08:00 Asia/Ho_Chi_Minh

func TestBeforeRuleFiresAtTheMinute(t *testing.T) {
	e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, convene.ReminderRule{Key: "b24", Kind: convene.RuleBefore, Before: 24 * time.Hour, Audience: convene.AudienceAll}),
		mustTime("2024-03-27T00:58:00Z"))
	s := e.scheduler()
	must(s.Tick(ctx))
	e.clock.Set(mustTime("2024-03-27T00:59:00Z"))
	must(s.Tick(ctx))
	if got := only(e.rec.take(), "audience:all"); len(got) != 0 {
		t.Fatalf("fired early: %v", got)
	}
	e.clock.Set(mustTime("2024-03-27T01:00:00Z")) // 08:00 local, 24 h before
	must(s.Tick(ctx))
	if got := only(e.rec.take(), "audience:all"); len(got) != 1 {
		t.Fatalf("at 08:00 27/03: %v", got)
	}
	e.clock.Add(time.Minute)
	must(s.Tick(ctx))
	if got := only(e.rec.take(), "audience:all"); len(got) != 0 {
		t.Fatalf("fired twice: %v", got)
	}
	t.Run("NoDoubleFiringAcrossRestart", func(t *testing.T) {
		must(e.scheduler().Tick(ctx))
		if got := only(e.rec.take(), "audience:all"); len(got) != 0 {
			t.Fatalf("a restarted scheduler fired again: %v", got)
		}
		if st, _ := storage.NewOutboxService(e.db).BatchStats(ctx, "audience:all"); st.Queued != 1 {
			t.Fatalf("outbox holds %d reminders, want 1", st.Queued)
		}
	})
}

func TestCronRuleDailyUntilDeadline(t *testing.T) {
	deadline := mustTime("2024-03-26T10:00:00Z") // 17:00 local
	p := plan("Asia/Ho_Chi_Minh", start, convene.ReminderRule{Key: "c", Kind: convene.RuleCron, Cron: "0 8 * * *", Audience: convene.AudiencePending, Until: deadline})
	e := newEnv(t, p, mustTime("2024-03-23T00:30:00Z"))
	s := e.scheduler()
	must(s.Tick(ctx))
	e.rec.take() // the first tick catches up 22/03 08:00
	var fired []string
	for now := mustTime("2024-03-23T00:45:00Z"); now.Before(start); now = now.Add(15 * time.Minute) {
		e.clock.Set(now)
		must(s.Tick(ctx))
		if len(only(e.rec.take(), "audience:pending reminder:")) > 0 {
			fired = append(fired, now.In(e.m.Location()).Format("02/01 15:04"))
		}
	}
	want := "[23/03 08:00 24/03 08:00 25/03 08:00 26/03 08:00]"
	if fmt.Sprint(fired) != want {
		t.Fatalf("fired at %v, want %s (daily 08:00 local until the 17:00 deadline)", fired, want)
	}
}

func TestAtRule(t *testing.T) {
	at := mustTime("2024-03-27T08:00:00Z")
	e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, convene.ReminderRule{Key: "at", Kind: convene.RuleAt, At: at, Audience: convene.AudienceAttending}), at.Add(-time.Minute))
	s := e.scheduler()
	must(s.Tick(ctx))
	e.clock.Set(at)
	must(s.Tick(ctx))
	if got := only(e.rec.take(), "audience:attending"); len(got) != 1 || got[0] != fmt.Sprintf("audience:attending reminder:%d:%d", 1, at.Unix()) {
		t.Fatalf("at rule: %v", got)
	}
}

func TestCatchUp(t *testing.T) {
	t.Run("OnlyLatestMissedFiringSent", func(t *testing.T) {
		p := plan("Asia/Ho_Chi_Minh", start, convene.ReminderRule{Key: "c", Kind: convene.RuleCron, Cron: "0 8 * * *", Audience: convene.AudienceAll})
		e := newEnv(t, p, mustTime("2024-03-22T02:00:00Z"))
		must(e.scheduler().Tick(ctx)) // 22/03 08:00 fired
		e.rec.take()
		// Down for three days: 23, 24 and 25/03 08:00 are missed.
		e.clock.Set(mustTime("2024-03-25T05:00:00Z"))
		must(e.scheduler().Tick(ctx))
		got := only(e.rec.take(), "audience:all")
		want := fmt.Sprintf("audience:all reminder:1:%d", mustTime("2024-03-25T01:00:00Z").Unix())
		if len(got) != 1 || got[0] != want {
			t.Fatalf("caught up %v, want only the latest (%s)", got, want)
		}
	})
	t.Run("MissedAfterStartSkipped", func(t *testing.T) {
		p := plan("Asia/Ho_Chi_Minh", start, convene.ReminderRule{Key: "b2", Kind: convene.RuleBefore, Before: 2 * time.Hour, Audience: convene.AudienceAttending})
		e := newEnv(t, p, start.Add(30*time.Minute))
		must(e.scheduler().Tick(ctx))
		if got := only(e.rec.take(), "audience:attending"); len(got) != 0 {
			t.Fatalf("sent after the start: %v", got)
		}
		f, err := storage.NewReminderService(e.db).LastFiring(ctx, "reminder", e.m.ID, 1)
		if err != nil || f.Status != "skipped" || f.Note != "meeting already started" {
			t.Fatalf("firing %+v %v", f, err)
		}
	})
}

func TestTwoSchedulersFireOnce(t *testing.T) {
	p := plan("Asia/Ho_Chi_Minh", start, convene.ReminderRule{Key: "b24", Kind: convene.RuleBefore, Before: 24 * time.Hour, Audience: convene.AudienceAll})
	e := newEnv(t, p, mustTime("2024-03-27T01:00:00Z"))
	other := storage.NewDB(e.db.DSN)
	other.Now = e.clock.Now
	must(other.Open())
	defer other.Close()
	s1 := e.scheduler()
	s2 := scheduler.New(scheduler.Config{Meetings: storage.NewMeetingService(other), Reminders: storage.NewReminderService(other),
		Invitations: storage.NewInvitationService(other), Messenger: e.rec, Now: e.clock.Now, Logger: quiet})
	var wg sync.WaitGroup
	for _, s := range []*scheduler.Scheduler{s1, s2, s1, s2} {
		wg.Add(1)
		go func(s *scheduler.Scheduler) { defer wg.Done(); must(s.Tick(ctx)) }(s)
	}
	wg.Wait()
	if st, _ := storage.NewOutboxService(e.db).BatchStats(ctx, "audience:all"); st.Queued != 1 {
		t.Fatalf("%d reminders queued, want 1", st.Queued)
	}
}

func TestBuiltIns(t *testing.T) {
	e := newEnv(t, plan("Asia/Ho_Chi_Minh", start), start.Add(-time.Hour))
	s := e.scheduler()
	pl := storage.NewPlanService(e.db)
	_, err := pl.ImportRoster(ctx, "chi-bo-01", []convene.RosterEntry{{Row: 2, FullName: "Nguyễn Văn An", Category: "dang-vien"}})
	must(err)
	inv, _, _ := storage.NewInvitationService(e.db).FindInvitees(ctx, convene.InvitationFilter{MeetingID: e.m.ID})
	_, err = storage.NewInvitationService(e.db).SetRSVP(ctx, inv[0].ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "x"})
	if convene.ErrorCode(err) != convene.EEXPIRED {
		t.Fatalf("deadline passed but answer accepted: %v", err)
	}
	must(s.Tick(ctx))
	e.rec.take()

	e.clock.Set(e.m.End())
	must(s.Tick(ctx))
	calls := e.rec.take()
	m, _ := storage.NewMeetingService(e.db).FindMeetingByCode(ctx, "chi-bo-01")
	if m.Status != convene.StatusHeld || m.FeedbackOpenedAt.IsZero() || len(only(calls, "feedback-open")) != 1 {
		t.Fatalf("at the end: status %s, feedback opened %v, calls %v", m.Status, m.FeedbackOpenedAt, calls)
	}
	if got, _ := storage.NewInvitationService(e.db).FindInvitationByID(ctx, inv[0].ID); got.Attendance != convene.AttendanceAbsent {
		t.Fatalf("absentee not marked: %q", got.Attendance)
	}
	e.clock.Add(23 * time.Hour)
	must(s.Tick(ctx))
	if got := only(e.rec.take(), "feedback-nudge"); len(got) != 0 {
		t.Fatal("nudged before 24 h")
	}
	e.clock.Add(time.Hour)
	must(s.Tick(ctx))
	e.clock.Add(time.Hour)
	must(s.Tick(ctx))
	if got := only(e.rec.take(), "feedback-nudge"); len(got) != 1 {
		t.Fatalf("feedback nudges %v, want one", got)
	}
	e.clock.Set(m.FeedbackOpenedAt.Add(7 * 24 * time.Hour))
	must(s.Tick(ctx))
	m, _ = storage.NewMeetingService(e.db).FindMeetingByCode(ctx, "chi-bo-01")
	if m.Status != convene.StatusClosed || m.FeedbackClosedAt.IsZero() {
		t.Fatalf("after 7 days: %s %v", m.Status, m.FeedbackClosedAt)
	}
}

func TestDigestAndNudge(t *testing.T) {
	e := newEnv(t, plan("Asia/Ho_Chi_Minh", start), mustTime("2024-03-24T00:00:00Z"))
	s := e.scheduler()
	var digests, nudges int
	for now := mustTime("2024-03-24T00:00:00Z"); now.Before(start); now = now.Add(30 * time.Minute) {
		e.clock.Set(now)
		must(s.Tick(ctx))
		calls := e.rec.take()
		digests += len(only(calls, "digest"))
		nudges += len(only(calls, "audience:pending"))
	}
	// 24, 25, 26, 27 and 28/03 08:00 local: the last is the start itself, not before it.
	if digests != 4 || nudges != 1 {
		t.Fatalf("digests %d (want 4), nudges %d (want 1)", digests, nudges)
	}
}

func TestMovedMeetingRecomputed(t *testing.T) {
	rule := convene.ReminderRule{Key: "b24", Kind: convene.RuleBefore, Before: 24 * time.Hour, Audience: convene.AudienceAll}
	e := newEnv(t, plan("Asia/Ho_Chi_Minh", start, rule), mustTime("2024-03-26T00:00:00Z"))
	s := e.scheduler()
	must(s.Tick(ctx))
	// Moved two days later before the reminder was due.
	_, err := storage.NewPlanService(e.db).ApplyPlan(ctx, plan("Asia/Ho_Chi_Minh", start.Add(48*time.Hour), rule))
	must(err)
	e.clock.Set(start.Add(-24 * time.Hour))
	must(s.Tick(ctx))
	if got := only(e.rec.take(), "audience:all"); len(got) != 0 {
		t.Fatalf("fired at the old time: %v", got)
	}
	e.clock.Set(start.Add(24 * time.Hour))
	must(s.Tick(ctx))
	if got := only(e.rec.take(), "audience:all"); len(got) != 1 {
		t.Fatalf("did not fire at the new time: %v", got)
	}
}

func TestDaylightSaving(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	t.Run("SkippedHour", func(t *testing.T) {
		// 02:30 does not exist on 10/03/2024 in New York (02:00 → 03:00).
		mstart := time.Date(2024, 3, 12, 9, 0, 0, 0, ny).UTC()
		p := plan("America/New_York", mstart, convene.ReminderRule{Key: "c", Kind: convene.RuleCron, Cron: "30 2 * * *", Audience: convene.AudienceAll})
		e := newEnv(t, p, time.Date(2024, 3, 9, 0, 0, 0, 0, ny).UTC())
		s := e.scheduler()
		must(s.Tick(ctx))
		e.rec.take() // the first tick catches up 08/03
		var fired []string
		for now := time.Date(2024, 3, 9, 0, 0, 0, 0, ny); now.Before(time.Date(2024, 3, 11, 12, 0, 0, 0, ny)); now = now.Add(10 * time.Minute) {
			e.clock.Set(now.UTC())
			must(s.Tick(ctx))
			if len(only(e.rec.take(), "audience:all")) > 0 {
				fired = append(fired, now.In(ny).Format("02 15:04 MST"))
			}
		}
		if fmt.Sprint(fired) != "[09 02:30 EST 11 02:30 EDT]" {
			t.Fatalf("fired %v: the skipped day should simply not fire", fired)
		}
	})
	t.Run("RepeatedHour", func(t *testing.T) {
		// 01:30 happens twice on 03/11/2024 in New York (02:00 EDT → 01:00 EST).
		mstart := time.Date(2024, 11, 5, 9, 0, 0, 0, ny).UTC()
		p := plan("America/New_York", mstart, convene.ReminderRule{Key: "c", Kind: convene.RuleCron, Cron: "30 1 * * *", Audience: convene.AudienceAll})
		from := time.Date(2024, 11, 3, 0, 0, 0, 0, ny)
		e := newEnv(t, p, from.UTC())
		s := e.scheduler()
		must(s.Tick(ctx))
		e.rec.take() // the first tick catches up 02/11
		n := 0
		for now := from; now.Before(from.Add(5 * time.Hour)); now = now.Add(5 * time.Minute) {
			e.clock.Set(now.UTC())
			must(s.Tick(ctx))
			n += len(only(e.rec.take(), "audience:all"))
		}
		if n != 1 {
			t.Fatalf("the repeated 01:30 fired %d times, want once", n)
		}
	})
}
