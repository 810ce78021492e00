package plan

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/convene/convene"
)

// reminders converts a meeting's reminder rules; m's times must be set.
func (b *builder) reminders(name string, mline int, m *convene.Meeting, loc *time.Location, frs []fileReminder) ([]convene.ReminderRule, error) {
	rules := make([]convene.ReminderRule, 0, len(frs))
	seen := map[string]int{}
	for i := range frs {
		fr := &frs[i]
		at := line(mline, fr.Before, fr.Cron, fr.At, fr.Audience, fr.From, fr.Until)
		r, err := reminder(m, loc, fr)
		if err != nil {
			return nil, b.errf(at, "%s: reminder %d: %v", name, i+1, err)
		}
		if first, ok := seen[r.Key]; ok {
			return nil, b.errf(at, "%s: reminder %d: same as reminder %d (%s)", name, i+1, first, r.Key)
		}
		seen[r.Key] = i + 1
		rules = append(rules, r)
	}
	return rules, nil
}

// reminder converts one rule and builds its Key: "before:24h0m0s:all",
// "cron:0 8 * * *:pending" or "at:2024-03-27T01:00:00Z:all".
func reminder(m *convene.Meeting, loc *time.Location, fr *fileReminder) (convene.ReminderRule, error) {
	r := convene.ReminderRule{Audience: convene.AudienceAll}
	var kinds []string
	for _, k := range []struct {
		name string
		s    scalar
	}{{"before", fr.Before}, {"cron", fr.Cron}, {"at", fr.At}} {
		if k.s.Set {
			kinds = append(kinds, k.name)
		}
	}
	switch len(kinds) {
	case 0:
		return r, fmt.Errorf("give one of before, cron or at")
	case 1:
	default:
		return r, fmt.Errorf("give only one of before, cron or at, not %s", strings.Join(kinds, " and "))
	}
	if fr.Audience.Set {
		r.Audience = convene.Audience(strings.TrimSpace(fr.Audience.Value))
		if !convene.ValidAudience(r.Audience) {
			return r, fmt.Errorf("audience %q must be all, attending, pending, declined or checked-in", fr.Audience.Value)
		}
	}
	var spec string
	var err error
	switch {
	case fr.Before.Set:
		r.Kind = convene.RuleBefore
		if r.Before, err = ParseDuration(fr.Before.Value); err != nil {
			return r, fmt.Errorf("before %q: %v", fr.Before.Value, err)
		}
		if r.Before <= 0 {
			return r, fmt.Errorf("before %q: must be more than zero", fr.Before.Value)
		}
		spec = r.Before.String()
	case fr.Cron.Set:
		r.Kind = convene.RuleCron
		r.Cron = strings.Join(strings.Fields(fr.Cron.Value), " ")
		if err := checkCron(r.Cron); err != nil {
			return r, fmt.Errorf("cron %q: %v", fr.Cron.Value, err)
		}
		spec = r.Cron
	case fr.At.Set:
		r.Kind = convene.RuleAt
		if r.At, err = ParseTime(fr.At.Value, loc); err != nil {
			return r, fmt.Errorf("at %q: %v", fr.At.Value, err)
		}
		spec = r.At.Format(time.RFC3339)
	}
	if fr.From.Set || fr.Until.Set {
		if r.Kind != convene.RuleCron {
			return r, fmt.Errorf("from and until bound cron rules only")
		}
		if r.From, err = bound(m, loc, "from", fr.From); err != nil {
			return r, err
		}
		if r.Until, err = bound(m, loc, "until", fr.Until); err != nil {
			return r, err
		}
		if !r.From.IsZero() && !r.Until.IsZero() && !r.Until.After(r.From) {
			return r, fmt.Errorf("until must be after from")
		}
	}
	r.Key = fmt.Sprintf("%s:%s:%s", r.Kind, spec, r.Audience)
	if err := r.Validate(); err != nil {
		return r, errors.New(convene.ErrorMessage(err))
	}
	return r, nil
}

// bound reads a rule's from or until: a time, or the words rsvp_deadline or starts_at.
func bound(m *convene.Meeting, loc *time.Location, key string, s scalar) (time.Time, error) {
	if !s.Set {
		return time.Time{}, nil
	}
	switch strings.TrimSpace(s.Value) {
	case "rsvp_deadline":
		return m.Deadline(), nil
	case "starts_at":
		return m.StartsAt, nil
	}
	t, err := ParseTime(s.Value, loc)
	if err != nil {
		return t, fmt.Errorf("%s %q: %v (or the words rsvp_deadline or starts_at)", key, s.Value, err)
	}
	return t, nil
}

// checkCron validates a cron spec with the parser the scheduler uses. The
// time zone is the meeting's, so a spec may not name its own.
func checkCron(spec string) error {
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return fmt.Errorf("the meeting's time zone applies; remove the TZ= prefix")
	}
	if _, err := cron.ParseStandard(spec); err != nil {
		return fmt.Errorf("want five fields: minute hour day-of-month month day-of-week (%v)", err)
	}
	return nil
}
