package storage_test

import (
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestPersonService(t *testing.T) {
	t.Run("CreateFindUpdate", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ps := storage.NewPersonService(db)
		p := &convene.Person{FullName: "Nguyễn Thị Hồng Nhung", Unit: "Văn phòng Đảng ủy", Phone: "+84901234567"}
		if err := ps.CreatePerson(ctx(), p); err != nil || p.ID == 0 || p.Role != convene.RoleDelegate {
			t.Fatalf("create: %+v %v", p, err)
		}
		if got, err := ps.FindPersonByPhone(ctx(), "+84901234567"); err != nil || got.ID != p.ID {
			t.Fatalf("by phone: %v", err)
		}
		if _, err := ps.FindPersonByPhone(ctx(), "+84900000000"); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown phone: %v", err)
		}
		if got, _ := ps.FindPeople(ctx(), "HONG nhung"); len(got) != 1 {
			t.Fatal("accent-insensitive search failed")
		}
		role := convene.RoleOrganizer
		if got, err := ps.UpdatePerson(ctx(), p.ID, convene.PersonUpdate{Role: &role}); err != nil || got.Role != role {
			t.Fatalf("update: %+v %v", got, err)
		}
		bad := convene.Role("king")
		if _, err := ps.UpdatePerson(ctx(), p.ID, convene.PersonUpdate{Role: &bad}); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("bad role: %v", err)
		}
		if err := ps.CreatePerson(ctx(), &convene.Person{FullName: "X", Phone: "0901"}); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("non-E.164 phone: %v", err)
		}
	})

	t.Run("TouchAccountRefreshes", func(t *testing.T) {
		db, c := MustOpenDB(t)
		ps := storage.NewPersonService(db)
		a := mustAccount(t, db, "55", 0)
		_ = ps.SetAccountReachable(ctx(), a.ID, false)
		c.Add(time.Hour)
		b, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "telegram", UserID: "55", ChatID: "55", Name: "New Name"})
		if err != nil || b.ID != a.ID || !b.Reachable || b.Name != "New Name" || !b.LastSeenAt.Equal(c.Now()) {
			t.Fatalf("touch: %+v %v", b, err)
		}
		if _, err := ps.FindAccount(ctx(), "telegram", "56"); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown account: %v", err)
		}
		if err := ps.SetAccountLang(ctx(), a.ID, "en"); err != nil {
			t.Fatal(err)
		}
		if got, _ := ps.FindAccountByID(ctx(), a.ID); got.Lang != "en" {
			t.Fatal("lang not saved")
		}
		if err := ps.SetAccountLang(ctx(), a.ID, "fr"); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatal("unknown language accepted")
		}
	})

	t.Run("LinkFirstAccountWins", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		ps := storage.NewPersonService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		first := mustAccount(t, db, "1", an.PersonID)
		second := mustAccount(t, db, "2", 0)
		if err := ps.LinkAccount(ctx(), second.ID, an.PersonID); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("second account: %v", err)
		}
		if err := ps.LinkAccount(ctx(), first.ID, an.PersonID); err != nil {
			t.Fatalf("relinking the same pair: %v", err)
		}
		binh := MustInvitee(t, db, m.ID, "Bình")
		if err := ps.LinkAccount(ctx(), first.ID, binh.PersonID); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("account moved to another person: %v", err)
		}
		accs, _ := ps.FindAccountsByPerson(ctx(), an.PersonID)
		if len(accs) != 1 || accs[0].ID != first.ID {
			t.Fatalf("accounts: %+v", accs)
		}
		orgs, _ := ps.FindOrganizerAccounts(ctx())
		if len(orgs) != 1 || orgs[0].ID != first.ID {
			t.Fatalf("organizer accounts: %+v", orgs)
		}
	})
}

