package scheduler_test

import (
	"bytes"
	"context"
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

var (
	ctx   = context.Background()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	// start is 08:00 28/03/2024 in Asia/Ho_Chi_Minh; the meeting ends at 11:30
	// and answers close at 17:00 on 26/03.
	start    = mustTime("2024-03-28T01:00:00Z")
	deadline = mustTime("2024-03-26T10:00:00Z")
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	must(err)
	return t
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// clock is the controlled time of storage and scheduler alike.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// recorder is a Messenger that returns one message per call, keyed as
// asked, and remembers the calls as "kind key". It stands in for the bot's
// message builders, which are tested end to end in package bot. fail, if
// set, may fail (or panic in) a call.
type recorder struct {
	mu    sync.Mutex
	calls []string
	wakes int
	acc   *convene.Account
	fail  func(kind, key string) error
}

func (r *recorder) msg(kind, key string) ([]*convene.OutboxMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(kind, key); err != nil {
			return nil, err
		}
	}
	r.calls = append(r.calls, kind+" "+key)
	return []*convene.OutboxMessage{{AccountID: r.acc.ID, Channel: r.acc.Channel, ChatID: r.acc.ChatID,
		Key: key, Batch: kind, Content: convene.Content{Text: kind}}}, nil
}

func (r *recorder) AudienceMessages(_ context.Context, m *convene.Meeting, a convene.Audience, key string) ([]*convene.OutboxMessage, error) {
	return r.msg("audience:"+string(a), key)
}
func (r *recorder) DigestMessages(_ context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	return r.msg("digest", key)
}
func (r *recorder) FeedbackRequestMessages(_ context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	return r.msg("feedback-open", key)
}
func (r *recorder) FeedbackNudgeMessages(_ context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	return r.msg("feedback-nudge", key)
}
func (r *recorder) Wake() { r.mu.Lock(); defer r.mu.Unlock(); r.wakes++ }

// take returns the calls of the given kind prefix since the last take, sorted, and forgets all calls.
func (r *recorder) take(prefix string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	r.calls = nil
	sort.Strings(out)
	return out
}

// meeting is a meeting of the plan in tz starting at start (an instant).
func meeting(code, tz string, start time.Time, rules ...convene.ReminderRule) convene.PlanMeeting {
	return convene.PlanMeeting{
		Meeting: convene.Meeting{Code: code, Title: "Sinh hoạt chi bộ mẫu " + code, Timezone: tz, StartsAt: start,
			EndsAt: start.Add(3*time.Hour + 30*time.Minute), RSVPDeadline: start.Add(-39 * time.Hour)},
		Categories: []convene.Category{{Code: "dang-vien", Name: "Đảng viên"}},
		Reminders:  rules,
	}
}

// plan is the plan of meeting chi-bo-01.
func plan(tz string, start time.Time, rules ...convene.ReminderRule) *convene.Plan {
	return &convene.Plan{Meetings: []convene.PlanMeeting{meeting("chi-bo-01", tz, start, rules...)}}
}

// env is a real database with the plan applied, one invitee per meeting and
// a chat account that the recorder addresses.
type env struct {
	db    *storage.DB
	clock *clock
	rec   *recorder
	log   *syncBuffer
}

// newEnv applies p at now, invites one person to each meeting and issues
// the invitations (status invited) at now.
func newEnv(t *testing.T, p *convene.Plan, now time.Time) *env {
	t.Helper()
	e := newDraftEnv(t, p, now)
	for _, pm := range p.Meetings {
		e.issue(pm.Meeting.Code)
	}
	return e
}

// newDraftEnv applies p at now and invites one person to each meeting, issuing nothing.
func newDraftEnv(t *testing.T, p *convene.Plan, now time.Time) *env {
	t.Helper()
	c := &clock{t: now}
	db := storage.NewDB(filepath.Join(t.TempDir(), "s.db"))
	db.Now = c.Now
	must(db.Open())
	t.Cleanup(func() { db.Close() })
	pl := storage.NewPlanService(db)
	_, err := pl.ApplyPlan(ctx, p)
	must(err)
	for _, pm := range p.Meetings {
		_, err := pl.ImportRoster(ctx, pm.Meeting.Code, []convene.RosterEntry{{Row: 2, FullName: "Nguyễn Văn An", Category: "dang-vien"}})
		must(err)
	}
	acc, err := storage.NewPersonService(db).TouchAccount(ctx, &convene.Account{Channel: "telegram", UserID: "1", ChatID: "1"})
	must(err)
	return &env{db: db, clock: c, rec: &recorder{acc: acc}, log: &syncBuffer{}}
}

// issue issues the meeting's invitations now and sets it invited, as the bot does.
func (e *env) issue(code string) {
	m := e.meeting(code)
	invs := e.invitees(m.ID)
	var ids []int64
	for _, inv := range invs {
		ids = append(ids, inv.ID)
	}
	must(storage.NewInvitationService(e.db).IssueInvitations(ctx, m.ID, ids, nil))
	st := convene.StatusInvited
	_, err := storage.NewMeetingService(e.db).UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{Status: &st})
	must(err)
}

func (e *env) meeting(code string) *convene.Meeting {
	m, err := storage.NewMeetingService(e.db).FindMeetingByCode(ctx, code)
	must(err)
	return m
}

func (e *env) invitees(meetingID int64) []*convene.Invitee {
	invs, _, err := storage.NewInvitationService(e.db).FindInvitees(ctx, convene.InvitationFilter{MeetingID: meetingID})
	must(err)
	return invs
}

// lastFiring returns the meeting's latest firing of job and rule, nil if none.
func (e *env) lastFiring(code, job string, rule int64) *convene.Firing {
	f, err := storage.NewReminderService(e.db).LastFiring(ctx, job, e.meeting(code).ID, rule)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		return nil
	}
	must(err)
	return f
}

// queued counts the outbox messages of a batch (the recorder's kind).
func (e *env) queued(batch string) int {
	st, err := storage.NewOutboxService(e.db).BatchStats(ctx, batch)
	must(err)
	return st.Queued
}

// config is the scheduler's configuration on e, with a 3-day catch-up window.
func (e *env) config() scheduler.Config {
	return scheduler.Config{
		Meetings: storage.NewMeetingService(e.db), Reminders: storage.NewReminderService(e.db),
		Invitations: storage.NewInvitationService(e.db), Messenger: e.rec, Now: e.clock.Now,
		CatchUpWindow: 3 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

func (e *env) scheduler() *scheduler.Scheduler { return scheduler.New(e.config()) }

// tickAt sets the clock to now and ticks s.
func (e *env) tickAt(s *scheduler.Scheduler, now time.Time) {
	e.clock.Set(now)
	must(s.Tick(ctx))
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func before(d time.Duration, a convene.Audience) convene.ReminderRule {
	return convene.ReminderRule{Key: "before:" + d.String(), Kind: convene.RuleBefore, Before: d, Audience: a}
}

func cronRule(spec string, a convene.Audience, until time.Time) convene.ReminderRule {
	return convene.ReminderRule{Key: "cron:" + spec, Kind: convene.RuleCron, Cron: spec, Audience: a, Until: until}
}

// rule returns the id of the meeting's rule with key.
func (e *env) rule(code, key string) int64 {
	rs, err := storage.NewReminderService(e.db).FindReminderRules(ctx, e.meeting(code).ID)
	must(err)
	for _, r := range rs {
		if r.Key == key {
			return r.ID
		}
	}
	panic("no rule " + key)
}
