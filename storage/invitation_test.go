package storage_test

import (
	"fmt"
	"strings"
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

// depth returns how many messages wait in the outbox.
func depth(t *testing.T, db *storage.DB) int {
	t.Helper()
	n, err := storage.NewOutboxService(db).QueueDepth(ctx())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInvitationService_Find(t *testing.T) {
	t.Run("FindByTokenAndID", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		got, err := is.FindInvitationByToken(ctx(), inv.Token)
		if err != nil || got.ID != inv.ID || got.Person.FullName != "Nguyễn Văn An" || got.Category.Code != "dang-vien" || got.MeetingID != m.ID {
			t.Fatalf("by token: %+v %v", got, err)
		}
		if _, err := is.FindInvitationByToken(ctx(), "AAAAAAAAAAAAAAAAAAAAAA"); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown token: %v", err)
		}
		if got, err := is.FindInvitationByID(ctx(), inv.ID); err != nil || got.Token != inv.Token {
			t.Fatalf("by id: %v", err)
		}
		if _, err := is.FindInvitationByID(ctx(), 999); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown id: %v", err)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		an, dung := MustInvitee(t, db, m.ID, "Văn An"), MustInvitee(t, db, m.ID, "Dung")
		mustAccount(t, db, "1", an.PersonID)
		if err := is.IssueInvitations(ctx(), m.ID, []int64{an.ID, dung.ID}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := is.CheckIn(ctx(), an.ID, convene.AttendancePresent, m.StartsAt, convene.CheckinQR, "x"); err != nil {
			t.Fatal(err)
		}
		if _, err := is.SetRSVP(ctx(), dung.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "ốm"}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			f    convene.InvitationFilter
			want string
		}{
			{"All", convene.InvitationFilter{MeetingID: m.ID}, "[An Bình Cường Dung]"},
			{"OtherMeeting", convene.InvitationFilter{MeetingID: m.ID + 1}, "[]"},
			{"Person", convene.InvitationFilter{MeetingID: m.ID, PersonID: dung.PersonID}, "[Dung]"},
			{"CategoryCode", convene.InvitationFilter{MeetingID: m.ID, Category: "dang-vien"}, "[An Bình]"},
			{"CategoryNameIgnoringAccents", convene.InvitationFilter{MeetingID: m.ID, Category: "dai dien thuong truc thanh uy"}, "[Cường]"},
			{"UnitIgnoringCaseAndAccents", convene.InvitationFilter{MeetingID: m.ID, Unit: "CHI BỘ 01"}, "[An Bình]"},
			{"NameIgnoresAccents", convene.InvitationFilter{MeetingID: m.ID, Name: "cuong"}, "[Cường]"},
			{"NameMatchesWordStarts", convene.InvitationFilter{MeetingID: m.ID, Name: "an"}, "[An]"}, // not Trần
			{"NameMatchesSeveralWords", convene.InvitationFilter{MeetingID: m.ID, Name: "thi bi"}, "[Bình]"},
			{"Linked", convene.InvitationFilter{MeetingID: m.ID, Linked: ptr(true)}, "[An]"},
			{"NotLinked", convene.InvitationFilter{MeetingID: m.ID, Linked: ptr(false)}, "[Bình Cường Dung]"},
			{"Issued", convene.InvitationFilter{MeetingID: m.ID, Issued: ptr(true)}, "[An Dung]"},
			{"NotIssued", convene.InvitationFilter{MeetingID: m.ID, Issued: ptr(false)}, "[Bình Cường]"},
			{"CheckedIn", convene.InvitationFilter{MeetingID: m.ID, CheckedIn: ptr(true)}, "[An]"},
			{"NotCheckedIn", convene.InvitationFilter{MeetingID: m.ID, CheckedIn: ptr(false)}, "[Bình Cường Dung]"},
			{"RSVP", convene.InvitationFilter{MeetingID: m.ID, RSVP: []convene.RSVP{convene.RSVPDeclined, convene.RSVPAttending}}, "[Dung]"},
			{"Attendance", convene.InvitationFilter{MeetingID: m.ID, Attendance: []convene.Attendance{convene.AttendancePresent, convene.AttendanceExcused}}, "[An Dung]"},
			{"Combined", convene.InvitationFilter{MeetingID: m.ID, Issued: ptr(true), Linked: ptr(false)}, "[Dung]"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, total, err := is.FindInvitees(ctx(), tc.f)
				if err != nil || names(got) != tc.want || total != len(got) {
					t.Fatalf("got %s (total %d), want %s (%v)", names(got), total, tc.want, err)
				}
			})
		}
	})

	t.Run("OrderedByUnitThenNameWithPaging", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		rows := []convene.RosterEntry{
			{Row: 2, FullName: "Ân Văn Zê", Unit: "Đảng ủy Sở", Category: "thanh-uy"},
			{Row: 3, FullName: "Bùi Văn Em", Unit: "Đảng ủy Sở", Category: "thanh-uy"},
			{Row: 4, FullName: "Zương Văn Ánh", Unit: "Chi bộ 01", Category: "dang-vien"},
		}
		if _, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", rows); err != nil {
			t.Fatal(err)
		}
		is := storage.NewInvitationService(db)
		all, total, _ := is.FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID})
		// Chi bộ 01 < Đảng ủy Sở < Thành ủy < Trường…, ignoring the accents.
		if want := "[An Bình Ánh Zê Em Cường Dung]"; names(all) != want || total != 7 {
			t.Fatalf("order %s, want %s", names(all), want)
		}
		page, total, _ := is.FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID, Offset: 2, Limit: 3})
		if names(page) != "[Ánh Zê Em]" || total != 7 {
			t.Fatalf("page %s, total %d", names(page), total)
		}
		tail, total, _ := is.FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID, Offset: 6})
		if names(tail) != "[Dung]" || total != 7 {
			t.Fatalf("offset only: %s, total %d", names(tail), total)
		}
	})

	t.Run("AccountsAttachedMostRecentFirst", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		tg := mustAccount(t, db, "1", an.PersonID)
		c.Add(time.Hour)
		ps := storage.NewPersonService(db)
		z, _ := ps.TouchAccount(ctx(), &convene.Account{Channel: "zalo", UserID: "z", ChatID: "z"})
		if err := ps.LinkAccount(ctx(), z.ID, an.PersonID); err != nil {
			t.Fatal(err)
		}
		got := MustInvitee(t, db, m.ID, "Văn An")
		if len(got.Accounts) != 2 || got.Accounts[0].ID != z.ID || got.Accounts[1].ID != tg.ID || !got.Linked() {
			t.Fatalf("accounts %+v", got.Accounts)
		}
		if byID, _ := storage.NewInvitationService(db).FindInvitationByID(ctx(), an.ID); len(byID.Accounts) != 2 {
			t.Fatal("accounts not attached by id")
		}
	})

	t.Run("AccountsAttachedForLongLists", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := seedPlan()
		p.Meetings[0].Categories[1].Quota = 0
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		var rows []convene.RosterEntry
		for i := 0; i < 700; i++ {
			rows = append(rows, convene.RosterEntry{Row: i + 2, FullName: fmt.Sprintf("Người %03d", i), Category: "dang-vien"})
		}
		if _, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", rows); err != nil {
			t.Fatal(err)
		}
		m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		mustAccount(t, db, "1", MustInvitee(t, db, m.ID, "Người 000").PersonID)
		mustAccount(t, db, "2", MustInvitee(t, db, m.ID, "Người 699").PersonID)
		all, _, _ := storage.NewInvitationService(db).FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID})
		linked := 0
		for _, v := range all {
			for _, a := range v.Accounts {
				if a.PersonID != v.PersonID {
					t.Fatalf("account of person %d attached to %d", a.PersonID, v.PersonID)
				}
				linked++
			}
		}
		if len(all) != 700 || linked != 2 {
			t.Fatalf("%d invitees, %d accounts attached", len(all), linked)
		}
	})
}

