// Package scheduler fires a meeting's reminder rules and built-in jobs on
// time: robfig/cron (with its Recover chain) ticks every minute, and each
// tick works out from the database what is due — so a re-applied plan or a
// moved meeting is picked up on the next tick, and what fell due while the
// bot was down is caught up on the first one.
//
// Every firing is recorded with its messages in one transaction, unique by
// (job, meeting, rule, scheduled time): nothing fires twice, even with two
// processes on one database. After downtime only the latest missed firing
// of a rule is sent, and only while still useful (the meeting has not
// started and the rule's window is open); otherwise it is recorded as
// skipped and logged.
//
// Cron rules are evaluated in the meeting's time zone by robfig/cron's
// schedule. In a zone with daylight saving, a time inside the hour skipped
// when clocks go forward does not exist and that day's firing is skipped
// (robfig/cron moves on to the next matching time); a time inside the hour
// repeated when clocks go back fires once, at its first occurrence: robfig/cron
// matches it twice, and the second occurrence is dropped here.
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
type Messenger interface {
	AudienceMessages(ctx context.Context, m *convene.Meeting, a convene.Audience, key string) ([]*convene.OutboxMessage, error)
	DigestMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error)
	FeedbackRequestMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error)
	FeedbackNudgeMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error)
	// Wake tells the dispatcher that messages were queued.
	Wake()
}

// Config holds the scheduler's collaborators and settings.
type Config struct {
	Meetings    convene.MeetingService
	Reminders   convene.ReminderService
	Invitations convene.InvitationService
	Messenger   Messenger
	Logger      *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// DigestSpec is when organizers get the daily digest, in each meeting's zone; default "0 8 * * *".
	DigestSpec string
	// NudgeBefore is how long before the RSVP deadline non-responders are nudged; default 24h.
	NudgeBefore time.Duration
	// CatchUpWindow is how far back the first tick looks for missed firings; default 7 days.
	CatchUpWindow time.Duration
	// FeedbackNudgeAfter is how long after feedback opens non-submitters are nudged; default 24h.
	FeedbackNudgeAfter time.Duration
}

// Scheduler runs reminders and built-in jobs.
type Scheduler struct {
	cfg    Config
	digest cron.Schedule

	mu   sync.Mutex
	last time.Time // the previous tick's time
}

// New returns a scheduler; Run starts it.
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
	return &Scheduler{cfg: cfg, digest: digest}
}

// cronLogger adapts slog to cron.Logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// Run ticks once at once (catching up after downtime), then every minute
// until ctx ends; it waits for a running tick before returning.
func (s *Scheduler) Run(ctx context.Context) error {
	logger := cronLogger{s.cfg.Logger}
	c := cron.New(cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)), cron.WithLogger(logger))
	tick := func() {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("scheduler tick", "err", err)
		}
	}
	if _, err := c.AddFunc("* * * * *", tick); err != nil {
		return err
	}
	tick()
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// Tick handles everything due now. Each meeting and each job is handled on
// its own: one failure is logged and never stops the others.
func (s *Scheduler) Tick(ctx context.Context) error {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	since := s.last
	if since.IsZero() {
		since = now.Add(-s.cfg.CatchUpWindow)
	}
	s.last = now
	s.mu.Unlock()

	meetings, err := s.cfg.Meetings.FindMeetings(ctx, convene.MeetingFilter{})
	if err != nil {
		return fmt.Errorf("load meetings: %w", err)
	}
	for _, m := range meetings {
		if m.Status == convene.StatusClosed {
			continue
		}
		for _, job := range s.jobs(ctx, m) {
			if err := s.run(ctx, m, job, since, now); err != nil {
				s.cfg.Logger.Error("scheduled job failed", "meeting", m.Code, "job", job.name, "rule", job.rule, "err", err)
			}
		}
	}
	return nil
}

// job is one schedulable thing of a meeting.
type job struct {
	name string
	rule int64
	// due returns the latest scheduled time in (since, now], zero if none,
	// and how many earlier ones in that span were passed over.
	due func(since, now time.Time) (time.Time, int)
	// useful reports whether a firing at t is still worth doing now.
	useful func(t, now time.Time) (bool, string)
	// fire does the job and returns its messages, recorded with the firing.
	fire func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error)
	// after runs once the firing is recorded (state changes that must not repeat).
	after func(ctx context.Context, now time.Time) error
}

