package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/convene/convene"
	"github.com/robfig/cron/v3"
)

// job is one schedulable thing of a meeting: a reminder rule or a built-in.
type job struct {
	name string // the Firing's Job
	rule int64  // the reminder rule's id, 0 for a built-in
	due  dueFunc
	// late jobs run however late they are; the others look back only to the
	// previous tick (or the catch-up window after a start).
	late bool
	// skip returns why a firing scheduled for t is no longer worth doing
	// now, "" if it is; nil: always worth doing.
	skip func(ctx context.Context, t, now time.Time) (string, error)
	// fire builds the messages recorded with the firing; nil: none.
	fire func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error)
	// apply makes the job's state change after its firing is recorded,
	// giving the firing time; it must be idempotent: it is applied again on
	// a later tick while applied reports false (after an error or a crash).
	apply   func(ctx context.Context, when time.Time) error
	applied func() bool
}

// Notes of skipped firings.
const (
	noteStarted     = "meeting already started"
	noteNotInvited  = "invitations not issued"
	noteIssuedLater = "scheduled before the invitations were issued"
	noteWindow      = "rule window closed"
	noteDeadline    = "answers already closed"
	noteFbClosed    = "feedback closed"
)

// jobs lists the meeting's reminder rules and built-in jobs. If the rules
// cannot be loaded it returns the built-ins and the error.
func (s *Scheduler) jobs(ctx context.Context, m *convene.Meeting) ([]job, error) {
	js, err := s.reminderJobs(ctx, m)
	js = append(js, s.builtIns(m)...)
	return js, err
}

// reminderJobs lists the meeting's reminder rules as jobs.
func (s *Scheduler) reminderJobs(ctx context.Context, m *convene.Meeting) ([]job, error) {
	rules, err := s.cfg.Reminders.FindReminderRules(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var js []job
	for _, r := range rules {
		j := job{name: "reminder", rule: r.ID, skip: s.beforeStart(m)}
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
			j.due = every(sched, m.Location(), r.From, until)
			j.skip = s.beforeStart(m, func(now time.Time) string {
				if !now.Before(until) {
					return noteWindow
				}
				return ""
			})
		default:
			s.cfg.Logger.Error("unknown reminder rule kind", "meeting", m.Code, "rule", r.Key, "kind", r.Kind)
			continue
		}
		j.fire = func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
			return s.cfg.Messenger.AudienceMessages(ctx, m, r.Audience, fmt.Sprintf("reminder:%d:%d", r.ID, t.Unix()))
		}
		js = append(js, j)
	}
	return js, nil
}

