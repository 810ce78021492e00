// Package scheduler fires meetings' reminder rules and built-in jobs on time.
//
// robfig/cron (with its Recover chain) ticks every minute, and each tick
// works out from the database what is due; nothing is kept in memory but the
// previous tick's time. So a re-applied plan or a moved meeting is picked up
// on the next tick without any call here: a moved meeting's "before" rules
// are computed from its new start, and a firing recorded for the old time
// does not block the new one (its scheduled time differs).
//
// Every firing is recorded with its messages in one transaction, unique by
// (job, meeting, rule, scheduled time): nothing fires twice, even with two
// processes on one database or after a restart.
//
// Reminders, the RSVP nudge and the digest are sent only if still useful:
// the meeting is invited, has not started, its invitations were issued by
// the scheduled time, and (for a cron rule) the rule's window is open. A tick
// looks back to the previous tick; the first tick after a start looks back
// CatchUpWindow, so what fell due while the process was down is caught up:
// only the latest missed firing of each rule is sent, never a burst, and a
// missed firing no longer useful is recorded as skipped and logged. The jobs
// about the meeting's end (end, feedback-open, feedback-nudge,
// feedback-close) run however late they are.
//
// See every for how cron rules behave across daylight saving changes.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/convene/convene"
	"github.com/robfig/cron/v3"
)

// Messenger builds the messages of scheduled jobs; *bot.Bot satisfies it.
// Each message's idempotency key starts with key.
type Messenger interface {
	AudienceMessages(ctx context.Context, m *convene.Meeting, a convene.Audience, key string) ([]*convene.OutboxMessage, error)
	DigestMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error)
	FeedbackRequestMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error)
	FeedbackNudgeMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error)
	// Wake tells the dispatcher that messages were queued.
	Wake()
}

// UnitNudger is a Messenger that also nudges the representatives of units
// short of delegates (*bot.Bot is); the scheduler runs that job daily, with
// the digest, when its Messenger is one.
type UnitNudger interface {
	// UnitNudgeMessages builds the nudges of the meeting's units short of
	// delegates whose nomination deadline is after at.
	UnitNudgeMessages(ctx context.Context, m *convene.Meeting, at time.Time, key string) ([]*convene.OutboxMessage, error)
}

// Config holds the scheduler's collaborators and settings. Meetings,
// Reminders, Invitations and Messenger are required.
type Config struct {
	Meetings    convene.MeetingService
	Reminders   convene.ReminderService
	Invitations convene.InvitationService
	Messenger   Messenger
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now is the clock; default time.Now. Storage should use the same one.
	Now func() time.Time
	// DigestSpec is when organizers get the daily digest, a cron spec in each
	// meeting's time zone; default "0 8 * * *".
	DigestSpec string
	// NudgeBefore is how long before the RSVP deadline non-responders are nudged; default 24h.
	NudgeBefore time.Duration
	// CatchUpWindow is how far back the first tick looks for missed firings; default 7 days.
	CatchUpWindow time.Duration
	// FeedbackNudgeAfter is how long after feedback opens non-submitters are nudged; default 24h.
	FeedbackNudgeAfter time.Duration
}

// Scheduler runs reminders and built-in jobs; Run drives it, Tick is one step.
type Scheduler struct {
	cfg    Config
	digest cron.Schedule

	mu   sync.Mutex
	last time.Time // the previous complete tick's time
	// retry keeps the look-back start of jobs whose last attempt failed, so
	// the next tick still finds their firing.
	retry map[jobKey]time.Time
}

// jobKey names one job of one meeting; rule 0 is a built-in.
type jobKey struct {
	meeting int64
	job     string
	rule    int64
}

// New returns a scheduler with cfg's defaults filled in. It panics if
// DigestSpec is not a valid cron spec.
func New(cfg Config) *Scheduler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DigestSpec == "" {
		cfg.DigestSpec = "0 8 * * *"
	}
	if cfg.NudgeBefore <= 0 {
		cfg.NudgeBefore = 24 * time.Hour
	}
	if cfg.CatchUpWindow <= 0 {
		cfg.CatchUpWindow = 7 * 24 * time.Hour
	}
	if cfg.FeedbackNudgeAfter <= 0 {
		cfg.FeedbackNudgeAfter = 24 * time.Hour
	}
	digest, err := cron.ParseStandard(cfg.DigestSpec)
	if err != nil {
		panic(fmt.Sprintf("scheduler: digest spec %q: %v", cfg.DigestSpec, err))
	}
	return &Scheduler{cfg: cfg, digest: digest, retry: map[jobKey]time.Time{}}
}

// cronLogger adapts slog to cron.Logger; cron's chatter goes to debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// Run ticks at once (the catch-up after downtime), then every minute until
// ctx ends; it then waits for a running tick and returns nil. A panicking
// tick is logged with its stack and does not stop the scheduler.
func (s *Scheduler) Run(ctx context.Context) error {
	logger := cronLogger{s.cfg.Logger}
	tick := cron.FuncJob(func() {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("scheduler tick", "err", err)
		}
	})
	c := cron.New(cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)), cron.WithLogger(logger))
	if _, err := c.AddJob("* * * * *", tick); err != nil {
		return err
	}
	cron.NewChain(cron.Recover(logger)).Then(tick).Run()
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// Tick handles everything due now. Each meeting and each job is handled on
// its own: a failure is logged, never stops the others, and is retried on
// the next tick. Returns an error only if the meetings cannot be loaded.
func (s *Scheduler) Tick(ctx context.Context) error {
	now := s.cfg.Now().UTC()
	floor := now.Add(-s.cfg.CatchUpWindow)
	s.mu.Lock()
	since := s.last
	s.mu.Unlock()
	if since.Before(floor) {
		since = floor
	}

	meetings, err := s.cfg.Meetings.FindMeetings(ctx, convene.MeetingFilter{})
	if err != nil {
		return fmt.Errorf("load meetings: %w", err) // s.last stays: the next tick looks back further
	}
	for _, m := range meetings {
		if m.Status == convene.StatusClosed {
			continue
		}
		rulesKey := jobKey{m.ID, "rules", 0}
		jobs, err := s.jobs(ctx, m)
		if err != nil {
			s.cfg.Logger.Error("load reminder rules", "meeting", m.Code, "err", err)
			s.failed(rulesKey, since)
		}
		for _, j := range jobs {
			key := jobKey{m.ID, j.name, j.rule}
			from := s.lookBack(since, floor, key)
			if j.name == "reminder" {
				from = s.lookBack(from, floor, rulesKey)
			}
			if err := s.run(ctx, m, j, from, now); err != nil {
				s.cfg.Logger.Error("scheduled job failed", "meeting", m.Code, "job", j.name, "rule", j.rule, "err", err)
				s.failed(key, from)
				continue
			}
			s.done(key)
		}
		if err == nil {
			s.done(rulesKey)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if now.After(s.last) {
		s.last = now
	}
	for k, t := range s.retry {
		if t.Before(floor) {
			delete(s.retry, k)
		}
	}
	return nil
}

// lookBack returns since, or the earlier look-back start kept for key after
// a failure, but never before floor.
func (s *Scheduler) lookBack(since, floor time.Time, key jobKey) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.retry[key]; ok && t.Before(since) {
		since = t
	}
	if since.Before(floor) {
		return floor
	}
	return since
}

// failed keeps from as key's look-back start until the job succeeds.
func (s *Scheduler) failed(key jobKey, from time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.retry[key]; !ok || from.Before(t) {
		s.retry[key] = from
	}
}

func (s *Scheduler) done(key jobKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.retry, key)
}
