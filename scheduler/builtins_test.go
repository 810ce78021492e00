package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/scheduler"
)

// feedbackPlan is chi-bo-01 with feedback opening an hour after the end and closing three days later.
func feedbackPlan() *convene.Plan {
	p := plan("Asia/Ho_Chi_Minh", start)
	p.Meetings[0].Meeting.Feedback = convene.FeedbackSettings{OpenDelay: time.Hour, Period: 3 * 24 * time.Hour}
	return p
}

func TestBuiltIns(t *testing.T) {
	t.Parallel()
	end := mustTime("2024-03-28T04:30:00Z")
	t.Run("EndAndFeedback", func(t *testing.T) {
		e := newEnv(t, feedbackPlan(), mustTime("2024-03-25T00:00:00Z"))
		inv := e.invitees(e.meeting("chi-bo-01").ID)[0]
		_, err := e.config().Invitations.SetRSVP(ctx, inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "test"})
		must(err)
		s := e.scheduler()
		e.tickAt(s, end.Add(-time.Minute))
		if m := e.meeting("chi-bo-01"); m.Status != convene.StatusInvited {
			t.Fatalf("before the end: %s", m.Status)
		}
		e.tickAt(s, end)
		if m := e.meeting("chi-bo-01"); m.Status != convene.StatusHeld || !m.FeedbackOpenedAt.IsZero() {
			t.Fatalf("at the end: status %s, feedback opened %v", m.Status, m.FeedbackOpenedAt)
		}
		if got := e.invitees(inv.MeetingID)[0].Attendance; got != convene.AttendanceAbsent {
			t.Fatalf("an attending invitee never checked in is %q, want absent", got)
		}
		e.tickAt(s, end.Add(59*time.Minute))
		if got := e.rec.take("feedback-open"); len(got) != 0 {
			t.Fatalf("feedback opened before the delay: %v", got)
		}
		opened := end.Add(time.Hour)
		e.tickAt(s, opened)
		if got := e.rec.take("feedback-open"); len(got) != 1 || e.queued("feedback-open") != 1 || !e.meeting("chi-bo-01").FeedbackOpenedAt.Equal(opened) {
			t.Fatalf("feedback open: %v, opened at %v", got, e.meeting("chi-bo-01").FeedbackOpenedAt)
		}
		e.tickAt(s, opened.Add(24*time.Hour-time.Minute))
		if got := e.rec.take("feedback-nudge"); len(got) != 0 {
			t.Fatal("nudged before 24 h")
		}
		e.tickAt(s, opened.Add(24*time.Hour))
		e.tickAt(s, opened.Add(25*time.Hour))
		e.tickAt(e.scheduler(), opened.Add(26*time.Hour))
		if got := e.rec.take("feedback-nudge"); len(got) != 1 {
			t.Fatalf("feedback nudges %v, want one", got)
		}
		e.tickAt(s, opened.Add(3*24*time.Hour-time.Minute))
		if m := e.meeting("chi-bo-01"); m.Status != convene.StatusHeld {
			t.Fatalf("closed early: %s", m.Status)
		}
		e.tickAt(s, opened.Add(3*24*time.Hour))
		if m := e.meeting("chi-bo-01"); m.Status != convene.StatusClosed || !m.FeedbackClosedAt.Equal(opened.Add(3*24*time.Hour)) {
			t.Fatalf("after 3 days: %s, closed at %v", m.Status, m.FeedbackClosedAt)
		}
		if got := e.rec.take(""); len(got) != 0 {
			t.Fatalf("more calls: %v", got)
		}
	})
	t.Run("FeedbackOpenedEarlyByOrganizer", func(t *testing.T) {
		e := newEnv(t, feedbackPlan(), end.Add(-time.Hour))
		s := e.scheduler()
		e.tickAt(s, end.Add(-time.Hour))
		early := end.Add(-10 * time.Minute)
		e.clock.Set(early)
		_, err := e.config().Meetings.UpdateMeeting(ctx, e.meeting("chi-bo-01").ID, convene.MeetingUpdate{FeedbackOpenedAt: &early})
		must(err)
		e.tickAt(s, end.Add(2*time.Hour))
		if got := e.rec.take("feedback-open"); len(got) != 0 {
			t.Fatalf("feedback requested again: %v", got)
		}
		e.tickAt(s, early.Add(24*time.Hour))
		if got := e.rec.take("feedback-nudge"); len(got) != 1 {
			t.Fatalf("nudge 24 h after the early opening: %v", got)
		}
	})
	t.Run("EndJobsRunLateAfterDowntime", func(t *testing.T) {
		e := newEnv(t, feedbackPlan(), mustTime("2024-03-25T00:00:00Z"))
		late := end.Add(10 * 24 * time.Hour) // down far longer than the catch-up window
		e.tickAt(e.scheduler(), late)
		m := e.meeting("chi-bo-01")
		if m.Status != convene.StatusHeld || !m.FeedbackOpenedAt.Equal(late) || len(e.rec.take("feedback-open")) != 1 {
			t.Fatalf("after downtime: status %s, feedback opened %v", m.Status, m.FeedbackOpenedAt)
		}
	})
	t.Run("StateChangeAppliedAgainAfterFailure", func(t *testing.T) {
		e := newEnv(t, feedbackPlan(), end.Add(-time.Hour))
		cfg := e.config()
		flaky := &flakyMeetings{MeetingService: cfg.Meetings, failures: 1}
		cfg.Meetings = flaky
		s := scheduler.New(cfg)
		e.tickAt(s, end)
		if m := e.meeting("chi-bo-01"); m.Status != convene.StatusInvited || e.lastFiring("chi-bo-01", "end", 0) == nil {
			t.Fatalf("setup: the update should have failed after the firing was recorded (status %s)", m.Status)
		}
		e.tickAt(s, end.Add(time.Minute))
		if m := e.meeting("chi-bo-01"); m.Status != convene.StatusHeld {
			t.Fatalf("the end's state change was not applied again: %s", m.Status)
		}
	})
}

