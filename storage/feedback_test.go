package storage_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestFeedbackService(t *testing.T) {
	submit := func(t *testing.T, fs *storage.FeedbackService, m *convene.Meeting, pid int64, s string, rating int) *convene.Feedback {
		t.Helper()
		f := &convene.Feedback{MeetingID: m.ID, PersonID: pid, Answers: map[string]string{"strengths": s}, Rating: rating}
		if err := fs.SubmitFeedback(ctx(), f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	anonymousMeeting := func(t *testing.T, db *storage.DB) *convene.Meeting {
		t.Helper()
		p := seedPlan()
		p.Meetings[0].Meeting.Feedback.Anonymous = true
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		if _, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", seedRoster()); err != nil {
			t.Fatal(err)
		}
		m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		return m
	}

	t.Run("ResubmissionReplaces", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		fs := storage.NewFeedbackService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		submit(t, fs, m, an.PersonID, "Lần một", 3)
		c.Add(time.Minute)
		f := submit(t, fs, m, an.PersonID, "Lần hai", 5)
		if f.ID == 0 || !f.SubmittedAt.Equal(c.Now()) {
			t.Fatalf("submitted: %+v", f)
		}
		got, _ := fs.FindFeedback(ctx(), m.ID)
		if len(got) != 1 || got[0].Answers["strengths"] != "Lần hai" || got[0].Rating != 5 || got[0].PersonID != an.PersonID || !got[0].SubmittedAt.Equal(c.Now()) {
			t.Fatalf("feedback: %+v", got)
		}
		ids, _ := fs.FeedbackResponders(ctx(), m.ID)
		if len(ids) != 1 || ids[0] != an.PersonID {
			t.Fatalf("responders: %v", ids)
		}
		if st, _ := storage.NewInvitationService(db).MeetingStats(ctx(), m.ID); st.Total.Feedback != 1 {
			t.Fatalf("stats feedback = %d", st.Total.Feedback)
		}
	})

	// FindPersonFeedback gives a person back what they sent, with when, in a
	// named meeting and in an anonymous one while it is open; nothing once
	// the anonymous answers were unlinked at closing.
	t.Run("FindPersonFeedback", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		fs := storage.NewFeedbackService(db)
		an, binh := MustInvitee(t, db, m.ID, "Văn An"), MustInvitee(t, db, m.ID, "Bình")
		if _, err := fs.FindPersonFeedback(ctx(), m.ID, an.PersonID); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("before sending: %v", err)
		}
		submit(t, fs, m, binh.PersonID, "B", 2)
		c.Add(time.Minute)
		submit(t, fs, m, an.PersonID, "A", 4)
		got, err := fs.FindPersonFeedback(ctx(), m.ID, an.PersonID)
		if err != nil || got.Answers["strengths"] != "A" || got.Rating != 4 || !got.SubmittedAt.Equal(c.Now()) {
			t.Fatalf("named: %+v %v", got, err)
		}

		db2, c2 := MustOpenDB(t)
		am := anonymousMeeting(t, db2)
		fs2 := storage.NewFeedbackService(db2)
		an2, binh2 := MustInvitee(t, db2, am.ID, "Văn An"), MustInvitee(t, db2, am.ID, "Bình")
		submit(t, fs2, am, binh2.PersonID, "B", 2)
		c2.Add(time.Hour)
		submit(t, fs2, am, an2.PersonID, "A", 5)
		got, err = fs2.FindPersonFeedback(ctx(), am.ID, an2.PersonID)
		if err != nil || got.Answers["strengths"] != "A" || got.Rating != 5 || !got.SubmittedAt.Equal(c2.Now()) {
			t.Fatalf("anonymous: %+v %v", got, err)
		}
		now := c2.Now()
		if _, err := storage.NewMeetingService(db2).UpdateMeeting(ctx(), am.ID, convene.MeetingUpdate{FeedbackClosedAt: &now}); err != nil {
			t.Fatal(err)
		}
		if _, err := fs2.FindPersonFeedback(ctx(), am.ID, an2.PersonID); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("anonymous after closing: %v", err)
		}
	})

	t.Run("FindFeedbackInSubmissionOrder", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		fs := storage.NewFeedbackService(db)
		b, a := MustInvitee(t, db, m.ID, "Bình"), MustInvitee(t, db, m.ID, "Văn An")
		submit(t, fs, m, b.PersonID, "B", 4)
		c.Add(time.Minute)
		submit(t, fs, m, a.PersonID, "A", 2)
		got, _ := fs.FindFeedback(ctx(), m.ID)
		if len(got) != 2 || got[0].PersonID != b.PersonID || got[1].PersonID != a.PersonID {
			t.Fatalf("order: %+v", got)
		}
		if _, err := fs.FindFeedback(ctx(), 999); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown meeting: %v", err)
		}
	})

	t.Run("AnonymousFeedbackHasNoNames", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := anonymousMeeting(t, db)
		fs := storage.NewFeedbackService(db)
		an, binh := MustInvitee(t, db, m.ID, "Văn An"), MustInvitee(t, db, m.ID, "Bình")
		submit(t, fs, m, an.PersonID, "A1", 4)
		submit(t, fs, m, binh.PersonID, "B1", 2)
		submit(t, fs, m, an.PersonID, "A2", 5)
		got, _ := fs.FindFeedback(ctx(), m.ID)
		if len(got) != 2 {
			t.Fatalf("%d answers, want 2 (resubmission must replace)", len(got))
		}
		answers := map[string]bool{}
		for _, f := range got {
			if f.PersonID != 0 {
				t.Fatalf("anonymous answer names person %d", f.PersonID)
			}
			answers[f.Answers["strengths"]] = true
		}
		if !answers["A2"] || !answers["B1"] {
			t.Fatalf("answers %v, want A2 and B1", answers)
		}
		if ids, _ := fs.FeedbackResponders(ctx(), m.ID); len(ids) != 2 {
			t.Fatalf("responders %v", ids)
		}
		// Nothing stored with the answers points at a person: no person id,
		// and neither their ids nor their times follow the responders'.
		raw := rawDB(t, db)
		var named, exact int
		mustCount(t, raw, &named, `SELECT COUNT(*) FROM feedback WHERE person_id <> 0`)
		mustCount(t, raw, &exact, `SELECT COUNT(*) FROM feedback f JOIN feedback_responders r ON r.submitted_at = f.submitted_at`)
		if named != 0 || exact != 0 {
			t.Fatalf("%d answers with a person id, %d with a responder's exact time", named, exact)
		}
	})

	t.Run("ClosingForgetsAnonymousLinks", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := anonymousMeeting(t, db)
		fs := storage.NewFeedbackService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		submit(t, fs, m, an.PersonID, "A1", 4)
		raw := rawDB(t, db)
		var keyed int
		mustCount(t, raw, &keyed, `SELECT COUNT(*) FROM feedback f JOIN feedback_responders r ON r.answer_key = f.answer_key AND f.answer_key <> ''`)
		if keyed != 1 {
			t.Fatalf("while open the answer is keyed to its responder (%d), so it can be replaced", keyed)
		}
		now := c.Now()
		if _, err := storage.NewMeetingService(db).UpdateMeeting(ctx(), m.ID, convene.MeetingUpdate{FeedbackClosedAt: &now}); err != nil {
			t.Fatal(err)
		}
		mustCount(t, raw, &keyed, `SELECT COUNT(*) FROM feedback WHERE answer_key <> ''`)
		var rkeyed int
		mustCount(t, raw, &rkeyed, `SELECT COUNT(*) FROM feedback_responders WHERE answer_key <> ''`)
		if keyed+rkeyed != 0 {
			t.Fatalf("keys left after closing: %d answers, %d responders", keyed, rkeyed)
		}
		if got, _ := fs.FindFeedback(ctx(), m.ID); len(got) != 1 {
			t.Fatal("closing lost the answer")
		}
	})

	t.Run("TurningAnonymousHidesEarlierNames", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		fs := storage.NewFeedbackService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		submit(t, fs, m, an.PersonID, "named", 3)
		p := seedPlan()
		p.Meetings[0].Meeting.Feedback.Anonymous = true
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		got, _ := fs.FindFeedback(ctx(), m.ID)
		if len(got) != 1 || got[0].PersonID != 0 {
			t.Fatalf("after turning anonymous: %+v", got)
		}
		submit(t, fs, m, an.PersonID, "anonymous", 4)
		if got, _ := fs.FindFeedback(ctx(), m.ID); len(got) != 1 || got[0].Answers["strengths"] != "anonymous" {
			t.Fatalf("resubmission after turning anonymous: %+v", got)
		}
	})

	t.Run("ClosedFeedbackRefused", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		fs := storage.NewFeedbackService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		closes := c.Now().Add(time.Hour)
		if _, err := storage.NewMeetingService(db).UpdateMeeting(ctx(), m.ID, convene.MeetingUpdate{FeedbackClosedAt: &closes}); err != nil {
			t.Fatal(err)
		}
		submit(t, fs, m, an.PersonID, "in time", 4)
		c.Set(closes)
		err := fs.SubmitFeedback(ctx(), &convene.Feedback{MeetingID: m.ID, PersonID: an.PersonID, Answers: map[string]string{"strengths": "late"}})
		if convene.ErrorCode(err) != convene.EEXPIRED {
			t.Fatalf("err = %v", err)
		}
		if got, _ := fs.FindFeedback(ctx(), m.ID); len(got) != 1 || got[0].Answers["strengths"] != "in time" {
			t.Fatalf("a late submission changed the answer: %+v", got)
		}
	})

	t.Run("InvalidFeedbackRefused", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		fs := storage.NewFeedbackService(db)
		for name, f := range map[string]*convene.Feedback{
			"BadRating":      {MeetingID: m.ID, PersonID: 1, Rating: 6},
			"NoPerson":       {MeetingID: m.ID, Rating: 3},
			"NoMeeting":      {PersonID: 1, Rating: 3},
			"UnknownMeeting": {MeetingID: 999, PersonID: 1},
		} {
			want := convene.EINVALID
			if name == "UnknownMeeting" {
				want = convene.ENOTFOUND
			}
			if err := fs.SubmitFeedback(ctx(), f); convene.ErrorCode(err) != want {
				t.Errorf("%s: %v, want %s", name, err, want)
			}
		}
	})
}

// rawDB opens the database file directly, to check what is stored.
func rawDB(t *testing.T, db *storage.DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// mustCount scans the single number query returns into n, failing the test
// on an error (a misspelt column must not read as a count of zero).
func mustCount(t *testing.T, raw *sql.DB, n *int, query string) {
	t.Helper()
	if err := raw.QueryRow(query).Scan(n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