func TestInvitationService_SetRSVP(t *testing.T) {
	t.Run("RecordsAnswerAuditAndMessages", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		acc := mustAccount(t, db, "1", inv.PersonID)
		got, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "telegram:1"}, msg(acc, "k1"), msg(acc, "k2"))
		if err != nil || got.RSVP != convene.RSVPAttending || !got.RespondedAt.Equal(c.Now()) || got.ID != inv.ID {
			t.Fatalf("attend: %+v %v", got, err)
		}
		if d := depth(t, db); d != 2 {
			t.Fatalf("%d messages enqueued with the answer, want 2", d)
		}
		es, _ := storage.NewAuditService(db).FindAudit(ctx(), m.ID, 10)
		if len(es) != 1 || es[0].Action != "rsvp" || es[0].Actor != "telegram:1" || es[0].Subject != fmt.Sprintf("invitation:%d", inv.ID) || !es[0].At.Equal(c.Now()) {
			t.Fatalf("audit: %+v", es)
		}
	})

	t.Run("ReplayedRSVPConflicts", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		acc := mustAccount(t, db, "1", inv.PersonID)
		ch := convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "Đi công tác", Actor: "telegram:1"}
		if _, err := is.SetRSVP(ctx(), inv.ID, ch, msg(acc, "k1")); err != nil {
			t.Fatal(err)
		}
		_, err := is.SetRSVP(ctx(), inv.ID, ch, msg(acc, "k2"))
		if convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("err = %v", err)
		}
		if d := depth(t, db); d != 1 {
			t.Fatal("a replayed answer enqueued a message")
		}
		if es, _ := storage.NewAuditService(db).FindAudit(ctx(), m.ID, 10); len(es) != 1 {
			t.Fatalf("a replayed answer was audited: %d entries", len(es))
		}
		ch.Reason = "Ốm"
		if _, err := is.SetRSVP(ctx(), inv.ID, ch); err != nil {
			t.Fatalf("a new reason is a change: %v", err)
		}
	})

	t.Run("DeclineIsExcusedOtherAnswersClearIt", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		got, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "Đi công tác"})
		if err != nil || got.Attendance != convene.AttendanceExcused || got.Reason != "Đi công tác" {
			t.Fatalf("decline: %+v %v", got, err)
		}
		got, _ = is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending})
		if got.Attendance != convene.AttendanceNone || got.Reason != "" {
			t.Fatalf("attending again keeps excused: %+v", got)
		}
		_, _ = is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "x"})
		got, _ = is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPPending})
		if got.Attendance != convene.AttendanceNone || got.RSVP != convene.RSVPPending {
			t.Fatalf("pending again keeps excused: %+v", got)
		}
	})

	t.Run("SubstituteProposed", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		got, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPSubstitute, Reason: "dropped",
			SubstituteName: "Hồ Văn Phúc", SubstituteTitle: "Phó bí thư", SubstitutePhone: "+84987654321"})
		if err != nil || got.SubstituteStatus != "proposed" || got.SubstituteName != "Hồ Văn Phúc" || got.SubstituteTitle != "Phó bí thư" ||
			got.SubstitutePhone != "+84987654321" || got.Reason != "" {
			t.Fatalf("substitute: %+v %v", got, err)
		}
		got, _ = is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending})
		if got.SubstituteStatus != "" || got.SubstituteName != "" {
			t.Fatalf("attending withdraws the proposal: %+v", got)
		}
	})

	t.Run("InvalidAnswersRefused", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		for name, ch := range map[string]convene.RSVPChange{
			"UnknownAnswer":       {RSVP: "maybe"},
			"SubstituteNoName":    {RSVP: convene.RSVPSubstitute, SubstitutePhone: "+84987654321"},
			"SubstituteLocalForm": {RSVP: convene.RSVPSubstitute, SubstituteName: "Hồ Văn Phúc", SubstitutePhone: "0987654321"},
		} {
			if _, err := is.SetRSVP(ctx(), inv.ID, ch); convene.ErrorCode(err) != convene.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := is.SetRSVP(ctx(), 999, convene.RSVPChange{RSVP: convene.RSVPAttending}); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown invitation: %v", err)
		}
	})

	t.Run("DeadlinePassed", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		acc := mustAccount(t, db, "1", inv.PersonID)
		c.Set(m.RSVPDeadline)
		if _, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending}); err != nil {
			t.Fatalf("at the deadline itself: %v", err)
		}
		c.Add(time.Second)
		_, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "x"}, msg(acc, "late"))
		if convene.ErrorCode(err) != convene.EEXPIRED {
			t.Fatalf("err = %v", err)
		}
		if got, _ := is.FindInvitationByID(ctx(), inv.ID); got.RSVP != convene.RSVPAttending || depth(t, db) != 0 {
			t.Fatalf("a late answer changed something: %+v", got.Invitation)
		}
	})

	t.Run("DeadlineIsTheStartWithoutRSVPDeadline", func(t *testing.T) {
		db, c := MustOpenDB(t)
		p := seedPlan()
		p.Meetings[0].Meeting.RSVPDeadline = time.Time{}
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		_, _ = storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", seedRoster())
		m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		inv := MustInvitee(t, db, m.ID, "Văn An")
		c.Set(m.StartsAt.Add(-time.Minute))
		if _, err := storage.NewInvitationService(db).SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending}); err != nil {
			t.Fatal(err)
		}
		c.Set(m.StartsAt.Add(time.Minute))
		if _, err := storage.NewInvitationService(db).SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined}); convene.ErrorCode(err) != convene.EEXPIRED {
			t.Fatalf("after the start: %v", err)
		}
	})

	t.Run("ReconfirmClearedBySameAnswer", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		acc := mustAccount(t, db, "1", an.PersonID)
		_, _ = is.SetRSVP(ctx(), an.ID, convene.RSVPChange{RSVP: convene.RSVPAttending})
		if err := is.SetReconfirm(ctx(), m.ID, []*convene.OutboxMessage{msg(acc, "moved")}); err != nil {
			t.Fatal(err)
		}
		if d := depth(t, db); d != 1 {
			t.Fatalf("reconfirm messages: %d", d)
		}
		got := MustInvitee(t, db, m.ID, "Văn An")
		if !got.Reconfirm || got.RSVP != convene.RSVPAttending || !MustInvitee(t, db, m.ID, "Bình").Reconfirm {
			t.Fatalf("reconfirm must flag everyone and keep the answer: %+v", got.Invitation)
		}
		if r, err := is.SetRSVP(ctx(), an.ID, convene.RSVPChange{RSVP: convene.RSVPAttending}); err != nil || r.Reconfirm {
			t.Fatalf("confirming again: %+v %v", r, err)
		}
		if _, err := is.SetRSVP(ctx(), an.ID, convene.RSVPChange{RSVP: convene.RSVPAttending}); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("confirming twice: %v", err)
		}
		if err := is.SetReconfirm(ctx(), 999, nil); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown meeting: %v", err)
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