// builtIns lists the meeting's built-in jobs: the RSVP nudge, the daily
// digest, the end, and the opening, nudge and closing of feedback.
func (s *Scheduler) builtIns(m *convene.Meeting) []job {
	open := func() bool { return m.Status == convene.StatusDraft || m.Status == convene.StatusInvited }
	js := []job{
		{name: "nudge", due: at(m.Deadline().Add(-s.cfg.NudgeBefore)),
			skip: s.beforeStart(m, func(now time.Time) string {
				if !now.Before(m.Deadline()) {
					return noteDeadline
				}
				return ""
			}),
			fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
				return s.cfg.Messenger.AudienceMessages(ctx, m, convene.AudiencePending, fmt.Sprintf("nudge:%d:%d", m.ID, t.Unix()))
			}},
		{name: "digest", due: every(s.digest, m.Location(), m.CreatedAt, m.StartsAt), skip: s.beforeStart(m),
			fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
				return s.cfg.Messenger.DigestMessages(ctx, m, fmt.Sprintf("digest:%d:%d", m.ID, t.Unix()))
			}},
		{name: "end", due: at(m.End()), late: true,
			apply: func(ctx context.Context, when time.Time) error {
				n, err := s.cfg.Invitations.MarkAbsentees(ctx, m.ID)
				if err != nil {
					return fmt.Errorf("mark absentees: %w", err)
				}
				if open() {
					st := convene.StatusHeld
					if _, err := s.cfg.Meetings.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{Status: &st}); err != nil {
						return err
					}
				}
				s.cfg.Logger.Info("meeting ended", "meeting", m.Code, "attendance_set", n)
				return nil
			},
			applied: func() bool { return !open() }},
	}
	if un, ok := s.cfg.Messenger.(UnitNudger); ok {
		// Once a day, with the digest, representatives of units short of
		// delegates before their nomination deadline.
		js = append(js, job{name: "unit-nudge", due: every(s.digest, m.Location(), m.CreatedAt, m.StartsAt), skip: s.beforeStart(m),
			fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
				return un.UnitNudgeMessages(ctx, m, t, fmt.Sprintf("unit-nudge:%d:%d", m.ID, t.Unix()))
			}})
	}
	if m.FeedbackOpenedAt.IsZero() {
		// Not yet opened (by an organizer or by this job).
		return append(js, job{name: "feedback-open", due: at(m.End().Add(m.Feedback.OpenDelay)), late: true,
			fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
				return s.cfg.Messenger.FeedbackRequestMessages(ctx, m, fmt.Sprintf("feedback-open:%d", m.ID))
			},
			apply: func(ctx context.Context, when time.Time) error {
				_, err := s.cfg.Meetings.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{FeedbackOpenedAt: &when})
				return err
			},
			applied: func() bool { return false }})
	}
	closeAt := m.FeedbackOpenedAt.Add(m.Feedback.ClosePeriod())
	return append(js,
		job{name: "feedback-nudge", due: at(m.FeedbackOpenedAt.Add(s.cfg.FeedbackNudgeAfter)), late: true,
			skip: func(ctx context.Context, t, now time.Time) (string, error) {
				if !now.Before(closeAt) || (!m.FeedbackClosedAt.IsZero() && !now.Before(m.FeedbackClosedAt)) {
					return noteFbClosed, nil
				}
				return "", nil
			},
			fire: func(ctx context.Context, t time.Time) ([]*convene.OutboxMessage, error) {
				return s.cfg.Messenger.FeedbackNudgeMessages(ctx, m, fmt.Sprintf("feedback-nudge:%d", m.ID))
			}},
		job{name: "feedback-close", due: at(closeAt), late: true,
			apply: func(ctx context.Context, when time.Time) error {
				st := convene.StatusClosed
				upd := convene.MeetingUpdate{Status: &st}
				if m.FeedbackClosedAt.IsZero() {
					upd.FeedbackClosedAt = &when
				}
				_, err := s.cfg.Meetings.UpdateMeeting(ctx, m.ID, upd)
				return err
			},
			applied: func() bool { return m.Status == convene.StatusClosed }},
	)
}

// beforeStart returns the skip rule of reminders, the nudge and the digest:
// a firing is worth doing while the meeting, invited, has not started and
// its first invitation was issued by the scheduled time; more may add
// reasons of their own.
func (s *Scheduler) beforeStart(m *convene.Meeting, more ...func(now time.Time) string) func(ctx context.Context, t, now time.Time) (string, error) {
	return func(ctx context.Context, t, now time.Time) (string, error) {
		if !now.Before(m.StartsAt) {
			return noteStarted, nil
		}
		for _, f := range more {
			if why := f(now); why != "" {
				return why, nil
			}
		}
		switch m.Status {
		case convene.StatusInvited:
		case convene.StatusDraft:
			return noteNotInvited, nil
		default:
			return "meeting is " + string(m.Status), nil
		}
		first, err := s.firstIssued(ctx, m)
		switch {
		case err != nil:
			return "", err
		case first.IsZero():
			return noteNotInvited, nil
		case t.Before(first):
			return noteIssuedLater, nil
		}
		return "", nil
	}
}

// firstIssued returns when the meeting's first invitation was issued, zero if none was.
func (s *Scheduler) firstIssued(ctx context.Context, m *convene.Meeting) (time.Time, error) {
	issued := true
	invs, _, err := s.cfg.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, Issued: &issued})
	if err != nil {
		return time.Time{}, fmt.Errorf("find issued invitations: %w", err)
	}
	var first time.Time
	for _, inv := range invs {
		if !inv.IssuedAt.IsZero() && (first.IsZero() || inv.IssuedAt.Before(first)) {
			first = inv.IssuedAt
		}
	}
	return first, nil
}
