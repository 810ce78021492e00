package storage_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestPlanService_ApplyPlan(t *testing.T) {
	t.Run("CreatesMeetingCategoriesRules", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		res, err := storage.NewPlanService(db).ApplyPlan(ctx(), seedPlan())
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(res.Created) != "[chi-bo-01]" {
			t.Fatalf("created %v", res.Created)
		}
		ms := storage.NewMeetingService(db)
		m, err := ms.FindMeetingByCode(ctx(), "chi-bo-01")
		if err != nil {
			t.Fatal(err)
		}
		if !m.StartsAt.Equal(mustTime("2024-03-28T01:00:00Z")) || m.Status != convene.StatusDraft || m.Venue != "Hội trường Trường Cao đẳng Lý Tự Trọng" {
			t.Fatalf("meeting = %+v", m)
		}
		cats, _ := ms.FindCategories(ctx(), m.ID)
		if len(cats) != 3 || cats[1].Code != "cap-uy-co-so" || cats[1].Quota != 2 {
			t.Fatalf("categories = %+v", cats)
		}
		rules, _ := storage.NewReminderService(db).FindReminderRules(ctx(), m.ID)
		if len(rules) != 2 || rules[0].Before != 24*time.Hour || rules[1].Cron != "0 8 * * *" {
			t.Fatalf("rules = %+v", rules)
		}
	})

	t.Run("ApplyTwiceChangesNothing", func(t *testing.T) {
		db, c := MustOpenDB(t)
		ps := storage.NewPlanService(db)
		if _, err := ps.ApplyPlan(ctx(), seedPlan()); err != nil {
			t.Fatal(err)
		}
		before, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		c.Add(time.Hour)
		res, err := ps.ApplyPlan(ctx(), seedPlan())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Created)+len(res.Updated)+len(res.Moved) != 0 || len(res.Unchanged) != 1 {
			t.Fatalf("second apply: %+v", res)
		}
		after, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		if !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatal("updated_at bumped by an identical plan")
		}
	})

	t.Run("MovedMeetingReported", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ps := storage.NewPlanService(db)
		if _, err := ps.ApplyPlan(ctx(), seedPlan()); err != nil {
			t.Fatal(err)
		}
		p := seedPlan()
		p.Meetings[0].Meeting.StartsAt = p.Meetings[0].Meeting.StartsAt.Add(time.Hour)
		p.Meetings[0].Meeting.EndsAt = p.Meetings[0].Meeting.EndsAt.Add(time.Hour)
		res, err := ps.ApplyPlan(ctx(), p)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(res.Moved) != "[chi-bo-01]" || fmt.Sprint(res.Updated) != "[chi-bo-01]" {
			t.Fatalf("result %+v", res)
		}
		p = seedPlan()
		p.Meetings[0].Meeting.StartsAt = p.Meetings[0].Meeting.StartsAt.Add(time.Hour)
		p.Meetings[0].Meeting.EndsAt = p.Meetings[0].Meeting.EndsAt.Add(time.Hour)
		p.Meetings[0].Meeting.Title = "Đổi tên"
		res, _ = ps.ApplyPlan(ctx(), p)
		if len(res.Moved) != 0 || len(res.Updated) != 1 {
			t.Fatalf("a title change is not a move: %+v", res)
		}
	})

	t.Run("RemovedRuleDeletedUsedCategoryKept", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		p := seedPlan()
		p.Meetings[0].Reminders = p.Meetings[0].Reminders[:1]
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		rules, _ := storage.NewReminderService(db).FindReminderRules(ctx(), m.ID)
		if len(rules) != 1 {
			t.Fatalf("rules after removal: %d", len(rules))
		}
		p.Meetings[0].Categories = p.Meetings[0].Categories[1:]
		_, err := storage.NewPlanService(db).ApplyPlan(ctx(), p)
		if convene.ErrorCode(err) != convene.EINVALID || !strings.Contains(convene.ErrorMessage(err), "thanh-uy") {
			t.Fatalf("removing a used category: %v", err)
		}
	})

	t.Run("InvalidPlanRejected", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := seedPlan()
		p.Meetings[0].Meeting.Code = "Bad Code"
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestPlanService_ImportRoster(t *testing.T) {
	t.Run("ImportsPeopleAndInvitations", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		invs, total, err := storage.NewInvitationService(db).FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID})
		if err != nil || total != 4 {
			t.Fatalf("%d invitees, %v", total, err)
		}
		seen := map[string]bool{}
		for _, inv := range invs {
			if len(inv.Token) < 22 || seen[inv.Token] {
				t.Fatalf("bad or repeated token %q", inv.Token)
			}
			seen[inv.Token] = true
			if inv.RSVP != convene.RSVPPending {
				t.Fatalf("new invitation rsvp %q", inv.RSVP)
			}
		}
		an := MustInvitee(t, db, m.ID, "nguyen van an")
		if an.Person.Role != convene.RoleOrganizer || an.Category.Code != "dang-vien" {
			t.Fatalf("An = %+v", an.Person)
		}
		if b := MustInvitee(t, db, m.ID, "Bình"); b.Category.Code != "dang-vien" {
			t.Fatal("category matched by name failed")
		}
	})

	t.Run("ReimportCreatesNothing", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		MustSeed(t, db)
		res, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", seedRoster())
		if err != nil {
			t.Fatal(err)
		}
		if res.NewPeople != 0 || res.Invitations != 0 || res.Unchanged != 4 {
			t.Fatalf("reimport: %+v", res)
		}
	})

	t.Run("RejectsWholeRosterWithRowNumbers", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), seedPlan()); err != nil {
			t.Fatal(err)
		}
		rows := seedRoster()
		rows[1].Category = "bao-chi"                                                                                                // row 3: unknown
		rows = append(rows, convene.RosterEntry{Row: 6, FullName: "Nguyễn Văn An 2", Category: "dang-vien", Phone: "+84912345678"}) // dup phone
		rows = append(rows, convene.RosterEntry{Row: 7, FullName: "Lê Đức Cường", Unit: "Thành ủy", Category: "thanh-uy"})          // dup name+unit
		rows = append(rows, convene.RosterEntry{Row: 8, FullName: "", Category: "thanh-uy"})
		_, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", rows)
		var re *convene.RosterError
		if !errors.As(err, &re) {
			t.Fatalf("err = %v", err)
		}
		var got []int
		for _, r := range re.Rows {
			got = append(got, r.Row)
		}
		if fmt.Sprint(got) != "[3 6 7 8]" {
			t.Fatalf("bad rows %v: %v", got, err)
		}
		if convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("roster error code %q", convene.ErrorCode(err))
		}
		_, total, _ := storage.NewInvitationService(db).FindInvitees(ctx(), convene.InvitationFilter{})
		people, _ := storage.NewPersonService(db).FindPeople(ctx(), "")
		if total != 0 || len(people) != 0 {
			t.Fatalf("half-imported: %d invitations, %d people", total, len(people))
		}
	})

	t.Run("QuotaPerUnit", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		MustSeed(t, db)
		rows := []convene.RosterEntry{
			{Row: 2, FullName: "Võ Minh Em", Unit: "Trường Lý Tự Trọng", Category: "cap-uy-co-so"},
			{Row: 3, FullName: "Đặng Gia Huy", Unit: "Trường Lý Tự Trọng", Category: "cap-uy-co-so"},
		}
		_, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", rows)
		var re *convene.RosterError
		if !errors.As(err, &re) || len(re.Rows) != 1 || re.Rows[0].Row != 3 || !strings.Contains(re.Rows[0].Reason, "quota") {
			t.Fatalf("quota of 2 with one already invited: %v", err)
		}
	})

	t.Run("UnknownMeeting", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		_, err := storage.NewPlanService(db).ImportRoster(ctx(), "nope", seedRoster())
		if convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})
}