func TestInvitationService_IssueInvitations(t *testing.T) {
	db, c := MustOpenDB(t)
	m := MustSeed(t, db)
	is := storage.NewInvitationService(db)
	an, binh := MustInvitee(t, db, m.ID, "Văn An"), MustInvitee(t, db, m.ID, "Bình")
	acc := mustAccount(t, db, "1", an.PersonID)
	first := c.Now()
	if err := is.IssueInvitations(ctx(), m.ID, []int64{an.ID}, []*convene.OutboxMessage{msg(acc, "invite:1")}); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Hour)
	if err := is.IssueInvitations(ctx(), m.ID, []int64{an.ID, binh.ID}, []*convene.OutboxMessage{msg(acc, "invite:1")}); err != nil {
		t.Fatal(err)
	}
	t.Run("KeepsFirstIssueTime", func(t *testing.T) {
		if got := MustInvitee(t, db, m.ID, "Văn An"); !got.IssuedAt.Equal(first) {
			t.Fatalf("issued at %v, want %v", got.IssuedAt, first)
		}
		if got := MustInvitee(t, db, m.ID, "Bình"); !got.IssuedAt.Equal(c.Now()) {
			t.Fatalf("issued at %v, want %v", got.IssuedAt, c.Now())
		}
	})
	t.Run("EnqueuesOncePerKey", func(t *testing.T) {
		if d := depth(t, db); d != 1 {
			t.Fatalf("depth %d", d)
		}
	})
	t.Run("IgnoresOtherMeetingsInvitations", func(t *testing.T) {
		cuong := MustInvitee(t, db, m.ID, "Cường")
		if err := is.IssueInvitations(ctx(), m.ID+1, []int64{cuong.ID}, nil); err != nil {
			t.Fatal(err)
		}
		if !MustInvitee(t, db, m.ID, "Cường").IssuedAt.IsZero() {
			t.Fatal("issued through another meeting")
		}
	})
	t.Run("BadMessageIssuesNothing", func(t *testing.T) {
		cuong := MustInvitee(t, db, m.ID, "Cường")
		err := is.IssueInvitations(ctx(), m.ID, []int64{cuong.ID}, []*convene.OutboxMessage{msg(acc, "")})
		if convene.ErrorCode(err) != convene.EINVALID || !MustInvitee(t, db, m.ID, "Cường").IssuedAt.IsZero() {
			t.Fatalf("err = %v", err)
		}
	})
}

