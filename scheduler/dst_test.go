package scheduler_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/convene/convene"
)

// TestDaylightSaving pins down cron rules across daylight saving changes in
// America/New_York (see the doc comment of every in schedule.go).
func TestDaylightSaving(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	must(err)
	// fired ticks every step from from to to and returns when the rule fired, local.
	fired := func(e *env, from, to time.Time, step time.Duration) []string {
		s := e.scheduler()
		var out []string
		for now := from; now.Before(to); now = now.Add(step) {
			e.tickAt(s, now.UTC())
			for range e.rec.take("audience:all") {
				out = append(out, now.In(ny).Format("02 15:04 MST"))
			}
		}
		return out
	}
	t.Run("SkippedHourSkipsTheDay", func(t *testing.T) {
		// 02:30 does not exist on 10/03/2024 (01:59 EST → 03:00 EDT).
		p := plan("America/New_York", time.Date(2024, 3, 12, 9, 0, 0, 0, ny).UTC(), cronRule("30 2 * * *", convene.AudienceAll, time.Time{}))
		from := time.Date(2024, 3, 9, 0, 0, 0, 0, ny)
		e := newEnv(t, p, from.UTC())
		got := fired(e, from, time.Date(2024, 3, 11, 6, 0, 0, 0, ny), 30*time.Minute)
		if fmt.Sprint(got) != "[09 02:30 EST 11 02:30 EDT]" {
			t.Fatalf("fired %v: on 10/03 it should not fire at all, nor late", got)
		}
	})
	t.Run("RepeatedHourFiresOnce", func(t *testing.T) {
		// 01:30 happens twice on 03/11/2024 (01:59 EDT → 01:00 EST): 05:30 and 06:30 UTC.
		p := plan("America/New_York", time.Date(2024, 11, 5, 9, 0, 0, 0, ny).UTC(), cronRule("30 1 * * *", convene.AudienceAll, time.Time{}))
		from := time.Date(2024, 11, 3, 0, 0, 0, 0, ny)
		e := newEnv(t, p, from.UTC())
		got := fired(e, from, from.Add(3*time.Hour), 5*time.Minute)
		if fmt.Sprint(got) != "[03 01:30 EDT]" {
			t.Fatalf("fired %v, want once at the first 01:30", got)
		}
		// A process restarted during the second 01:30 finds the first one recorded.
		e.tickAt(e.scheduler(), time.Date(2024, 11, 3, 1, 45, 0, 0, ny).Add(time.Hour).UTC())
		if got := e.rec.take("audience:all"); len(got) != 0 {
			t.Fatalf("a restarted scheduler fired again in the repeated hour: %v", got)
		}
		f := e.lastFiring("chi-bo-01", "reminder", e.rule("chi-bo-01", "cron:30 1 * * *"))
		if want := mustTime("2024-11-03T05:30:00Z"); !f.ScheduledFor.Equal(want) {
			t.Fatalf("latest firing for %v, want only %v (the second 01:30 is not recorded)", f.ScheduledFor, want)
		}
	})
	t.Run("HourlyRuleFiresInBothCopiesOfTheHour", func(t *testing.T) {
		p := plan("America/New_York", time.Date(2024, 11, 5, 9, 0, 0, 0, ny).UTC(), cronRule("0 * * * *", convene.AudienceAll, time.Time{}))
		from := time.Date(2024, 11, 3, 0, 30, 0, 0, ny)
		e := newEnv(t, p, from.UTC())
		got := fired(e, from, from.Add(3*time.Hour), 10*time.Minute)
		if fmt.Sprint(got) != "[03 01:00 EDT 03 01:00 EST 03 02:00 EST]" {
			t.Fatalf("fired %v: an hourly rule fires every real hour", got)
		}
	})
}