// at is a due function for one fixed time.
func at(t time.Time) func(since, now time.Time) (time.Time, int) {
	return func(since, now time.Time) (time.Time, int) {
		if t.IsZero() || t.After(now) {
			return time.Time{}, 0
		}
		return t, 0
	}
}

// every is a due function for a cron schedule in loc, within [from, until).
func every(sched cron.Schedule, loc *time.Location, from, until time.Time) func(since, now time.Time) (time.Time, int) {
	return func(since, now time.Time) (time.Time, int) {
		start := since
		if !from.IsZero() && from.Add(-time.Second).After(start) {
			start = from.Add(-time.Second)
		}
		end := now
		if !until.IsZero() && until.Before(end) {
			end = until.Add(-time.Nanosecond)
		}
		var last time.Time
		passed := -1
		for t := sched.Next(start.In(loc)); !t.After(end); t = sched.Next(t) {
			if repeated(t, loc) {
				continue
			}
			last = t.UTC()
			passed++
		}
		return last, max(passed, 0)
	}
}

// repeated reports whether t is the second occurrence of its wall-clock
// time, in the hour repeated when daylight saving ends.
func repeated(t time.Time, loc *time.Location) bool {
	const wall = "2006-01-02 15:04"
	return t.Add(-time.Hour).In(loc).Format(wall) == t.In(loc).Format(wall)
}

// beforeStart is the usefulness rule of reminders: the meeting has not started.
func beforeStart(m *convene.Meeting) func(t, now time.Time) (bool, string) {
	return func(t, now time.Time) (bool, string) {
		if !now.Before(m.StartsAt) {
			return false, "meeting already started"
		}
		if m.Status != convene.StatusInvited {
			return false, "invitations not issued"
		}
		return true, ""
	}
}

func always(t, now time.Time) (bool, string) { return true, "" }

// jobs lists the meeting's rules and built-in jobs.
func (s *Scheduler) jobs(ctx context.Context, m *convene.Meeting) []job {
	var js []job
	rules, err := s.cfg.Reminders.FindReminderRules(ctx, m.ID)
	if err != nil {
		s.cfg.Logger.Error("load reminder rules", "meeting", m.Code, "err", err)
	}
	loc := m.Location()
	for _, r := range rules {
		r := r
		j := job{name: "reminder", rule: r.ID, useful: beforeStart(m)}
		switch r.Kind {
		case convene.RuleBefore:
			j.due = at(m.StartsAt.Add(-r.Before))
		case convene.RuleAt:
			j.due = at(r.At)
		case convene.RuleCron:
			sched, err := cron.ParseStandard(r.Cron)
			if err != nil {
				s.cfg.Logger.Error("bad cron rule", "meeting", m.Code, "rule", r.Key, "err", err)
				continue
			}
			until := r.Until
			if until.IsZero() || until.After(m.StartsAt) {
				until = m.StartsAt
			}
			j.due = every(sched, loc, r.From, until)
			j.useful = func(t, now time.Time) (bool, string) {
				if !now.Before(until) {
					return false, "rule window closed"
				}
				return beforeStart(m)(t, now)
			}
		default:
			continue
		}
		audience := r.Audience
		j.fire = func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
			return s.cfg.Messenger.AudienceMessages(ctx, m, audience, fmt.Sprintf("reminder:%d:%d", r.ID, t.Unix()))
		}
		js = append(js, j)
	}
	js = append(js,
		job{name: "nudge", due: at(m.Deadline().Add(-s.cfg.NudgeBefore)), useful: func(t, now time.Time) (bool, string) {
			if !now.Before(m.Deadline()) {
				return false, "answers already closed"
			}
			return beforeStart(m)(t, now)
		}, fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
			return s.cfg.Messenger.AudienceMessages(ctx, m, convene.AudiencePending, fmt.Sprintf("nudge:%d:%d", m.ID, t.Unix()))
		}},
		job{name: "digest", due: every(s.digest, loc, m.CreatedAt, m.StartsAt), useful: beforeStart(m),
			fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
				return s.cfg.Messenger.DigestMessages(ctx, m, fmt.Sprintf("digest:%d:%d", m.ID, t.Unix()))
			}},
		job{name: "end", due: at(m.End()), useful: always,
			fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) { return nil, nil },
			after: func(ctx context.Context, now time.Time) error {
				n, err := s.cfg.Invitations.MarkAbsentees(ctx, m.ID)
				if err != nil {
					return err
				}
				if m.Status == convene.StatusDraft || m.Status == convene.StatusInvited {
					st := convene.StatusHeld
					if _, err := s.cfg.Meetings.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{Status: &st}); err != nil {
						return err
					}
				}
				s.cfg.Logger.Info("meeting ended", "meeting", m.Code, "attendance_set", n)
				return nil
			}},
	)
	if m.FeedbackOpenedAt.IsZero() {
		js = append(js, job{name: "feedback-open", due: at(m.End().Add(m.Feedback.OpenDelay)), useful: always,
			fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
				return s.cfg.Messenger.FeedbackRequestMessages(ctx, m, fmt.Sprintf("feedback-open:%d", m.ID))
			},
			after: func(ctx context.Context, now time.Time) error {
				_, err := s.cfg.Meetings.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{FeedbackOpenedAt: &now})
				return err
			}})
	} else {
		closeAt := m.FeedbackOpenedAt.Add(m.Feedback.ClosePeriod())
		js = append(js,
			job{name: "feedback-nudge", due: at(m.FeedbackOpenedAt.Add(s.cfg.FeedbackNudgeAfter)),
				useful: func(t, now time.Time) (bool, string) {
					if !now.Before(closeAt) {
						return false, "feedback closed"
					}
					return true, ""
				},
				fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
					return s.cfg.Messenger.FeedbackNudgeMessages(ctx, m, fmt.Sprintf("feedback-nudge:%d", m.ID))
				}},
			job{name: "feedback-close", due: at(closeAt), useful: always,
				fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) { return nil, nil },
				after: func(ctx context.Context, now time.Time) error {
					st := convene.StatusClosed
					_, err := s.cfg.Meetings.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{FeedbackClosedAt: &now, Status: &st})
					return err
				}})
	}
	return js
}

