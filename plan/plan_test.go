package plan_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/plan"
)

func TestParseExample(t *testing.T) {
	p, err := plan.ParseFile("../examples/plan-82-KH-DU.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Organization != "Đảng ủy Sở Giáo dục và Đào tạo" || p.Number != "82-KH/ĐU" || p.Timezone != "Asia/Ho_Chi_Minh" {
		t.Errorf("plan header = %q, %q, %q", p.Organization, p.Number, p.Timezone)
	}
	if len(p.Meetings) != 2 {
		t.Fatalf("got %d meetings, want 2", len(p.Meetings))
	}
	want := []struct {
		code, host, venue, address string
		kind                       convene.MeetingKind
		starts, ends, deadline     time.Time
	}{
		{
			code:     "chi-bo-01",
			kind:     convene.KindRegular,
			host:     "Chi bộ 01 – Đảng bộ Trường Cao đẳng Lý Tự Trọng TP.HCM",
			venue:    "Hội trường Trường Cao đẳng Lý Tự Trọng",
			address:  "390 Hoàng Văn Thụ, Phường 4, Quận Tân Bình",
			starts:   time.Date(2024, 3, 28, 1, 0, 0, 0, time.UTC),
			ends:     time.Date(2024, 3, 28, 4, 30, 0, 0, time.UTC),
			deadline: time.Date(2024, 3, 26, 10, 0, 0, 0, time.UTC),
		},
		{
			code:     "chi-bo-04",
			kind:     convene.KindThematic,
			host:     "Chi bộ 4 – Đảng bộ Trường Trung cấp Kinh tế - Kỹ thuật Quận 12",
			venue:    "Hội trường Trường Trung cấp Kinh tế - Kỹ thuật Quận 12",
			address:  "592 Nguyễn Ảnh Thủ, Phường Trung Mỹ Tây, Quận 12",
			starts:   time.Date(2024, 4, 18, 1, 0, 0, 0, time.UTC),
			deadline: time.Date(2024, 4, 16, 10, 0, 0, 0, time.UTC),
		},
	}
	for i, w := range want {
		pm := p.Meetings[i]
		m := pm.Meeting
		t.Run(w.code, func(t *testing.T) {
			if m.Code != w.code || m.Kind != w.kind || m.Host != w.host || m.Venue != w.venue || m.Address != w.address {
				t.Errorf("meeting = %q %q %q %q %q", m.Code, m.Kind, m.Host, m.Venue, m.Address)
			}
			if !m.StartsAt.Equal(w.starts) || m.StartsAt.Location() != time.UTC {
				t.Errorf("starts_at = %v, want %v in UTC", m.StartsAt, w.starts)
			}
			if got := m.StartsAt.In(m.Location()).Format("15:04 02/01/2006"); !strings.HasPrefix(got, "08:00 ") {
				t.Errorf("local start = %s, want 08:00", got)
			}
			if !m.EndsAt.Equal(w.ends) || !m.RSVPDeadline.Equal(w.deadline) {
				t.Errorf("ends_at, rsvp_deadline = %v, %v; want %v, %v", m.EndsAt, m.RSVPDeadline, w.ends, w.deadline)
			}
			if m.Timezone != "Asia/Ho_Chi_Minh" || m.Organization != p.Organization || m.Plan != "82-KH/ĐU" {
				t.Errorf("timezone, organization, plan = %q, %q, %q", m.Timezone, m.Organization, m.Plan)
			}
			var codes []string
			for _, c := range pm.Categories {
				codes = append(codes, c.Code)
			}
			if got := strings.Join(codes, " "); got != "thanh-uy ban-to-chuc dang-uy-so cap-uy-co-so cap-uy-chi-bo dang-vien bao-chi-tp" {
				t.Errorf("categories = %s", got)
			}
			if press := pm.Categories[6]; !press.Guests || press.Name != "Cơ quan báo chí Thành phố" || pm.Categories[3].Quota != 2 {
				t.Errorf("press category = %+v, quota of cap-uy-co-so %d", press, pm.Categories[3].Quota)
			}
			if len(pm.Units) != 4 || pm.Units[0].Rep.Phone == "" || !pm.Units[0].NominationDeadline.Before(m.StartsAt) {
				t.Errorf("units = %+v", pm.Units)
			}
			if len(m.Program.Items) < 4 || m.Program.Chair == "" {
				t.Errorf("program = %+v", m.Program)
			}
			if pm.Categories[0].Name != "Đại diện Thường trực Thành ủy" || pm.Categories[5].Name != "Đảng viên chi bộ thực hiện sinh hoạt mẫu" {
				t.Errorf("category names = %q, %q", pm.Categories[0].Name, pm.Categories[5].Name)
			}
			var keys []string
			for _, r := range pm.Reminders {
				keys = append(keys, r.Key)
			}
			if got := strings.Join(keys, " | "); got != "before:72h0m0s:all | before:24h0m0s:attending | before:2h0m0s:attending | cron:0 8 * * *:pending" {
				t.Errorf("reminders = %s", got)
			}
			if cron := pm.Reminders[3]; !cron.Until.Equal(w.deadline) || !cron.From.IsZero() {
				t.Errorf("cron window = %v..%v, want ..%v", cron.From, cron.Until, w.deadline)
			}
			qs := m.Feedback.Questions
			if len(qs) != 4 {
				t.Fatalf("got %d questions, want 4", len(qs))
			}
			wantQ := []convene.Question{
				{ID: "strengths", Kind: convene.QuestionText, Text: "Những mặt làm được cần tiếp tục phát huy?"},
				{ID: "weaknesses", Kind: convene.QuestionText, Text: "Những mặt hạn chế, chưa đúng cần khắc phục?"},
				{ID: "suggestions", Kind: convene.QuestionText, Text: "Những thiếu sót trong quá trình chuẩn bị, tổ chức sinh hoạt và công tác điều hành cần bổ sung?"},
				{ID: "rating", Kind: convene.QuestionRating, Text: "Đánh giá chung về hội nghị (1–5)"},
			}
			for i := range wantQ {
				if qs[i] != wantQ[i] {
					t.Errorf("question %d = %+v, want %+v", i, qs[i], wantQ[i])
				}
			}
			if m.Feedback.Anonymous || m.Feedback.Period != 7*24*time.Hour {
				t.Errorf("feedback anonymous, period = %v, %v", m.Feedback.Anonymous, m.Feedback.Period)
			}
		})
	}
}

