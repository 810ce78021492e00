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

	t.Run("ApplyKeepsIDStatusAndFeedbackTimes", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		st, now := convene.StatusInvited, c.Now()
		if _, err := storage.NewMeetingService(db).UpdateMeeting(ctx(), m.ID, convene.MeetingUpdate{Status: &st, FeedbackOpenedAt: &now}); err != nil {
			t.Fatal(err)
		}
		p := seedPlan()
		p.Meetings[0].Meeting.Agenda = "Báo cáo; thảo luận"
		p.Meetings[0].Meeting.Feedback = convene.FeedbackSettings{Anonymous: true, Period: 48 * time.Hour,
			Questions: []convene.Question{{ID: "good", Text: "Tốt?"}, {ID: "rating", Kind: convene.QuestionRating, Text: "Điểm"}}}
		c.Add(time.Hour)
		res, err := storage.NewPlanService(db).ApplyPlan(ctx(), p)
		if err != nil || fmt.Sprint(res.Updated) != "[chi-bo-01]" || len(res.Moved) != 0 {
			t.Fatalf("apply: %+v %v", res, err)
		}
		got, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		if got.ID != m.ID || got.Status != convene.StatusInvited || !got.FeedbackOpenedAt.Equal(now) || got.Agenda != "Báo cáo; thảo luận" {
			t.Fatalf("meeting after apply: %+v", got)
		}
		if !got.Feedback.Anonymous || got.Feedback.Period != 48*time.Hour || len(got.Feedback.Questions) != 2 || got.Feedback.Questions[1].Kind != convene.QuestionRating {
			t.Fatalf("feedback settings: %+v", got.Feedback)
		}
		if !got.UpdatedAt.Equal(c.Now()) {
			t.Fatal("a change did not bump updated_at")
		}
	})

	t.Run("CategoryChangesOnlyUpdate", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ps := storage.NewPlanService(db)
		if _, err := ps.ApplyPlan(ctx(), seedPlan()); err != nil {
			t.Fatal(err)
		}
		p := seedPlan()
		p.Meetings[0].Categories[2].Name = "Đảng viên (đổi tên)"
		p.Meetings[0].Categories = p.Meetings[0].Categories[1:] // thanh-uy unused: deleted
		res, err := ps.ApplyPlan(ctx(), p)
		if err != nil || fmt.Sprint(res.Updated) != "[chi-bo-01]" {
			t.Fatalf("apply: %+v %v", res, err)
		}
		m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		cats, _ := storage.NewMeetingService(db).FindCategories(ctx(), m.ID)
		if len(cats) != 2 || cats[0].Code != "cap-uy-co-so" || cats[1].Name != "Đảng viên (đổi tên)" || cats[1].Position != 1 {
			t.Fatalf("categories: %+v %+v", cats[0], cats[1])
		}
	})

	t.Run("ExplicitDefaultEndIsNotAMove", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ps := storage.NewPlanService(db)
		p := seedPlan()
		p.Meetings[0].Meeting.EndsAt = time.Time{}
		if _, err := ps.ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		p.Meetings[0].Meeting.EndsAt = p.Meetings[0].Meeting.StartsAt.Add(3 * time.Hour)
		res, err := ps.ApplyPlan(ctx(), p)
		if err != nil || len(res.Moved) != 0 || len(res.Updated) != 1 {
			t.Fatalf("same end spelled out: %+v %v", res, err)
		}
	})

	t.Run("VenueChangeIsAMove", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ps := storage.NewPlanService(db)
		if _, err := ps.ApplyPlan(ctx(), seedPlan()); err != nil {
			t.Fatal(err)
		}
		p := seedPlan()
		p.Meetings[0].Meeting.Address = "592 Nguyễn Ảnh Thủ, Quận 12"
		res, _ := ps.ApplyPlan(ctx(), p)
		if fmt.Sprint(res.Moved) != "[chi-bo-01]" {
			t.Fatalf("address change: %+v", res)
		}
	})

	t.Run("FailedApplyChangesNothing", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		p := seedPlan()
		p.Meetings[0].Meeting.Title = "Đổi tên"
		p.Meetings[0].Categories = p.Meetings[0].Categories[1:] // thanh-uy is used: refused
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("err = %v", err)
		}
		if got, _ := storage.NewMeetingService(db).FindMeetingByID(ctx(), m.ID); got.Title != m.Title {
			t.Fatal("half-applied: the title changed")
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

	t.Run("ExistingPersonMatchedAndUpdated", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		rows := []convene.RosterEntry{
			// same phone, new title and email: the same person
			{Row: 2, FullName: "Nguyễn Văn An", Title: "Phó bí thư", Email: "an@example.vn", Unit: "Chi bộ 01", Category: "dang-vien", Phone: "+84912345678"},
			// same telegram id, now with a phone
			{Row: 3, FullName: "Lê Đức Cường", Unit: "Thành ủy", Category: "thanh-uy", TelegramID: 4242, Phone: "+84933333333"},
			// same name and unit, accents and case aside, moved to another category
			{Row: 4, FullName: "PHAM THU DUNG", Unit: "truong ly tu trong", Category: "dang-vien"},
		}
		res, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", rows)
		if err != nil {
			t.Fatal(err)
		}
		if res.NewPeople != 0 || res.Invitations != 0 || res.Unchanged != 3 || res.People != 3 {
			t.Fatalf("result %+v", res)
		}
		p, _ := storage.NewPersonService(db).FindPersonByID(ctx(), an.PersonID)
		if p.Title != "Phó bí thư" || p.Email != "an@example.vn" || p.FullName != "Nguyễn Văn An" || p.Role != convene.RoleOrganizer {
			t.Fatalf("person after re-import: %+v", p)
		}
		if c := MustInvitee(t, db, m.ID, "Cường"); c.Person.Phone != "+84933333333" {
			t.Fatalf("phone not added: %+v", c.Person)
		}
		if d := MustInvitee(t, db, m.ID, "Dung"); d.Category.Code != "dang-vien" {
			t.Fatalf("category not moved: %s", d.Category.Code)
		}
	})

	t.Run("PeopleSharedAcrossMeetings", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		MustSeed(t, db)
		p := seedPlan()
		p.Meetings[0].Meeting.Code = "chi-bo-04"
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		res, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-04", seedRoster())
		if err != nil || res.NewPeople != 0 || res.Invitations != 4 {
			t.Fatalf("second meeting: %+v %v", res, err)
		}
		if people, _ := storage.NewPersonService(db).FindPeople(ctx(), ""); len(people) != 4 {
			t.Fatalf("%d people, want 4", len(people))
		}
	})

	t.Run("RejectsRowsMatchingOneStoredPerson", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		MustSeed(t, db)
		rows := []convene.RosterEntry{
			{Row: 2, FullName: "Nguyễn Văn An", Unit: "Chi bộ 01", Category: "dang-vien"},                                          // An by name and unit
			{Row: 3, FullName: "Anh Khác", Unit: "Khác", Category: "dang-vien", Phone: "+84912345678"},                             // An by phone
			{Row: 4, FullName: "Trần Thị Bình", Unit: "Chi bộ 01", Category: "dang-vien", TelegramID: 4242, Phone: "+84912345679"}, // Bình, with Cường's id
		}
		_, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", rows)
		var re *convene.RosterError
		if !errors.As(err, &re) || len(re.Rows) != 2 || re.Rows[0].Row != 3 || re.Rows[1].Row != 4 ||
			!strings.Contains(re.Rows[0].Reason, "row 2") || !strings.Contains(re.Rows[1].Reason, "Cường") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("LargeRosterCrossesBatches", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := seedPlan()
		p.Meetings[0].Categories[1].Quota = 0
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		var rows []convene.RosterEntry
		for i := 0; i < 457; i++ {
			rows = append(rows, convene.RosterEntry{Row: i + 2, FullName: fmt.Sprintf("Người %d", i), Unit: fmt.Sprintf("Đơn vị %d", i%7),
				Category: "dang-vien", Phone: fmt.Sprintf("+8491%07d", i)})
		}
		res, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", rows)
		if err != nil || res.NewPeople != 457 || res.Invitations != 457 {
			t.Fatalf("%+v %v", res, err)
		}
		m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		invs, total, _ := storage.NewInvitationService(db).FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID})
		tokens := map[string]bool{}
		for _, inv := range invs {
			tokens[inv.Token] = true
			if want := fmt.Sprintf("+8491%07d", inv.Person.ID-1); inv.Person.Phone != want {
				t.Fatalf("person %d has phone %s, want %s", inv.Person.ID, inv.Person.Phone, want)
			}
		}
		if total != 457 || len(tokens) != 457 {
			t.Fatalf("%d invitees, %d distinct tokens", total, len(tokens))
		}
		p2 := &convene.Person{FullName: "Sau đó", Phone: "+84987000000"}
		if err := storage.NewPersonService(db).CreatePerson(ctx(), p2); err != nil || p2.ID != 458 {
			t.Fatalf("next person id %d: %v", p2.ID, err)
		}
	})

	t.Run("EmptyRoster", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		MustSeed(t, db)
		if _, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", nil); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("err = %v", err)
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