// decide is a decision by "admin" that sends nothing.
func decide(approve bool) convene.SubstituteDecision {
	return convene.SubstituteDecision{Approve: approve, Actor: "admin"}
}

// sends returns a SubstituteDecision.Messages that sends msgs whatever the outcome.
func sends(msgs ...*convene.OutboxMessage) func(*convene.Invitee, bool) []*convene.OutboxMessage {
	return func(*convene.Invitee, bool) []*convene.OutboxMessage { return msgs }
}

func TestInvitationService_DecideSubstitute(t *testing.T) {
	propose := func(t *testing.T, db *storage.DB, id int64, name, phone string) {
		t.Helper()
		if _, err := storage.NewInvitationService(db).SetRSVP(ctx(), id, convene.RSVPChange{RSVP: convene.RSVPSubstitute,
			SubstituteName: name, SubstituteTitle: "Phó bí thư", SubstitutePhone: phone, Actor: "x"}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("ApproveCreatesPersonAndInvitation", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Bình")
		acc := mustAccount(t, db, "2", inv.PersonID)
		if _, err := is.DecideSubstitute(ctx(), inv.ID, decide(true)); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("nothing proposed: %v", err)
		}
		propose(t, db, inv.ID, "Hồ Văn Phúc", "+84987654321")
		c.Add(time.Hour)
		sub, err := is.DecideSubstitute(ctx(), inv.ID, convene.SubstituteDecision{Approve: true, Actor: "telegram:9", Messages: sends(msg(acc, "sub-approved"))})
		if err != nil {
			t.Fatal(err)
		}
		if sub.Person.FullName != "Hồ Văn Phúc" || sub.Person.Title != "Phó bí thư" || sub.Person.Phone != "+84987654321" ||
			sub.Person.Unit != inv.Person.Unit || sub.Person.Role != convene.RoleDelegate {
			t.Fatalf("substitute person: %+v", sub.Person)
		}
		if sub.SubstituteFor != inv.ID || sub.CategoryID != inv.CategoryID || sub.Token == inv.Token || len(sub.Token) < 22 ||
			sub.RSVP != convene.RSVPPending || !sub.IssuedAt.Equal(c.Now()) || sub.MeetingID != m.ID {
			t.Fatalf("substitute invitation: %+v", sub.Invitation)
		}
		if byToken, err := is.FindInvitationByToken(ctx(), sub.Token); err != nil || byToken.ID != sub.ID {
			t.Fatalf("the substitute's link: %v", err)
		}
		if orig, _ := is.FindInvitationByID(ctx(), inv.ID); orig.SubstituteStatus != "approved" || orig.RSVP != convene.RSVPSubstitute {
			t.Fatalf("original after approval: %+v", orig.Invitation)
		}
		if d := depth(t, db); d != 1 {
			t.Fatalf("messages %d", d)
		}
		es, _ := storage.NewAuditService(db).FindAudit(ctx(), m.ID, 1)
		if es[0].Action != "substitute-approve" || es[0].Actor != "telegram:9" {
			t.Fatalf("audit %+v", es[0])
		}
		if _, err := is.DecideSubstitute(ctx(), inv.ID, decide(true)); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("decided twice: %v", err)
		}
	})

	t.Run("ApproveReusesPersonWithThatPhone", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		other := &convene.Person{FullName: "Hồ Văn Phúc", Unit: "Nơi khác", Phone: "+84987654321"}
		if err := storage.NewPersonService(db).CreatePerson(ctx(), other); err != nil {
			t.Fatal(err)
		}
		inv := MustInvitee(t, db, m.ID, "Bình")
		propose(t, db, inv.ID, "Hồ V. Phúc", "+84987654321")
		sub, err := storage.NewInvitationService(db).DecideSubstitute(ctx(), inv.ID, decide(true))
		if err != nil || sub.PersonID != other.ID {
			t.Fatalf("substitute %+v %v", sub, err)
		}
	})

	t.Run("ApproveSomeoneAlreadyInvitedConflicts", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		propose(t, db, inv.ID, "Trần Thị Bình", "+84912345679") // Bình is invited already
		_, err := storage.NewInvitationService(db).DecideSubstitute(ctx(), inv.ID, decide(true))
		if convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("err = %v", err)
		}
		if got, _ := storage.NewInvitationService(db).FindInvitationByID(ctx(), inv.ID); got.SubstituteStatus != "proposed" {
			t.Fatal("a refused approval changed the proposal")
		}
	})

	t.Run("ExistingPersonIsReportedAsExisting", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		other := &convene.Person{FullName: "Hồ Văn Phúc", Unit: "Nơi khác", Phone: "+84987654321"}
		if err := storage.NewPersonService(db).CreatePerson(ctx(), other); err != nil {
			t.Fatal(err)
		}
		otherAcc := mustAccount(t, db, "77", other.ID)
		inv := MustInvitee(t, db, m.ID, "Bình")
		propose(t, db, inv.ID, "Tên Bịa", "+84987654321")
		var gotExisting bool
		var gotAccounts int
		d := decide(true)
		d.Messages = func(sub *convene.Invitee, existing bool) []*convene.OutboxMessage {
			gotExisting, gotAccounts = existing, len(sub.Accounts)
			return []*convene.OutboxMessage{msg(otherAcc, "invite-existing")}
		}
		sub, err := storage.NewInvitationService(db).DecideSubstitute(ctx(), inv.ID, d)
		if err != nil || sub.PersonID != other.ID || !gotExisting || gotAccounts != 1 || depth(t, db) != 1 {
			t.Fatalf("sub %+v err %v existing %v accounts %d", sub, err, gotExisting, gotAccounts)
		}
		if sub.Person.FullName != "Hồ Văn Phúc" {
			t.Fatalf("the stored person was renamed to the typed name: %q", sub.Person.FullName)
		}
	})

	t.Run("NewPersonIsNotExisting", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		inv := MustInvitee(t, db, m.ID, "Bình")
		propose(t, db, inv.ID, "Người Mới", "+84987650000")
		existing := true
		d := decide(true)
		d.Messages = func(_ *convene.Invitee, e bool) []*convene.OutboxMessage { existing = e; return nil }
		if _, err := storage.NewInvitationService(db).DecideSubstitute(ctx(), inv.ID, d); err != nil || existing {
			t.Fatalf("err %v existing %v", err, existing)
		}
	})

	t.Run("OrganizerCannotBeSubstitutedIn", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		ps := storage.NewPersonService(db)
		org := &convene.Person{FullName: "Trưởng Ban", Phone: "+84981112222", Role: convene.RoleOrganizer}
		if err := ps.CreatePerson(ctx(), org); err != nil {
			t.Fatal(err)
		}
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Bình")
		_, err := is.SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: "X", SubstitutePhone: org.Phone, Actor: "x"})
		if convene.ErrorCode(err) != convene.EFORBIDDEN {
			t.Fatalf("proposing an organizer: %v", err)
		}
		// Proposed while a delegate, promoted before approval: approval refuses.
		org2 := &convene.Person{FullName: "Sắp Lên", Phone: "+84981113333"}
		if err := ps.CreatePerson(ctx(), org2); err != nil {
			t.Fatal(err)
		}
		propose(t, db, inv.ID, "Y", org2.Phone)
		role := convene.RoleOrganizer
		if _, err := ps.UpdatePerson(ctx(), org2.ID, convene.PersonUpdate{Role: &role}); err != nil {
			t.Fatal(err)
		}
		called := false
		d := decide(true)
		d.Messages = func(*convene.Invitee, bool) []*convene.OutboxMessage { called = true; return nil }
		if _, err := is.DecideSubstitute(ctx(), inv.ID, d); convene.ErrorCode(err) != convene.EFORBIDDEN || called {
			t.Fatalf("approving an organizer: %v (messages built: %v)", err, called)
		}
		if invs, _, _ := is.FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID, PersonID: org2.ID}); len(invs) != 0 {
			t.Fatal("the organizer got an invitation")
		}
	})

	t.Run("OwnPhoneRefused", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		_, err := storage.NewInvitationService(db).SetRSVP(ctx(), inv.ID, convene.RSVPChange{RSVP: convene.RSVPSubstitute,
			SubstituteName: "Z", SubstitutePhone: inv.Person.Phone, Actor: "x"})
		if inv.Person.Phone == "" || convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("own phone (%q): %v", inv.Person.Phone, err)
		}
	})

	t.Run("RejectPutsAnswerBackToPending", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Cường")
		acc := mustAccount(t, db, "3", inv.PersonID)
		propose(t, db, inv.ID, "Ai Đó", "+84911111111")
		got, err := is.DecideSubstitute(ctx(), inv.ID, convene.SubstituteDecision{Actor: "admin", Messages: sends(msg(acc, "sub-rejected"))})
		if err != nil || got.ID != inv.ID || got.RSVP != convene.RSVPPending || got.SubstituteStatus != "rejected" {
			t.Fatalf("after reject: %+v %v", got, err)
		}
		if stored, _ := is.FindInvitationByID(ctx(), inv.ID); stored.RSVP != convene.RSVPPending || stored.SubstituteStatus != "rejected" {
			t.Fatalf("stored: %+v", stored.Invitation)
		}
		if _, total, _ := is.FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID}); total != 4 || depth(t, db) != 1 {
			t.Fatalf("reject invited someone (%d invitees) or lost the message", total)
		}
	})
}