// run fires job if it is due and was not fired for that time yet.
func (s *Scheduler) run(ctx context.Context, m *convene.Meeting, j job, since, now time.Time) error {
	log := s.cfg.Logger
	t, passed := j.due(since, now)
	if t.IsZero() {
		return nil
	}
	last, err := s.cfg.Reminders.LastFiring(ctx, j.name, m.ID, j.rule)
	switch {
	case err == nil && !t.After(last.ScheduledFor):
		return nil // fired (or skipped) already
	case err != nil && convene.ErrorCode(err) != convene.ENOTFOUND:
		return err
	}
	if passed > 0 {
		log.Info("missed firings passed over; only the latest counts", "meeting", m.Code, "job", j.name, "rule", j.rule, "passed", passed)
	}
	f := &convene.Firing{Job: j.name, Rule: j.rule, MeetingID: m.ID, ScheduledFor: t, Status: "sent"}
	var msgs []*convene.OutboxMessage
	if ok, why := j.useful(t, now); !ok {
		f.Status, f.Note = "skipped", why
	} else if msgs, err = j.fire(ctx, t); err != nil {
		return err
	}
	err = s.cfg.Reminders.RecordFiring(ctx, f, msgs)
	if convene.ErrorCode(err) == convene.ECONFLICT {
		log.Debug("already fired elsewhere", "meeting", m.Code, "job", j.name, "at", t)
		return nil
	} else if err != nil {
		return err
	}
	if f.Status == "skipped" {
		level := slog.LevelInfo
		if m.Status == convene.StatusDraft {
			level = slog.LevelDebug
		}
		log.Log(ctx, level, "firing skipped", "meeting", m.Code, "job", j.name, "rule", j.rule, "scheduled_for", t, "why", f.Note)
		return nil
	}
	if t.Before(now.Add(-2 * time.Minute)) {
		log.Info("missed firing caught up", "meeting", m.Code, "job", j.name, "rule", j.rule, "scheduled_for", t, "messages", len(msgs))
	}
	if j.after != nil {
		if err := j.after(ctx, now); err != nil {
			return err
		}
	}
	if len(msgs) > 0 {
		s.cfg.Messenger.Wake()
	}
	return nil
}