// flakyMeetings fails UpdateMeeting the first failures times.
type flakyMeetings struct {
	convene.MeetingService
	mu       sync.Mutex
	failures int
}

func (f *flakyMeetings) UpdateMeeting(ctx context.Context, id int64, upd convene.MeetingUpdate) (*convene.Meeting, error) {
	f.mu.Lock()
	fail := f.failures > 0
	f.failures--
	f.mu.Unlock()
	if fail {
		return nil, errors.New("database is locked")
	}
	return f.MeetingService.UpdateMeeting(ctx, id, upd)
}

func TestDigestAndNudge(t *testing.T) {
	t.Parallel()
	e := newEnv(t, plan("Asia/Ho_Chi_Minh", start), mustTime("2024-03-24T00:00:00Z"))
	s := e.scheduler()
	loc := e.meeting("chi-bo-01").Location()
	var digests, nudges []string
	for now := mustTime("2024-03-24T00:00:00Z"); now.Before(start.Add(time.Hour)); now = now.Add(time.Hour) {
		e.tickAt(s, now)
		local := now.In(loc).Format("02/01 15:04")
		for _, c := range e.rec.take("") {
			switch c[:5] {
			case "diges":
				digests = append(digests, local)
			case "audie":
				nudges = append(nudges, local)
			}
		}
	}
	// Daily at 08:00 local before the start (28/03 08:00 is the start itself);
	// the nudge 24 h before the 17:00 deadline on 26/03.
	if got, want := fmt.Sprint(digests), "[24/03 08:00 25/03 08:00 26/03 08:00 27/03 08:00]"; got != want {
		t.Fatalf("digests at %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(nudges), "[25/03 17:00]"; got != want {
		t.Fatalf("nudges at %s, want %s", got, want)
	}
}