// minimal returns a valid one-meeting plan with extra lines added to the meeting.
func minimal(extra string) string {
	return `meetings:
  - code: m1
    title: T
    starts_at: 2024-03-28T08:00
    categories:
      - {code: a, name: A}
` + extra
}

func TestParseTimes(t *testing.T) {
	tests := []struct {
		name, plan string
		want       time.Time
	}{
		{"LocalT", minimal(""), time.Date(2024, 3, 28, 1, 0, 0, 0, time.UTC)},
		{"LocalSpace", strings.Replace(minimal(""), "2024-03-28T08:00", "2024-03-28 08:00", 1), time.Date(2024, 3, 28, 1, 0, 0, 0, time.UTC)},
		{"LocalSeconds", strings.Replace(minimal(""), "2024-03-28T08:00", `"2024-03-28T08:00:00"`, 1), time.Date(2024, 3, 28, 1, 0, 0, 0, time.UTC)},
		{"RFC3339Offset", strings.Replace(minimal(""), "2024-03-28T08:00", "2024-03-28T08:00:00+09:00", 1), time.Date(2024, 3, 27, 23, 0, 0, 0, time.UTC)},
		{"RFC3339Z", strings.Replace(minimal(""), "2024-03-28T08:00", "2024-03-28T08:00:00Z", 1), time.Date(2024, 3, 28, 8, 0, 0, 0, time.UTC)},
		{"PlanTimezone", "timezone: Asia/Tokyo\n" + minimal(""), time.Date(2024, 3, 27, 23, 0, 0, 0, time.UTC)},
		{"MeetingTimezone", "timezone: Asia/Tokyo\n" + minimal("    timezone: Europe/Paris\n"), time.Date(2024, 3, 28, 7, 0, 0, 0, time.UTC)},
		{"DST", strings.Replace(minimal("    timezone: Europe/Paris\n"), "2024-03-28", "2024-07-01", 1), time.Date(2024, 7, 1, 6, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := plan.Parse(strings.NewReader(tt.plan))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Meetings[0].Meeting.StartsAt; !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("starts_at = %v, want %v UTC", got, tt.want)
			}
		})
	}
}

