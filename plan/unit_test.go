package plan_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/plan"
)

// unitsPlan is a one-meeting plan; its units block starts on line 14.
const unitsPlan = `plan: 82-KH/ĐU
meetings:
  - code: chi-bo-01
    title: Hội nghị sinh hoạt chi bộ mẫu
    starts_at: 2024-03-28T08:00
    chair: Đồng chí Lê Thị Hồng
    categories:
      - code: cap-uy
        name: Cấp ủy đảng bộ, chi bộ cơ sở
        quota: 2
      - code: bao-chi
        name: Cơ quan báo chí Thành phố
        guests: true
    units:
      - name: Đảng bộ Trường Cao đẳng Lý Tự Trọng
        representative: {name: Võ Minh Tâm, title: Phó Bí thư, phone: 0903 000 001}
        nomination_deadline: 2024-03-25T17:00
        quotas: {cap-uy: 3}
      - name: Chi bộ Văn phòng Sở
        representative:
          name: Đặng Thu Hà
          phone: "+84903000002"
    program:
      - time: "08:00"
        title: Tuyên bố lý do
        presenter: Lê Thị Hồng
      - time: 2024-03-28T08:15
        title: Sinh hoạt chi bộ mẫu
`

func TestParseUnits(t *testing.T) {
	p, err := plan.Parse(strings.NewReader(unitsPlan))
	if err != nil {
		t.Fatal(err)
	}
	pm := p.Meetings[0]
	if len(pm.Units) != 2 {
		t.Fatalf("units = %+v", pm.Units)
	}
	u := pm.Units[0]
	if u.Name != "Đảng bộ Trường Cao đẳng Lý Tự Trọng" || u.Rep.Phone != "+84903000001" || u.Rep.Title != "Phó Bí thư" || u.Quotas["cap-uy"] != 3 ||
		!u.NominationDeadline.Equal(time.Date(2024, 3, 25, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("unit = %+v", u)
	}
	if pm.Units[1].Quotas != nil || pm.Units[1].Rep.Phone != "+84903000002" {
		t.Fatalf("unit 2 = %+v", pm.Units[1])
	}
	if !pm.Categories[1].Guests || pm.Categories[0].Guests {
		t.Fatal("guests")
	}
	prog := pm.Meeting.Program
	if prog.Chair != "Đồng chí Lê Thị Hồng" || len(prog.Items) != 2 || !prog.Items[0].At.Equal(time.Date(2024, 3, 28, 1, 0, 0, 0, time.UTC)) ||
		!prog.Items[1].At.Equal(time.Date(2024, 3, 28, 1, 15, 0, 0, time.UTC)) || prog.Items[0].Presenter != "Lê Thị Hồng" {
		t.Fatalf("program = %+v", prog)
	}
}

func TestParseUnitsRejects(t *testing.T) {
	cases := []struct {
		name, old, new string
		line           int
		want           string
	}{
		{"UnknownCategory", "quotas: {cap-uy: 3}", "quotas: {dang-vien: 3}", 18, `unknown category "dang-vien"`},
		{"NegativeQuota", "quotas: {cap-uy: 3}", "quotas: {cap-uy: -1}", 18, "must not be negative"},
		{"QuotaNotANumber", "quotas: {cap-uy: 3}", "quotas: {cap-uy: two}", 18, "not a whole number"},
		{"RepWithoutPhone", `          phone: "+84903000002"`, "", 21, "has no phone"},
		{"RepBadPhone", "0903 000 001", "12", 16, "representative's phone"},
		{"DuplicateUnit", "Chi bộ Văn phòng Sở", "đảng bộ trường cao đẳng lý tự trọng", 19, "listed twice (first on line 15)"},
		{"DeadlineAfterStart", "nomination_deadline: 2024-03-25T17:00", "nomination_deadline: 2024-03-28T09:00", 17, "after the meeting starts"},
		{"BadDeadline", "nomination_deadline: 2024-03-25T17:00", "nomination_deadline: soon", 17, "nomination_deadline"},
		{"UnitWithoutName", "- name: Chi bộ Văn phòng Sở", "- name: \"\"", 19, "name required"},
		{"ProgramBadTime", `time: "08:00"`, `time: "8 giờ"`, 24, "program item 1"},
		{"ProgramOutOfOrder", `time: "08:00"`, `time: "09:00"`, 27, "before the item above"},
		{"UnknownUnitKey", "nomination_deadline: 2024-03-25T17:00", "deadline: 2024-03-25T17:00", 17, "deadline not found in a unit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(unitsPlan, tc.old, tc.new, 1)
			if src == unitsPlan {
				t.Fatal("the case changes nothing")
			}
			_, err := plan.Parse(strings.NewReader(src))
			if convene.ErrorCode(err) != convene.EINVALID {
				t.Fatalf("err = %v", err)
			}
			msg := convene.ErrorMessage(err)
			if !strings.Contains(msg, "line "+strconv.Itoa(tc.line)+":") || !strings.Contains(msg, tc.want) {
				t.Fatalf("message %q, want line %d and %q", msg, tc.line, tc.want)
			}
		})
	}
}