func TestFeedbackService(t *testing.T) {
	submit := func(t *testing.T, fs *storage.FeedbackService, m *convene.Meeting, pid int64, s string, rating int) {
		t.Helper()
		if err := fs.SubmitFeedback(ctx(), &convene.Feedback{MeetingID: m.ID, PersonID: pid, Answers: map[string]string{"strengths": s}, Rating: rating}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("ResubmissionReplaces", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		fs := storage.NewFeedbackService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		submit(t, fs, m, an.PersonID, "Lần một", 3)
		submit(t, fs, m, an.PersonID, "Lần hai", 5)
		got, _ := fs.FindFeedback(ctx(), m.ID)
		if len(got) != 1 || got[0].Answers["strengths"] != "Lần hai" || got[0].Rating != 5 || got[0].PersonID != an.PersonID {
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

	t.Run("AnonymousFeedbackHasNoNames", func(t *testing.T) {
		db, c := MustOpenDB(t)
		p := seedPlan()
		p.Meetings[0].Meeting.Feedback.Anonymous = true
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		_, _ = storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", seedRoster())
		m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		fs := storage.NewFeedbackService(db)
		an, binh := MustInvitee(t, db, m.ID, "Văn An"), MustInvitee(t, db, m.ID, "Bình")
		submit(t, fs, m, an.PersonID, "A1", 4)
		submit(t, fs, m, binh.PersonID, "B1", 2)
		submit(t, fs, m, an.PersonID, "A2", 5)
		got, _ := fs.FindFeedback(ctx(), m.ID)
		if len(got) != 2 {
			t.Fatalf("%d answers, want 2 (resubmission must replace)", len(got))
		}
		for _, f := range got {
			if f.PersonID != 0 {
				t.Fatalf("anonymous answer names person %d", f.PersonID)
			}
			if f.Answers["strengths"] == "A1" {
				t.Fatal("earlier anonymous answer kept")
			}
		}
		if ids, _ := fs.FeedbackResponders(ctx(), m.ID); len(ids) != 2 {
			t.Fatalf("responders %v", ids)
		}
		t.Run("ClosedFeedbackRefused", func(t *testing.T) {
			now := c.Now()
			if _, err := storage.NewMeetingService(db).UpdateMeeting(ctx(), m.ID, convene.MeetingUpdate{FeedbackClosedAt: &now}); err != nil {
				t.Fatal(err)
			}
			err := fs.SubmitFeedback(ctx(), &convene.Feedback{MeetingID: m.ID, PersonID: an.PersonID, Answers: map[string]string{}})
			if convene.ErrorCode(err) != convene.EEXPIRED {
				t.Fatalf("err = %v", err)
			}
		})
	})

	t.Run("BadRating", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		err := storage.NewFeedbackService(db).SubmitFeedback(ctx(), &convene.Feedback{MeetingID: m.ID, PersonID: 1, Rating: 6})
		if convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestMeetingService(t *testing.T) {
	db, c := MustOpenDB(t)
	m := MustSeed(t, db)
	ms := storage.NewMeetingService(db)
	if _, err := ms.FindMeetingByCode(ctx(), "none"); convene.ErrorCode(err) != convene.ENOTFOUND {
		t.Fatal(err)
	}
	if got, err := ms.FindMeetingByID(ctx(), m.ID); err != nil || got.Code != "chi-bo-01" {
		t.Fatal(err)
	}
	st := convene.StatusInvited
	now := c.Now()
	got, err := ms.UpdateMeeting(ctx(), m.ID, convene.MeetingUpdate{Status: &st, FeedbackOpenedAt: &now})
	if err != nil || got.Status != st || !got.FeedbackOpenedAt.Equal(now) {
		t.Fatalf("update: %+v %v", got, err)
	}
	bad := convene.MeetingStatus("gone")
	if _, err := ms.UpdateMeeting(ctx(), m.ID, convene.MeetingUpdate{Status: &bad}); convene.ErrorCode(err) != convene.EINVALID {
		t.Fatal("bad status accepted")
	}
	if ms, _ := ms.FindMeetings(ctx(), convene.MeetingFilter{Status: &st}); len(ms) != 1 {
		t.Fatal("filter by status")
	}
	if ms, _ := ms.FindMeetings(ctx(), convene.MeetingFilter{EndsAfter: m.End().Add(time.Minute)}); len(ms) != 0 {
		t.Fatal("filter by end")
	}
}

func TestProactiveMessagesGoToLastUsedChannel(t *testing.T) {
	db, c := MustOpenDB(t)
	m := MustSeed(t, db)
	ps := storage.NewPersonService(db)
	an := MustInvitee(t, db, m.ID, "Văn An")
	tg := mustAccount(t, db, "1", an.PersonID)
	c.Add(time.Hour)
	z, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "zalo", UserID: "z1", ChatID: "z1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ps.LinkAccount(ctx(), z.ID, an.PersonID); err != nil {
		t.Fatalf("a second channel must link: %v", err)
	}
	if got := MustInvitee(t, db, m.ID, "Văn An").Account(); got.Channel != "zalo" {
		t.Fatalf("last used is zalo, got %s", got.Channel)
	}
	c.Add(time.Hour)
	if _, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "telegram", UserID: "1", ChatID: "1", Name: tg.Name}); err != nil {
		t.Fatal(err)
	}
	if got := MustInvitee(t, db, m.ID, "Văn An").Account(); got.Channel != "telegram" {
		t.Fatalf("last used is telegram again, got %s", got.Channel)
	}
	_ = ps.SetAccountReachable(ctx(), tg.ID, false)
	if got := MustInvitee(t, db, m.ID, "Văn An").Account(); got.Channel != "zalo" {
		t.Fatalf("an unreachable account must be skipped, got %s", got.Channel)
	}
}
