package storage_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// TestDraftsLeaveNoTrace proves secure_delete: once a feedback draft (a
// conversation row) is edited, cancelled or submitted, the text it held
// is not in the bytes of the database file or its WAL.
func TestDraftsLeaveNoTrace(t *testing.T) {
	// onDisk checkpoints the WAL into the file and reports whether secret is in either.
	onDisk := func(t *testing.T, db *storage.DB, secret string) bool {
		t.Helper()
		var busy, logged, moved int
		if err := rawDB(t, db).QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &moved); err != nil || busy != 0 {
			t.Fatalf("checkpoint: busy %d, %v", busy, err)
		}
		found := false
		for _, path := range []string{db.DSN, db.DSN + "-wal"} {
			b, err := os.ReadFile(path)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			found = found || bytes.Contains(b, []byte(secret))
		}
		return found
	}
	draft := func(t *testing.T, cs *storage.ConversationService, accountID int64, answer string) {
		t.Helper()
		c := &convene.Conversation{AccountID: accountID, Flow: "feedback", Step: "1",
			Data: map[string]string{"meeting": "1", "a.strengths": answer}}
		if err := cs.SaveConversation(ctx(), c); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("CancelledDraft", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		MustSeed(t, db)
		cs := storage.NewConversationService(db)
		const secret = "nhap-bi-mat-CANCEL-7f3a9c1e"
		draft(t, cs, 77, secret)
		if !onDisk(t, db, secret) {
			t.Fatal("the draft was never on disk; the test proves nothing")
		}
		if err := cs.DeleteConversation(ctx(), 77); err != nil {
			t.Fatal(err)
		}
		if onDisk(t, db, secret) {
			t.Fatal("a cancelled draft is still readable in the database file")
		}
	})
	t.Run("EditedThenSubmittedDraft", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := seedPlan()
		p.Meetings[0].Meeting.Feedback.Anonymous = true
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		if _, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", seedRoster()); err != nil {
			t.Fatal(err)
		}
		m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		an := MustInvitee(t, db, m.ID, "Văn An")
		cs := storage.NewConversationService(db)
		const first, final = "nhap-dau-FIRST-91c0d2aa", "y-kien-cuoi-FINAL-5b7e"
		draft(t, cs, 78, first)
		onDisk(t, db, first)
		draft(t, cs, 78, final)
		if err := storage.NewFeedbackService(db).SubmitFeedback(ctx(), &convene.Feedback{MeetingID: m.ID, PersonID: an.PersonID,
			Answers: map[string]string{"strengths": final}}); err != nil {
			t.Fatal(err)
		}
		if err := cs.DeleteConversation(ctx(), 78); err != nil {
			t.Fatal(err)
		}
		if onDisk(t, db, first) {
			t.Fatal("an edited-away draft answer is still readable in the database file")
		}
		// The submitted answer itself is kept, without a person.
		if !onDisk(t, db, final) {
			t.Fatal("the submitted answer is missing")
		}
		var named int
		_ = rawDB(t, db).QueryRow(`SELECT COUNT(*) FROM feedback WHERE person_id <> 0`).Scan(&named)
		if named != 0 {
			t.Fatalf("%d anonymous answers carry a person id", named)
		}
	})
}
