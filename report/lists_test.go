package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/report"
)

// listData is testData with a substitute approved (an invitee standing in
// for another), one proposed, a program and units that sort by accents.
func listData() *report.Data {
	d := letterData()
	m := d.Meeting
	m.Program = convene.Program{Chair: "đồng chí Trần Văn Bình, Chánh Văn phòng Đảng ủy", Items: []convene.ProgramItem{
		{At: m.StartsAt, Title: "Khai mạc, giới thiệu đại biểu"},
		{At: m.StartsAt.Add(15 * time.Minute), Title: "Báo cáo kết quả sinh hoạt", Presenter: "đồng chí Nguyễn Văn An"},
	}}
	// Dương Quốc Nam (Thành ủy) sent Lê Hữu Phước, approved and invited.
	nam := d.Invitees[9]
	nam.SubstituteName, nam.SubstituteStatus = "Lê Hữu Phước", "approved"
	sub := *d.Invitees[2]
	sub.ID, sub.PersonID, sub.Token = 13, 13, "tok0000000000000000013"
	sub.Person = convene.Person{ID: 13, FullName: "Lê Hữu Phước", Unit: "Văn phòng Thành ủy", Title: "Chuyên viên"}
	sub.SubstituteFor = nam.ID
	d.Invitees = append(d.Invitees, &sub)
	// Bùi Văn Long proposes Phan Thị Quế, not yet decided.
	long := d.Invitees[7]
	long.RSVP, long.SubstituteName = convene.RSVPSubstitute, "Phan Thị Quế"
	long.Attendance = convene.AttendanceExcused
	// Units whose order needs Vietnamese collation.
	d.Invitees[0].Person.Unit = "Văn phòng Đảng ủy"
	d.Invitees[1].Person.Unit = "Đảng bộ Trường Cao đẳng Lý Tự Trọng"
	return d
}

func TestNamedLists(t *testing.T) {
	d := listData()
	ls := report.NamedLists(d)
	names := func(ns []report.Named) string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Name)
		}
		return strings.Join(out, ", ")
	}
	for _, tc := range []struct{ list, got, want string }{
		{"excused", names(ls.Excused), "Phạm Thu Dung, Hồ Thị Kim, Bùi Văn Long, Dương Quốc Nam"},
		{"absent", names(ls.Absent), "Võ Minh Em"},
		{"late", names(ls.Late), "Trần Thị Bình"},
		{"substitutes", names(ls.Substitutes), "Phan Thị Quế, Lê Hữu Phước"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.list, tc.got, tc.want)
		}
	}
	if ls.Excused[0].Reason != "Đi công tác Hà Nội" || ls.Late[0].Time != "08:01" ||
		ls.Substitutes[1].For != "Dương Quốc Nam" || ls.Substitutes[0].For != "Bùi Văn Long" {
		t.Errorf("details: %+v", ls)
	}
	md := string(render(t, d, "md"))
	for _, want := range []string{"## Đại biểu vắng có lý do", "- Phạm Thu Dung (Trường Lý Tự Trọng): Đi công tác Hà Nội",
		"## Đại biểu vắng không lý do", "## Đại biểu đến muộn", "điểm danh lúc 08:01",
		"## Người dự thay", "Lê Hữu Phước (Văn phòng Thành ủy) dự thay đồng chí Dương Quốc Nam — đã được chấp thuận",
		"Phan Thị Quế (Chi bộ 01) dự thay đồng chí Bùi Văn Long — chờ chấp thuận",
		"**Chương trình hội nghị**", "Dẫn chương trình: đồng chí Trần Văn Bình", "08:15 – Báo cáo kết quả sinh hoạt (đồng chí Nguyễn Văn An)",
		"điểm trung bình 4,00"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	text := pdfText(t, render(t, d, "pdf"), false)
	for _, want := range []string{"Đại biểu vắng không lý do", "Đại biểu đến muộn", "Người dự thay", "dự thay đồng chí Dương Quốc Nam",
		"Chương trình hội nghị", "08:15 – Báo cáo kết quả sinh hoạt"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdf lacks %q", want)
		}
	}
}

// TestUnitsInVietnameseOrder: "Đảng bộ…" sorts after "Chi bộ…" and before
// "Thành ủy" and "Văn phòng…", as a Vietnamese reader looks for them.
func TestUnitsInVietnameseOrder(t *testing.T) {
	s := report.Summarize(listData())
	var got []string
	for _, g := range s.ByUnit {
		got = append(got, g.Name)
	}
	want := "Chi bộ 01; Đảng bộ Trường Cao đẳng Lý Tự Trọng; Thành ủy; Trường Lý Tự Trọng; Trường Trung cấp Quận 12; Văn phòng Đảng ủy; Văn phòng Thành ủy"
	if strings.Join(got, "; ") != want {
		t.Errorf("units:\n got %s\nwant %s", strings.Join(got, "; "), want)
	}
}
