package storage_test

import (
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestMeetingService(t *testing.T) {
	t.Run("FindByCodeAndID", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		ms := storage.NewMeetingService(db)
		if _, err := ms.FindMeetingByCode(ctx(), "none"); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown code: %v", err)
		}
		if _, err := ms.FindMeetingByID(ctx(), m.ID+1); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown id: %v", err)
		}
		got, err := ms.FindMeetingByID(ctx(), m.ID)
		if err != nil || got.Code != "chi-bo-01" || got.Kind != convene.KindRegular || got.Timezone != "Asia/Ho_Chi_Minh" ||
			!got.RSVPDeadline.Equal(mustTime("2024-03-26T10:00:00Z")) || !got.EndsAt.Equal(mustTime("2024-03-28T04:30:00Z")) {
			t.Fatalf("by id: %+v %v", got, err)
		}
		if got, err := ms.FindMeetingByCode(ctx(), "CHI-BO-01"); err != nil || got.ID != m.ID {
			t.Fatalf("code ignoring case: %v", err)
		}
	})

	t.Run("UpdateStatusAndFeedbackTimes", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		ms := storage.NewMeetingService(db)
		st, opened := convene.StatusInvited, c.Now().Add(-time.Minute)
		c.Add(time.Hour)
		got, err := ms.UpdateMeeting(ctx(), m.ID, convene.MeetingUpdate{Status: &st, FeedbackOpenedAt: &opened})
		if err != nil || got.Status != st || !got.FeedbackOpenedAt.Equal(opened) || !got.FeedbackClosedAt.IsZero() || !got.UpdatedAt.Equal(c.Now()) {
			t.Fatalf("update: %+v %v", got, err)
		}
		if again, _ := ms.FindMeetingByID(ctx(), m.ID); again.Status != st || !again.FeedbackOpenedAt.Equal(opened) {
			t.Fatalf("not stored: %+v", again)
		}
		bad := convene.MeetingStatus("gone")
		if _, err := ms.UpdateMeeting(ctx(), m.ID, convene.MeetingUpdate{Status: &bad}); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("bad status: %v", err)
		}
		if _, err := ms.UpdateMeeting(ctx(), 999, convene.MeetingUpdate{Status: &st}); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown meeting: %v", err)
		}
		c.Add(time.Hour)
		if got, _ := ms.UpdateMeeting(ctx(), m.ID, convene.MeetingUpdate{}); !got.UpdatedAt.Equal(c.Now().Add(-time.Hour)) {
			t.Fatal("an empty update bumped updated_at")
		}
	})

	t.Run("FindMeetingsFilters", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := seedPlan()
		second := p.Meetings[0]
		second.Meeting.Code, second.Meeting.StartsAt, second.Meeting.EndsAt = "chi-bo-04", mustTime("2024-04-18T01:00:00Z"), time.Time{}
		second.Meeting.RSVPDeadline = time.Time{}
		p.Meetings = append([]convene.PlanMeeting{second}, p.Meetings...) // plan order is not start order
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		ms := storage.NewMeetingService(db)
		all, _ := ms.FindMeetings(ctx(), convene.MeetingFilter{})
		if len(all) != 2 || all[0].Code != "chi-bo-01" || all[1].Code != "chi-bo-04" {
			t.Fatalf("all by start: %v", codes(all))
		}
		st := convene.StatusHeld
		_, _ = ms.UpdateMeeting(ctx(), all[1].ID, convene.MeetingUpdate{Status: &st})
		cases := []struct {
			name string
			f    convene.MeetingFilter
			want string
		}{
			{"ID", convene.MeetingFilter{ID: &all[1].ID}, "[chi-bo-04]"},
			{"Code", convene.MeetingFilter{Code: ptr("chi-bo-01")}, "[chi-bo-01]"},
			{"Status", convene.MeetingFilter{Status: &st}, "[chi-bo-04]"},
			{"EndsAfterExplicitEnd", convene.MeetingFilter{EndsAfter: mustTime("2024-03-28T04:29:00Z")}, "[chi-bo-01 chi-bo-04]"},
			{"EndedExplicitEnd", convene.MeetingFilter{EndsAfter: mustTime("2024-03-28T04:30:00Z")}, "[chi-bo-04]"},
			{"EndsAfterDefaultEnd", convene.MeetingFilter{EndsAfter: mustTime("2024-04-18T03:59:00Z")}, "[chi-bo-04]"},
			{"EndedDefaultEnd", convene.MeetingFilter{EndsAfter: mustTime("2024-04-18T04:00:00Z")}, "[]"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := ms.FindMeetings(ctx(), tc.f)
				if err != nil || codes(got) != tc.want {
					t.Fatalf("got %s, want %s (%v)", codes(got), tc.want, err)
				}
			})
		}
	})

	t.Run("FindCategoriesInPlanOrder", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		cats, err := storage.NewMeetingService(db).FindCategories(ctx(), m.ID)
		if err != nil || len(cats) != 3 {
			t.Fatalf("%d categories, %v", len(cats), err)
		}
		for i, want := range []string{"thanh-uy", "cap-uy-co-so", "dang-vien"} {
			if cats[i].Code != want || cats[i].MeetingID != m.ID || cats[i].Position != i {
				t.Fatalf("category %d: %+v", i, cats[i])
			}
		}
		if cats[1].Quota != 2 || cats[1].Name != "Cấp ủy đảng bộ, chi bộ cơ sở" {
			t.Fatalf("category fields: %+v", cats[1])
		}
	})
}

func codes(ms []*convene.Meeting) string {
	s := "["
	for i, m := range ms {
		if i > 0 {
			s += " "
		}
		s += m.Code
	}
	return s + "]"
}

func TestMeetingService_FeedbackFromKept(t *testing.T) {
	db, _ := MustOpenDB(t)
	p := seedPlan()
	p.Meetings[0].Meeting.Feedback.From = convene.FeedbackFromInvitees
	if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
		t.Fatal(err)
	}
	m, err := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
	if err != nil || m.Feedback.From != convene.FeedbackFromInvitees {
		t.Fatalf("feedback from %q, %v", m.Feedback.From, err)
	}
}
