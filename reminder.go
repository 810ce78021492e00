package convene

import (
	"context"
	"time"
)

// Audience is who a reminder or broadcast goes to.
type Audience string

// Audiences.
const (
	AudienceAll       Audience = "all"
	AudienceAttending Audience = "attending"
	AudiencePending   Audience = "pending"
	AudienceDeclined  Audience = "declined"
	AudienceCheckedIn Audience = "checked-in"
)

// ValidAudience reports whether a is a known audience.
func ValidAudience(a Audience) bool {
	switch a {
	case AudienceAll, AudienceAttending, AudiencePending, AudienceDeclined, AudienceCheckedIn:
		return true
	}
	return false
}

// RuleKind is how a reminder rule is scheduled.
type RuleKind string

// Rule kinds.
const (
	RuleBefore RuleKind = "before" // a duration before the start
	RuleCron   RuleKind = "cron"   // a cron spec in the meeting's time zone
	RuleAt     RuleKind = "at"     // an absolute time
)

// ReminderRule is when a meeting's reminder goes out, and to whom.
type ReminderRule struct {
	ID        int64
	MeetingID int64
	// Key identifies the rule within its meeting across re-applied plans, e.g. "before:24h:all".
	Key      string
	Kind     RuleKind
	Before   time.Duration
	Cron     string
	At       time.Time
	Audience Audience
	// From and Until bound when a cron rule may fire; zero: unbounded (but never after the start).
	From  time.Time
	Until time.Time
}

// Validate returns EINVALID for a rule whose kind and fields disagree or whose audience is unknown.
func (r *ReminderRule) Validate() error {
	switch r.Kind {
	case RuleBefore:
		if r.Before <= 0 {
			return Errorf(EINVALID, "reminder: before must be positive")
		}
	case RuleCron:
		if r.Cron == "" {
			return Errorf(EINVALID, "reminder: cron spec required")
		}
	case RuleAt:
		if r.At.IsZero() {
			return Errorf(EINVALID, "reminder: at time required")
		}
	default:
		return Errorf(EINVALID, "reminder: kind must be before, cron or at")
	}
	if !ValidAudience(r.Audience) {
		return Errorf(EINVALID, "reminder: unknown audience %q", r.Audience)
	}
	return nil
}

// Firing is one recorded run of a scheduled job; (RuleKey, ScheduledFor) is unique.
type Firing struct {
	ID int64
	// Rule is the reminder rule id, 0 for a built-in job.
	Rule int64
	// Job names the job: "reminder" for rules, else the built-in ("nudge", "digest", "feedback-open", …).
	Job          string
	MeetingID    int64
	ScheduledFor time.Time
	FiredAt      time.Time
	// Status is "sent" or "skipped".
	Status string
	Note   string
	Count  int
}

// ReminderService reads reminder rules and records firings.
type ReminderService interface {
	// FindReminderRules returns a meeting's rules; all meetings' if meetingID is 0.
	FindReminderRules(ctx context.Context, meetingID int64) ([]*ReminderRule, error)
	// RecordFiring stores f and enqueues msgs in one transaction. Returns
	// ECONFLICT, storing and sending nothing, if the job already fired for
	// that scheduled time (also from another process).
	RecordFiring(ctx context.Context, f *Firing, msgs []*OutboxMessage) error
	// LastFiring returns the latest firing of a job for a meeting and rule, or ENOTFOUND.
	LastFiring(ctx context.Context, job string, meetingID, rule int64) (*Firing, error)
}
