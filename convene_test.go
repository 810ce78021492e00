package convene_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/convene/convene"
)

func TestValidate(t *testing.T) {
	start := time.Date(2024, 3, 28, 1, 0, 0, 0, time.UTC)
	good := func() convene.Meeting {
		return convene.Meeting{Code: "chi-bo-01", Title: "Hội nghị", StartsAt: start}
	}
	cases := []struct {
		name string
		v    interface{ Validate() error }
		ok   bool
	}{
		{"MeetingOK", ptr(good()), true},
		{"MeetingBadCode", func() *convene.Meeting { m := good(); m.Code = "Chi Bo"; return &m }(), false},
		{"MeetingNoTitle", func() *convene.Meeting { m := good(); m.Title = ""; return &m }(), false},
		{"MeetingEndsBeforeStart", func() *convene.Meeting { m := good(); m.EndsAt = start.Add(-time.Hour); return &m }(), false},
		{"MeetingDeadlineAfterStart", func() *convene.Meeting { m := good(); m.RSVPDeadline = start.Add(time.Hour); return &m }(), false},
		{"MeetingBadZone", func() *convene.Meeting { m := good(); m.Timezone = "Mars/Base"; return &m }(), false},
		{"MeetingBadKind", func() *convene.Meeting { m := good(); m.Kind = "party"; return &m }(), false},
		{"MeetingDuplicateQuestion", func() *convene.Meeting {
			m := good()
			m.Feedback.Questions = []convene.Question{{ID: "a", Text: "x"}, {ID: "a", Text: "y"}}
			return &m
		}(), false},
		{"CategoryOK", &convene.Category{Code: "dang-vien", Name: "Đảng viên"}, true},
		{"CategoryNegativeQuota", &convene.Category{Code: "dv", Name: "x", Quota: -1}, false},
		{"PersonOK", &convene.Person{FullName: "Nguyễn Văn An", Phone: "+84912345678"}, true},
		{"PersonLocalPhone", &convene.Person{FullName: "A", Phone: "0912345678"}, false},
		{"PersonBadRole", &convene.Person{FullName: "A", Role: "boss"}, false},
		{"AccountMissingChat", &convene.Account{Channel: "telegram", UserID: "1"}, false},
		{"InvitationShortToken", &convene.Invitation{MeetingID: 1, PersonID: 1, CategoryID: 1, Token: "abc", RSVP: convene.RSVPPending}, false},
		{"InvitationOK", &convene.Invitation{MeetingID: 1, PersonID: 1, CategoryID: 1, Token: "AAAAAAAAAAAAAAAAAAAAAA", RSVP: convene.RSVPPending}, true},
		{"RuleBeforeOK", &convene.ReminderRule{Kind: convene.RuleBefore, Before: time.Hour, Audience: convene.AudienceAll}, true},
		{"RuleCronEmpty", &convene.ReminderRule{Kind: convene.RuleCron, Audience: convene.AudienceAll}, false},
		{"RuleBadAudience", &convene.ReminderRule{Kind: convene.RuleAt, At: start, Audience: "everyone"}, false},
		{"OutboxNoKey", &convene.OutboxMessage{AccountID: 1, Channel: "telegram", ChatID: "1", Content: convene.Content{Text: "x"}}, false},
		{"ConversationNoFlow", &convene.Conversation{AccountID: 1}, false},
		{"FeedbackBadRating", &convene.Feedback{MeetingID: 1, Rating: 9}, false},
		{"AuditNoActor", &convene.AuditEntry{Action: "x"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && convene.ErrorCode(err) != convene.EINVALID {
				t.Fatalf("code %q", convene.ErrorCode(err))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestErrorCodes(t *testing.T) {
	err := fmt.Errorf("apply plan: %w", convene.Errorf(convene.ENOTFOUND, "no meeting %q", "x"))
	if convene.ErrorCode(err) != convene.ENOTFOUND || convene.ErrorMessage(err) != `no meeting "x"` {
		t.Fatalf("wrapped: %q %q", convene.ErrorCode(err), convene.ErrorMessage(err))
	}
	if convene.ErrorCode(errors.New("boom")) != convene.EINTERNAL || convene.ErrorMessage(errors.New("boom")) != "Internal error." {
		t.Fatal("plain errors are internal")
	}
	if convene.ErrorCode(nil) != "" {
		t.Fatal("nil has no code")
	}
	re := &convene.RosterError{Rows: []convene.RowError{{Row: 3, Reason: "full name missing"}}}
	if convene.ErrorCode(fmt.Errorf("import: %w", re)) != convene.EINVALID {
		t.Fatal("a rejected roster is EINVALID")
	}
}

func TestMeetingDefaults(t *testing.T) {
	m := convene.Meeting{StartsAt: time.Date(2024, 3, 28, 1, 0, 0, 0, time.UTC)}
	if !m.End().Equal(m.StartsAt.Add(3*time.Hour)) || !m.Deadline().Equal(m.StartsAt) || m.Location().String() != "Asia/Ho_Chi_Minh" {
		t.Fatalf("defaults: %v %v %v", m.End(), m.Deadline(), m.Location())
	}
	if len(m.Feedback.QuestionList()) != 4 || m.Feedback.ClosePeriod() != 7*24*time.Hour {
		t.Fatal("feedback defaults")
	}
}
