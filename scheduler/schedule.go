package scheduler

import (
	"time"

	"github.com/robfig/cron/v3"
)

// dueFunc returns the latest scheduled time in (after, now], zero if none,
// and how many earlier scheduled times in that span it passes over.
type dueFunc func(after, now time.Time) (latest time.Time, passed int)

// at is the due function of one fixed time.
func at(t time.Time) dueFunc {
	return func(after, now time.Time) (time.Time, int) {
		if t.IsZero() || !t.After(after) || t.After(now) {
			return time.Time{}, 0
		}
		return t, 0
	}
}

// every is the due function of a cron schedule evaluated in loc, firing
// within [from, until); a zero bound is open.
//
// Daylight saving, as robfig/cron v3 behaves and as tested in America/New_York:
//   - A time inside the hour skipped when clocks go forward does not exist, and
//     robfig/cron moves on to the next match: "30 2 * * *" does not fire at all
//     on 10/03/2024 (01:59 EST is followed by 03:00 EDT), nor does "0 2 * * *";
//     it fires again at 02:30 EDT the next day. Nothing is sent late for it.
//   - A time inside the hour repeated when clocks go back matches twice:
//     "30 1 * * *" matches at 01:30 EDT and again at 01:30 EST on 03/11/2024,
//     two instants an hour apart. The firing record is unique per instant, so
//     it alone would not stop the second; every therefore drops the second
//     occurrence of a wall-clock time, unless the schedule runs in every hour
//     ("0 * * * *", "*/20 * * * *"): such a schedule is about elapsed time and
//     fires in both copies of the hour, as robfig/cron does.
func every(sched cron.Schedule, loc *time.Location, from, until time.Time) dueFunc {
	once := namesHours(sched)
	return func(after, now time.Time) (time.Time, int) {
		start := after
		if !from.IsZero() && from.Add(-time.Second).After(start) {
			start = from.Add(-time.Second) // Next is strictly after its argument
		}
		end := now
		if !until.IsZero() && !until.After(end) {
			end = until.Add(-time.Nanosecond)
		}
		var latest time.Time
		n := 0
		// Next returns the zero time for a spec that never matches ("0 0 30 2 *").
		for t := sched.Next(start.In(loc)); !t.IsZero() && !t.After(end); t = sched.Next(t) {
			if once && repeated(t, loc) {
				continue
			}
			latest = t.UTC()
			n++
		}
		return latest, max(n-1, 0)
	}
}

// namesHours reports whether a schedule fires only in some hours of the day
// (a wall-clock time such as 08:00), so that the second pass of a repeated
// hour must not fire it again. Constant-delay schedules (@every) count
// elapsed time and are not affected by daylight saving.
func namesHours(sched cron.Schedule) bool {
	spec, ok := sched.(*cron.SpecSchedule)
	if !ok {
		return false
	}
	const allHours = 1<<24 - 1
	return spec.Hour&allHours != allHours
}

// repeated reports whether t is the second occurrence of its wall-clock time
// in loc, inside the hour (or half hour) repeated when daylight saving ends.
func repeated(t time.Time, loc *time.Location) bool {
	const wall = "2006-01-02 15:04:05"
	w := t.In(loc).Format(wall)
	for _, d := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if t.Add(-d).In(loc).Format(wall) == w {
			return true
		}
	}
	return false
}