func TestParseTimeForms(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	tests := []struct {
		in, err string
	}{
		{"2024-13-01T08:00", "month out of range"},
		{"2024-02-30 08:00", "day out of range"},
		{"2024-03-28T25:00", "hour out of range"},
		{"28/03/2024 08:00", "want a local time like 2024-03-28T08:00"},
		{"2024-03-28", "want a local time"},
		{"2024-03-28T08:00:30", "minute precision"},
		{"2024-03-28T08:00:00.5+07:00", "minute precision"},
		{"tomorrow", "want a local time"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := plan.ParseTime(tt.in, loc)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseTime(%q) = %v, want error containing %q", tt.in, err, tt.err)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"24h", 24 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"2d", 48 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"0", 0, true},
		{"d", 0, false},
		{"-2h", 0, false},
		{"1d-2h", 0, false},
		{"2 days", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := plan.ParseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseReminders(t *testing.T) {
	start := time.Date(2024, 3, 28, 1, 0, 0, 0, time.UTC)
	deadline := time.Date(2024, 3, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name, yaml string
		want       convene.ReminderRule
	}{
		{"BeforeDefaultAudience", "before: 24h", convene.ReminderRule{Key: "before:24h0m0s:all", Kind: convene.RuleBefore, Before: 24 * time.Hour, Audience: convene.AudienceAll}},
		{"BeforeDays", "{before: 2d, audience: attending}", convene.ReminderRule{Key: "before:48h0m0s:attending", Kind: convene.RuleBefore, Before: 48 * time.Hour, Audience: convene.AudienceAttending}},
		{"BeforeMinutes", "before: 90m", convene.ReminderRule{Key: "before:1h30m0s:all", Kind: convene.RuleBefore, Before: 90 * time.Minute, Audience: convene.AudienceAll}},
		{"CronUntilDeadline", `{cron: "0  8 * * *", audience: pending, until: rsvp_deadline}`, convene.ReminderRule{Key: "cron:0 8 * * *:pending", Kind: convene.RuleCron, Cron: "0 8 * * *", Audience: convene.AudiencePending, Until: deadline}},
		{"CronFromTimeUntilStart", `{cron: "30 7 * * 1-5", from: 2024-03-20T00:00, until: starts_at}`, convene.ReminderRule{Key: "cron:30 7 * * 1-5:all", Kind: convene.RuleCron, Cron: "30 7 * * 1-5", Audience: convene.AudienceAll, From: time.Date(2024, 3, 19, 17, 0, 0, 0, time.UTC), Until: start}},
		{"At", "{at: 2024-03-27T20:00, audience: checked-in}", convene.ReminderRule{Key: "at:2024-03-27T13:00:00Z:checked-in", Kind: convene.RuleAt, At: time.Date(2024, 3, 27, 13, 0, 0, 0, time.UTC), Audience: convene.AudienceCheckedIn}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := minimal("    rsvp_deadline: 2024-03-26T17:00\n    reminders:\n      - " + tt.yaml + "\n")
			p, err := plan.Parse(strings.NewReader(src))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Meetings[0].Reminders[0]; got != tt.want {
				t.Errorf("rule = %+v\nwant   %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, plan string
		want       []string // substrings of the message
	}{
		{"Empty", "", []string{"plan: the file is empty"}},
		{"NotYAML", "meetings: [", []string{"plan: ", "line"}},
		{"UnknownField", minimal("    venue_name: X\n"), []string{"plan: line 7: field venue_name not found in a meeting"}},
		{"UnknownTopField", "organisation: X\n" + minimal(""), []string{"line 1: field organisation not found in the plan"}},
		{"BadMonth", strings.Replace(minimal(""), "2024-03-28T08:00", "2024-13-01T08:00", 1), []string{`plan: line 4: meeting m1: starts_at "2024-13-01T08:00": month out of range`}},
		{"BadTimezone", minimal("    timezone: Asia/Hanoi\n"), []string{`line 7: meeting m1: timezone "Asia/Hanoi": unknown time zone`}},
		{"NoMeetings", "organization: X\n", []string{"no meetings"}},
		{"NoCode", "meetings:\n  - title: T\n", []string{"line 2: meeting 1: code required"}},
		{"BadCode", strings.Replace(minimal(""), "code: m1", "code: Chi Bo 01", 1), []string{`line 2: meeting Chi Bo 01: code must be a slug`}},
		{"NoTitle", strings.Replace(minimal(""), "title: T", "venue: V", 1), []string{"line 2: meeting m1: title required"}},
		{"NoStart", strings.Replace(minimal(""), "starts_at: 2024-03-28T08:00", "venue: V", 1), []string{"meeting m1: starts_at required"}},
		{"EndBeforeStart", minimal("    ends_at: 2024-03-28T07:00\n"), []string{"meeting m1: ends_at must be after starts_at"}},
		{"DeadlineAfterStart", minimal("    rsvp_deadline: 2024-03-29T07:00\n"), []string{"rsvp_deadline must not be after starts_at"}},
		{"BadKind", minimal("    kind: special\n"), []string{`kind "special" must be regular, thematic or other`}},
		{"NoCategories", strings.Replace(minimal(""), "    categories:\n      - {code: a, name: A}\n", "", 1), []string{"meeting m1: at least one category required"}},
		{"CategoryNoName", strings.Replace(minimal(""), "{code: a, name: A}", "{code: a}", 1), []string{"line 6: meeting m1: category a: name required"}},
		{"CategoryTwice", minimal("      - {code: a, name: B}\n"), []string{`line 7: meeting m1: category code "a" used twice`}},
		{"MeetingTwice", minimal("  - {code: m1, title: U, starts_at: 2024-03-29T08:00, categories: [{code: a, name: A}]}\n"), []string{"line 7: meeting m1: code used twice (first on line 2)"}},
		{"ReminderNoKind", minimal("    reminders:\n      - audience: all\n"), []string{"line 8: meeting m1: reminder 1: give one of before, cron or at"}},
		{"ReminderTwoKinds", minimal("    reminders:\n      - {before: 24h, cron: \"0 8 * * *\"}\n"), []string{"reminder 1: give only one of before, cron or at, not before and cron"}},
		{"ReminderBadDuration", minimal("    reminders:\n      - before: 1 day\n"), []string{`line 8: meeting m1: reminder 1: before "1 day": want a duration like 90m, 24h, 2d or 1d12h`}},
		{"ReminderZero", minimal("    reminders:\n      - before: 0s\n"), []string{`before "0s": must be more than zero`}},
		{"ReminderBadCron", minimal("    reminders:\n      - cron: \"0 25 * * *\"\n"), []string{`reminder 1: cron "0 25 * * *": want five fields`}},
		{"ReminderCronSixFields", minimal("    reminders:\n      - cron: \"0 0 8 * * *\"\n"), []string{`cron "0 0 8 * * *"`}},
		{"ReminderCronTZ", minimal("    reminders:\n      - cron: \"TZ=UTC 0 8 * * *\"\n"), []string{"remove the TZ= prefix"}},
		{"ReminderBadAudience", minimal("    reminders:\n      - {before: 2h, audience: everyone}\n"), []string{`audience "everyone" must be all, attending, pending, declined or checked-in`}},
		{"ReminderBadUntil", minimal("    reminders:\n      - {cron: \"0 8 * * *\", until: deadline}\n"), []string{`until "deadline"`, "rsvp_deadline or starts_at"}},
		{"ReminderWindowOnBefore", minimal("    reminders:\n      - {before: 2h, until: starts_at}\n"), []string{"from and until bound cron rules only"}},
		{"ReminderTwice", minimal("    reminders:\n      - before: 24h\n      - before: 1d\n"), []string{"line 9: meeting m1: reminder 2: same as reminder 1 (before:24h0m0s:all)"}},
		{"QuestionBadKind", minimal("    feedback:\n      questions:\n        - {id: q, kind: stars, text: Q}\n"), []string{`line 9: meeting m1: feedback question q: kind "stars" must be text or rating`}},
		{"QuestionTwice", minimal("    feedback:\n      questions:\n        - {id: q, text: Q}\n        - {id: q, text: R}\n"), []string{`line 10: meeting m1: feedback question id "q" is used twice`}},
		{"QuestionNoText", minimal("    feedback:\n      questions:\n        - {id: q}\n"), []string{"feedback question q: text required"}},
		{"FeedbackBadPeriod", minimal("    feedback:\n      period: a week\n"), []string{`line 8: meeting m1: feedback period "a week"`}},
		{"FeedbackBadFrom", minimal("    feedback:\n      from: everyone\n"), []string{`line 8: meeting m1: feedback from "everyone" must be attendees or invitees`}},
		{"FeedbackUnknownField", minimal("    feedback:\n      anonymus: true\n"), []string{"line 8: field anonymus not found in feedback"}},
		{"ListForScalar", minimal("    ends_at: [1, 2]\n"), []string{"line 7: want a single value"}},
		{"TwoDocuments", minimal("---\n") + minimal(""), []string{"one YAML document"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := plan.Parse(strings.NewReader(tt.plan))
			if err == nil {
				t.Fatal("no error")
			}
			if code := convene.ErrorCode(err); code != convene.EINVALID {
				t.Errorf("code = %s, want invalid", code)
			}
			msg := convene.ErrorMessage(err)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q\nlacks %q", msg, w)
				}
			}
		})
	}
}

func TestParseDefaults(t *testing.T) {
	p, err := plan.Parse(strings.NewReader(minimal("")))
	if err != nil {
		t.Fatal(err)
	}
	m := p.Meetings[0].Meeting
	if p.Timezone != convene.DefaultTimezone || m.Timezone != convene.DefaultTimezone {
		t.Errorf("timezones = %q, %q", p.Timezone, m.Timezone)
	}
	if m.Kind != convene.KindOther || len(m.Feedback.Questions) != 0 || len(m.Feedback.QuestionList()) != 4 {
		t.Errorf("kind %q, questions %v", m.Kind, m.Feedback.Questions)
	}
	if len(p.Meetings[0].Reminders) != 0 {
		t.Errorf("reminders = %v", p.Meetings[0].Reminders)
	}
}

func TestParseFileNamesFile(t *testing.T) {
	_, err := plan.ParseFile("testdata/no-such-plan.yaml")
	if err == nil || !strings.Contains(err.Error(), "no-such-plan.yaml") {
		t.Errorf("err = %v", err)
	}
	var e *convene.Error
	if errors.As(err, &e) {
		t.Errorf("a missing file is not EINVALID: %v", err)
	}
}

func TestParseFeedbackFrom(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		want convene.FeedbackFrom
	}{
		{"", ""},
		{"    feedback:\n      from: attendees\n", convene.FeedbackFromAttendees},
		{"    feedback:\n      from: invitees\n", convene.FeedbackFromInvitees},
	} {
		t.Run(string(tt.want), func(t *testing.T) {
			p, err := plan.Parse(strings.NewReader(minimal(tt.yaml)))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Meetings[0].Meeting.Feedback.From; got != tt.want {
				t.Errorf("from = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseIssuer(t *testing.T) {
	t.Run("Example", func(t *testing.T) {
		p, err := plan.ParseFile("../examples/plan-82-KH-DU.yaml")
		if err != nil {
			t.Fatal(err)
		}
		iss := p.Meetings[0].Meeting.Issuer
		if iss.Office != "Văn phòng Đảng ủy" || iss.Board != "Ban Tổ chức Đảng ủy" || iss.Place != "TP. Hồ Chí Minh" ||
			iss.ContactPhone != "+84912888777" || iss.SignerAuthority != "T/L BAN THƯỜNG VỤ" || iss.SignerTitle != "CHÁNH VĂN PHÒNG" ||
			iss.SignerName == "" || len(iss.Recipients) != 2 || iss.LetterNumber != "45-GM/ĐU" {
			t.Errorf("issuer = %+v", iss)
		}
		if n := p.Meetings[1].Meeting.Issuer.LetterNumber; n != "52-GM/ĐU" {
			t.Errorf("second meeting's letter number = %q", n)
		}
		// The report is the board's: its own number, signer and recipients.
		if iss.ReportNumber != "15-BC/BTCĐU" || iss.ReportSignerTitle != "TRƯỞNG BAN" || iss.ReportSignerAuthority != "" ||
			iss.ReportSignerName != "Lê Minh Tuấn" || strings.Join(iss.ReportRecipients, "; ") != "Thường trực Đảng ủy (để báo cáo); Văn phòng Đảng ủy; Lưu Ban Tổ chức Đảng ủy" {
			t.Errorf("report issuer = %+v", iss)
		}
		if n := p.Meetings[1].Meeting.Issuer.ReportNumber; n != "18-BC/BTCĐU" {
			t.Errorf("second meeting's report number = %q", n)
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		p, err := plan.Parse(strings.NewReader("meetings:\n  - code: a\n    title: T\n    starts_at: 2024-03-28T08:00\n    categories:\n      - code: c\n        name: C\n"))
		if err != nil {
			t.Fatal(err)
		}
		if iss := p.Meetings[0].Meeting.Issuer; iss.Office != "Văn phòng Đảng ủy" || iss.Board != "Ban Tổ chức Đảng ủy" {
			t.Errorf("defaults = %+v", iss)
		}
	})
	t.Run("BadContactPhoneNamesLine", func(t *testing.T) {
		_, err := plan.Parse(strings.NewReader("contact_phone: 12\nmeetings:\n  - code: a\n    title: T\n    starts_at: 2024-03-28T08:00\n    categories:\n      - code: c\n        name: C\n"))
		if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "contact_phone") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("ReportDeputy", func(t *testing.T) {
		p, err := plan.Parse(strings.NewReader(reportPlan("report:\n  signer:\n    authority: K/T TRƯỞNG BAN\n    title: PHÓ TRƯỞNG BAN\n    name: Nguyễn Thị Thanh Thủy\n  recipients: [\"Thường trực Đảng ủy\", \" \", Lưu Ban Tổ chức]\n", "")))
		if err != nil {
			t.Fatal(err)
		}
		iss := p.Meetings[0].Meeting.Issuer
		if iss.ReportSignerAuthority != "K/T TRƯỞNG BAN" || iss.ReportSignerTitle != "PHÓ TRƯỞNG BAN" || iss.ReportSignerName != "Nguyễn Thị Thanh Thủy" ||
			strings.Join(iss.ReportRecipients, "; ") != "Thường trực Đảng ủy; Lưu Ban Tổ chức" || iss.ReportNumber != "" || iss.SignerName != "" {
			t.Errorf("issuer = %+v", iss)
		}
	})
	t.Run("ReportDefaults", func(t *testing.T) {
		p, err := plan.Parse(strings.NewReader(reportPlan("", "")))
		if err != nil {
			t.Fatal(err)
		}
		// Nothing stored: the report prints its defaults (see report).
		if iss := p.Meetings[0].Meeting.Issuer; iss.ReportSignerName != "" || iss.ReportSignerTitle != "" || iss.ReportRecipients != nil || iss.ReportNumber != "" {
			t.Errorf("issuer = %+v", iss)
		}
	})
}

// reportPlan is a one-meeting plan with top (before meetings) and meeting
// (under the meeting's code) lines; the meeting starts on the line after top.
func reportPlan(top, meeting string) string {
	return top + "meetings:\n  - code: a\n" + meeting + "    title: T\n    starts_at: 2024-03-28T08:00\n    categories:\n      - {code: c, name: C}\n"
}

// TestParseReportRejects: each bad report field is named with its line,
// and nothing is returned.
func TestParseReportRejects(t *testing.T) {
	signer := "report:\n  signer:\n"
	for _, tt := range []struct {
		name, top, meeting string
		want               string
	}{
		{"AuthorityWithoutTitle", signer + "    authority: K/T TRƯỞNG BAN\n    name: Nguyễn Thị Thanh Thủy\n", "",
			`plan: line 3: report: signer: authority "K/T TRƯỞNG BAN" needs the signer's own title under it`},
		{"TitleWithoutName", signer + "    title: TRƯỞNG BAN\n", "", "plan: line 3: report: signer: name required"},
		{"UnknownSignerField", signer + "    title: TRƯỞNG BAN\n    ten: Lê Minh Tuấn\n", "", "plan: line 4: field ten not found in a signer"},
		{"UnknownReportField", "report:\n  number: 15-BC/BTCĐU\n", "", "plan: line 2: field number not found in the report settings"},
		{"ReportNotMapping", "report: BTC\n", "", "line 1: cannot unmarshal !!str `BTC` into the report settings (want a mapping of signer, recipients)"},
		{"ValueCutMidLetter", "report: Ban Tổ chức\n", "", "line 1: cannot unmarshal !!str `Ban T...` into the report settings"},
		{"RecipientsNotList", "report:\n  recipients: {a: b}\n", "", "line 2: cannot unmarshal !!map into []string"},
		{"NameNotScalar", signer + "    title: TRƯỞNG BAN\n    name: [Lê, Tuấn]\n", "", "line 4: want a single value"},
		{"NumberWithSo", "", "    report_number: Số 15-BC/BTCĐU\n",
			`plan: line 3: meeting a: report_number "Số 15-BC/BTCĐU": write the number without "Số"`},
		{"NumberNotReport", "", "    report_number: 45-GM/ĐU\n",
			`plan: line 3: meeting a: report_number "45-GM/ĐU": want the number, -BC/ and the issuing body's initials, such as 15-BC/BTCĐU`},
		{"NumberWithSpace", "", "    report_number: 15-BC/BTC ĐU\n", `line 3: meeting a: report_number "15-BC/BTC ĐU"`},
		{"NumberList", "", "    report_number: [15, BC]\n", "line 3: want a single value"},
		{"LetterNumberWithSo", "", "    letter_number: Số 45-GM/ĐU\n",
			`plan: line 3: meeting a: letter_number "Số 45-GM/ĐU": write the number without "Số", which the document prints before it: such as 45-GM/ĐU`},
		{"LetterNumberNotLetter", "", "    letter_number: 15-BC/BTCĐU\n",
			`plan: line 3: meeting a: letter_number "15-BC/BTCĐU": want the number, -GM/ and the issuing body's initials, such as 45-GM/ĐU`},
		{"LetterNumberList", "", "    letter_number: [45, GM]\n", "line 3: want a single value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := plan.Parse(strings.NewReader(reportPlan(tt.top, tt.meeting)))
			if err == nil {
				t.Fatalf("no error: %+v", p.Meetings[0].Meeting.Issuer)
			}
			if p != nil || convene.ErrorCode(err) != convene.EINVALID {
				t.Errorf("plan %v, code %s", p, convene.ErrorCode(err))
			}
			if msg := convene.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q\nlacks %q", msg, tt.want)
			}
		})
	}
}
