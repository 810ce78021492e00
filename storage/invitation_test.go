package storage_test

import (
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func msg(acc *convene.Account, key string) *convene.OutboxMessage {
	return &convene.OutboxMessage{AccountID: acc.ID, Channel: acc.Channel, ChatID: acc.ChatID, Key: key, Content: convene.Content{Text: key}}
}

func mustAccount(t *testing.T, db *storage.DB, userID string, personID int64) *convene.Account {
	t.Helper()
	ps := storage.NewPersonService(db)
	a, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "telegram", UserID: userID, ChatID: userID, Name: "u" + userID})
	if err != nil {
		t.Fatal(err)
	}
	if personID != 0 {
		if err := ps.LinkAccount(ctx(), a.ID, personID); err != nil {
			t.Fatal(err)
		}
		a.PersonID = personID
	}
	return a
}

func TestInvitationService(t *testing.T) {
	t.Run("FindByTokenAndID", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		got, err := is.FindInvitationByToken(ctx(), inv.Token)
		if err != nil || got.ID != inv.ID || got.Person.FullName != "Nguyễn Văn An" || got.Category.Code != "dang-vien" {
			t.Fatalf("by token: %+v %v", got, err)
		}
		if _, err := is.FindInvitationByToken(ctx(), "AAAAAAAAAAAAAAAAAAAAAA"); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown token: %v", err)
		}
		if got, err := is.FindInvitationByID(ctx(), inv.ID); err != nil || got.Token != inv.Token {
			t.Fatalf("by id: %v", err)
		}
	})

	t.Run("FiltersAndPaging", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		mustAccount(t, db, "1", MustInvitee(t, db, m.ID, "Văn An").PersonID)
		cases := []struct {
			name string
			f    convene.InvitationFilter
			want int
		}{
			{"All", convene.InvitationFilter{MeetingID: m.ID}, 4},
			{"Category", convene.InvitationFilter{MeetingID: m.ID, Category: "dang-vien"}, 2},
			{"Unit", convene.InvitationFilter{MeetingID: m.ID, Unit: "chi bộ 01"}, 2},
			{"NameIgnoresAccents", convene.InvitationFilter{MeetingID: m.ID, Name: "cuong"}, 1},
			{"NameMatchesWordStarts", convene.InvitationFilter{MeetingID: m.ID, Name: "an"}, 1}, // An, not Trần
			{"NameMatchesSeveralWords", convene.InvitationFilter{MeetingID: m.ID, Name: "thi bi"}, 1},
			{"Linked", convene.InvitationFilter{MeetingID: m.ID, Linked: ptr(true)}, 1},
			{"NotLinked", convene.InvitationFilter{MeetingID: m.ID, Linked: ptr(false)}, 3},
			{"Pending", convene.InvitationFilter{MeetingID: m.ID, RSVP: []convene.RSVP{convene.RSVPPending}}, 4},
			{"Attending", convene.InvitationFilter{MeetingID: m.ID, RSVP: []convene.RSVP{convene.RSVPAttending}}, 0},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, total, err := is.FindInvitees(ctx(), tc.f)
				if err != nil || total != tc.want {
					t.Fatalf("got %d, want %d (%v)", total, tc.want, err)
				}
			})
		}
		page, total, _ := is.FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID, Offset: 2, Limit: 3})
		if total != 4 || len(page) != 2 {
			t.Fatalf("paging: total %d, page %d", total, len(page))
		}
		an, _, _ := is.FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID, Name: "Văn An"})
		if len(an) != 1 || len(an[0].Accounts) != 1 || an[0].Account() == nil {
			t.Fatal("accounts not attached")
		}
	})

	t.Run("SetRSVP", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		acc := mustAccount(t, db, "1", inv.PersonID)

		got, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "telegram:1"}, msg(acc, "k1"))
		if err != nil || got.RSVP != convene.RSVPAttending || !got.RespondedAt.Equal(c.Now()) {
			t.Fatalf("attend: %+v %v", got, err)
		}
		if n, _ := storage.NewOutboxService(db).QueueDepth(ctx()); n != 1 {
			t.Fatalf("message not enqueued with the answer: %d", n)
		}
		t.Run("ReplayedRSVPConflicts", func(t *testing.T) {
			_, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "telegram:1"}, msg(acc, "k2"))
			if convene.ErrorCode(err) != convene.ECONFLICT {
				t.Fatalf("err = %v", err)
			}
			if n, _ := storage.NewOutboxService(db).QueueDepth(ctx()); n != 1 {
				t.Fatal("a replayed answer enqueued a message")
			}
		})
		t.Run("DeclineIsExcused", func(t *testing.T) {
			got, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "Đi công tác", Actor: "telegram:1"})
			if err != nil || got.Attendance != convene.AttendanceExcused || got.Reason != "Đi công tác" {
				t.Fatalf("decline: %+v %v", got, err)
			}
			got, _ = is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "telegram:1"})
			if got.Attendance != convene.AttendanceNone || got.Reason != "" {
				t.Fatalf("attending again keeps excused: %+v", got)
			}
		})
		t.Run("SubstituteProposed", func(t *testing.T) {
			got, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: "Hồ Văn Phúc", SubstitutePhone: "+84987654321", Actor: "telegram:1"})
			if err != nil || got.SubstituteStatus != "proposed" {
				t.Fatalf("substitute: %+v %v", got, err)
			}
		})
		t.Run("AuditWritten", func(t *testing.T) {
			es, _ := storage.NewAuditService(db).FindAudit(ctx(), m.ID, 10)
			if len(es) < 3 || es[0].Action != "rsvp" || es[0].Actor != "telegram:1" {
				t.Fatalf("audit: %+v", es)
			}
		})
		t.Run("DeadlinePassed", func(t *testing.T) {
			c.Set(m.RSVPDeadline.Add(time.Minute))
			_, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "x", Actor: "telegram:1"})
			if convene.ErrorCode(err) != convene.EEXPIRED {
				t.Fatalf("err = %v", err)
			}
		})
	})

	t.Run("DecideSubstitute", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Bình")
		if _, err := is.DecideSubstitute(ctx(), inv.ID, true, "admin"); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("nothing proposed: %v", err)
		}
		if _, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: "Hồ Văn Phúc", SubstituteTitle: "Phó bí thư", SubstitutePhone: "+84987654321", Actor: "x"}); err != nil {
			t.Fatal(err)
		}
		sub, err := is.DecideSubstitute(ctx(), inv.ID, true, "admin")
		if err != nil {
			t.Fatal(err)
		}
		if sub.Person.FullName != "Hồ Văn Phúc" || sub.SubstituteFor != inv.ID || sub.Category.ID != inv.CategoryID || sub.Person.Unit != inv.Person.Unit || sub.Token == inv.Token {
			t.Fatalf("substitute invitation: %+v", sub)
		}
		if _, err := is.DecideSubstitute(ctx(), inv.ID, true, "admin"); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("decided twice: %v", err)
		}
		t.Run("Reject", func(t *testing.T) {
			other := MustInvitee(t, db, m.ID, "Cường")
			if _, err := is.SetRSVP(ctx(), other.ID, convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: "Ai Đó", SubstitutePhone: "+84911111111", Actor: "x"}); err != nil {
				t.Fatal(err)
			}
			if _, err := is.DecideSubstitute(ctx(), other.ID, false, "admin"); err != nil {
				t.Fatal(err)
			}
			got, _ := is.FindInvitationByID(ctx(), other.ID)
			if got.RSVP != convene.RSVPPending || got.SubstituteStatus != "rejected" {
				t.Fatalf("after reject: %+v", got.Invitation)
			}
		})
	})

	t.Run("CheckIn", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		at := m.StartsAt.Add(-10 * time.Minute)
		got, err := is.CheckIn(ctx(), inv.ID, convene.AttendancePresent, at, convene.CheckinQR, "telegram:1")
		if err != nil || got.Attendance != convene.AttendancePresent || !got.CheckedInAt.Equal(at) {
			t.Fatalf("check-in: %+v %v", got, err)
		}
		again, err := is.CheckIn(ctx(), inv.ID, convene.AttendanceLate, at.Add(time.Hour), convene.CheckinManual, "x")
		if convene.ErrorCode(err) != convene.ECONFLICT || !again.CheckedInAt.Equal(at) {
			t.Fatalf("second check-in: %+v %v", again, err)
		}
		if got, _ := is.UndoCheckIn(ctx(), inv.ID, "x"); !got.CheckedInAt.IsZero() || got.Attendance != convene.AttendanceNone {
			t.Fatalf("undo: %+v", got)
		}
		t.Run("MarkAbsentees", func(t *testing.T) {
			c.Set(m.StartsAt.Add(-48 * time.Hour))
			b := MustInvitee(t, db, m.ID, "Bình")
			d := MustInvitee(t, db, m.ID, "Dung")
			_, _ = is.SetRSVP(ctx(), b.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "x"})
			_, _ = is.SetRSVP(ctx(), d.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "ốm", Actor: "x"})
			_, _ = is.CheckIn(ctx(), inv.ID, convene.AttendanceLate, m.StartsAt.Add(20*time.Minute), convene.CheckinManual, "x")
			if _, err := is.MarkAbsentees(ctx(), m.ID); err != nil {
				t.Fatal(err)
			}
			want := map[string]convene.Attendance{"Văn An": convene.AttendanceLate, "Bình": convene.AttendanceAbsent, "Dung": convene.AttendanceExcused, "Cường": convene.AttendanceAbsent}
			for name, att := range want {
				if got := MustInvitee(t, db, m.ID, name).Attendance; got != att {
					t.Errorf("%s: %q, want %q", name, got, att)
				}
			}
		})
	})

	t.Run("MeetingStats", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		mustAccount(t, db, "1", an.PersonID)
		_, _ = is.SetRSVP(ctx(), an.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "x"})
		_, _ = is.SetRSVP(ctx(), MustInvitee(t, db, m.ID, "Dung").ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "x", Actor: "x"})
		if err := is.IssueInvitations(ctx(), m.ID, []int64{an.ID}, nil); err != nil {
			t.Fatal(err)
		}
		st, err := is.MeetingStats(ctx(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := convene.Counts{Invited: 4, Issued: 1, Linked: 1, Attending: 1, Declined: 1, Pending: 2, Excused: 1}
		if st.Total != want {
			t.Fatalf("total = %+v, want %+v", st.Total, want)
		}
		if len(st.ByCategory) != 3 || st.ByCategory[2].Key != "dang-vien" || st.ByCategory[2].Counts.Invited != 2 || st.ByCategory[2].Counts.Attending != 1 {
			t.Fatalf("by category = %+v", st.ByCategory)
		}
		if len(st.ByUnit) != 3 || st.ByUnit[0].Key != "Chi bộ 01" || st.ByUnit[0].Counts.Invited != 2 {
			t.Fatalf("by unit = %+v", st.ByUnit)
		}
	})

	t.Run("SetReconfirmClearedByAnswer", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		_, _ = is.SetRSVP(ctx(), an.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "x"})
		if err := is.SetReconfirm(ctx(), m.ID, nil); err != nil {
			t.Fatal(err)
		}
		got := MustInvitee(t, db, m.ID, "Văn An")
		if !got.Reconfirm || got.RSVP != convene.RSVPAttending {
			t.Fatalf("reconfirm must keep the answer: %+v", got.Invitation)
		}
		if r, err := is.SetRSVP(ctx(), an.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "x"}); err != nil || r.Reconfirm {
			t.Fatalf("confirming again: %+v %v", r, err)
		}
	})

	t.Run("ConcurrentAnswersAllRecorded", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		invs, _, _ := is.FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID})
		var wg sync.WaitGroup
		for _, inv := range invs {
			wg.Add(1)
			go func(id int64) {
				defer wg.Done()
				if _, err := is.SetRSVP(ctx(), id, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "x"}); err != nil {
					t.Error(err)
				}
			}(inv.ID)
		}
		wg.Wait()
		if st, _ := is.MeetingStats(ctx(), m.ID); st.Total.Attending != 4 {
			t.Fatalf("attending %d", st.Total.Attending)
		}
	})
}