func TestInvitationService_CheckIn(t *testing.T) {
	t.Run("FirstCheckInKept", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		inv := MustInvitee(t, db, m.ID, "Văn An")
		at := m.StartsAt.Add(-10 * time.Minute)
		got, err := is.CheckIn(ctx(), inv.ID, convene.AttendancePresent, at, convene.CheckinQR, "telegram:1")
		if err != nil || got.Attendance != convene.AttendancePresent || !got.CheckedInAt.Equal(at) || got.CheckinMethod != convene.CheckinQR {
			t.Fatalf("check-in: %+v %v", got, err)
		}
		again, err := is.CheckIn(ctx(), inv.ID, convene.AttendanceLate, at.Add(time.Hour), convene.CheckinManual, "x")
		if convene.ErrorCode(err) != convene.ECONFLICT || again == nil || !again.CheckedInAt.Equal(at) || again.Attendance != convene.AttendancePresent {
			t.Fatalf("second check-in: %+v %v", again, err)
		}
		if stored := MustInvitee(t, db, m.ID, "Văn An"); !stored.CheckedInAt.Equal(at) || stored.CheckinMethod != convene.CheckinQR {
			t.Fatalf("stored: %+v", stored.Invitation)
		}
		es, _ := storage.NewAuditService(db).FindAudit(ctx(), m.ID, 10)
		if len(es) != 1 || es[0].Action != "checkin" {
			t.Fatalf("audit: %+v", es)
		}
	})

	t.Run("ZeroTimeIsStorageNow", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		got, err := storage.NewInvitationService(db).CheckIn(ctx(), MustInvitee(t, db, m.ID, "Bình").ID, convene.AttendanceLate, time.Time{}, convene.CheckinManual, "x")
		if err != nil || !got.CheckedInAt.Equal(c.Now()) {
			t.Fatalf("%+v %v", got, err)
		}
	})

	t.Run("BadCheckInRefused", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		id := MustInvitee(t, db, m.ID, "Bình").ID
		if _, err := is.CheckIn(ctx(), id, convene.AttendanceAbsent, m.StartsAt, convene.CheckinManual, "x"); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("absent: %v", err)
		}
		if _, err := is.CheckIn(ctx(), id, convene.AttendancePresent, m.StartsAt, "telepathy", "x"); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("bad method: %v", err)
		}
		if _, err := is.CheckIn(ctx(), 999, convene.AttendancePresent, m.StartsAt, convene.CheckinQR, "x"); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown invitation: %v", err)
		}
	})

	t.Run("UndoCheckIn", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		an, dung := MustInvitee(t, db, m.ID, "Văn An"), MustInvitee(t, db, m.ID, "Dung")
		if _, err := is.UndoCheckIn(ctx(), an.ID, "x"); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("undo without check-in: %v", err)
		}
		_, _ = is.CheckIn(ctx(), an.ID, convene.AttendancePresent, m.StartsAt, convene.CheckinQR, "x")
		got, err := is.UndoCheckIn(ctx(), an.ID, "x")
		if err != nil || !got.CheckedInAt.IsZero() || got.Attendance != convene.AttendanceNone || got.CheckinMethod != "" {
			t.Fatalf("undo: %+v %v", got, err)
		}
		if stored := MustInvitee(t, db, m.ID, "Văn An"); !stored.CheckedInAt.IsZero() {
			t.Fatal("undo not stored")
		}
		_, _ = is.SetRSVP(ctx(), dung.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "ốm"})
		_, _ = is.CheckIn(ctx(), dung.ID, convene.AttendanceLate, m.StartsAt, convene.CheckinManual, "x")
		if got, _ := is.UndoCheckIn(ctx(), dung.ID, "x"); got.Attendance != convene.AttendanceExcused {
			t.Fatalf("a decliner's undo: %q, want excused", got.Attendance)
		}
		es, _ := storage.NewAuditService(db).FindAudit(ctx(), m.ID, 1)
		if es[0].Action != "checkin-undo" {
			t.Fatalf("audit %+v", es[0])
		}
	})

	t.Run("MarkAbsentees", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		is := storage.NewInvitationService(db)
		an, b, d := MustInvitee(t, db, m.ID, "Văn An"), MustInvitee(t, db, m.ID, "Bình"), MustInvitee(t, db, m.ID, "Dung")
		_, _ = is.SetRSVP(ctx(), an.ID, convene.RSVPChange{RSVP: convene.RSVPAttending})
		_, _ = is.SetRSVP(ctx(), b.ID, convene.RSVPChange{RSVP: convene.RSVPAttending})
		_, _ = is.SetRSVP(ctx(), d.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "ốm"})
		_, _ = is.CheckIn(ctx(), an.ID, convene.AttendanceLate, m.StartsAt.Add(20*time.Minute), convene.CheckinManual, "x")
		n, err := is.MarkAbsentees(ctx(), m.ID)
		if err != nil || n != 2 { // Bình and Cường; Dung was excused already
			t.Fatalf("changed %d, %v", n, err)
		}
		want := map[string]convene.Attendance{"Văn An": convene.AttendanceLate, "Bình": convene.AttendanceAbsent, "Dung": convene.AttendanceExcused, "Cường": convene.AttendanceAbsent}
		for name, att := range want {
			if got := MustInvitee(t, db, m.ID, name).Attendance; got != att {
				t.Errorf("%s: %q, want %q", name, got, att)
			}
		}
		if n, _ := is.MarkAbsentees(ctx(), m.ID); n != 0 {
			t.Fatalf("second run changed %d", n)
		}
	})
}

func TestInvitationService_MeetingStats(t *testing.T) {
	db, _ := MustOpenDB(t)
	m := MustSeed(t, db)
	is := storage.NewInvitationService(db)
	if _, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", []convene.RosterEntry{
		{Row: 2, FullName: "Bùi Văn Em", Unit: "Đảng ủy Sở", Category: "thanh-uy"},
	}); err != nil {
		t.Fatal(err)
	}
	an, binh, dung := MustInvitee(t, db, m.ID, "Văn An"), MustInvitee(t, db, m.ID, "Bình"), MustInvitee(t, db, m.ID, "Dung")
	mustAccount(t, db, "1", an.PersonID)
	_, _ = is.SetRSVP(ctx(), an.ID, convene.RSVPChange{RSVP: convene.RSVPAttending})
	_, _ = is.SetRSVP(ctx(), dung.ID, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "x"})
	_, _ = is.SetRSVP(ctx(), binh.ID, convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: "Hồ Văn Phúc"})
	_, _ = is.CheckIn(ctx(), an.ID, convene.AttendancePresent, m.StartsAt, convene.CheckinQR, "x")
	if err := is.IssueInvitations(ctx(), m.ID, []int64{an.ID, dung.ID}, nil); err != nil {
		t.Fatal(err)
	}
	if err := storage.NewFeedbackService(db).SubmitFeedback(ctx(), &convene.Feedback{MeetingID: m.ID, PersonID: an.PersonID, Rating: 5}); err != nil {
		t.Fatal(err)
	}
	st, err := is.MeetingStats(ctx(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Total", func(t *testing.T) {
		want := convene.Counts{Invited: 5, Issued: 2, Linked: 1, Attending: 1, Declined: 1, Substitute: 1, Pending: 2, Present: 1, Excused: 1, Feedback: 1}
		if st.Total != want {
			t.Fatalf("total = %+v, want %+v", st.Total, want)
		}
	})
	t.Run("ByCategoryInPlanOrder", func(t *testing.T) {
		var got []string
		for _, g := range st.ByCategory {
			got = append(got, fmt.Sprintf("%s:%d", g.Key, g.Counts.Invited))
		}
		if fmt.Sprint(got) != "[thanh-uy:2 cap-uy-co-so:1 dang-vien:2]" || st.ByCategory[2].Counts.Attending != 1 || st.ByCategory[2].Name != "Đảng viên chi bộ thực hiện sinh hoạt mẫu" {
			t.Fatalf("by category = %v %+v", got, st.ByCategory)
		}
	})
	t.Run("ByUnitAlphabetical", func(t *testing.T) {
		var got []string
		for _, g := range st.ByUnit {
			got = append(got, fmt.Sprintf("%s:%d", g.Key, g.Counts.Invited))
		}
		if want := "[Chi bộ 01:2 Đảng ủy Sở:1 Thành ủy:1 Trường Lý Tự Trọng:1]"; fmt.Sprint(got) != want {
			t.Fatalf("by unit = %v, want %s", got, want)
		}
		if st.ByUnit[0].Counts.Present != 1 || st.ByUnit[0].Counts.Feedback != 1 || st.ByUnit[0].Name != "Chi bộ 01" {
			t.Fatalf("unit counts %+v", st.ByUnit[0])
		}
	})
	t.Run("UnknownMeeting", func(t *testing.T) {
		if _, err := is.MeetingStats(ctx(), 999); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})
}

// names lists invitees by the last word of their name, as a string.
func names(invs []*convene.Invitee) string {
	var out []string
	for _, v := range invs {
		f := strings.Fields(v.Person.FullName)
		out = append(out, f[len(f)-1])
	}
	return fmt.Sprint(out)
}
