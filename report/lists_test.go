package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/report"
	"github.com/xuri/excelize/v2"
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

// TestJSONListsAndProgram: the JSON report carries the named lists with
// machine values (a substitute's status, a late arrival's check-in time in
// UTC) and the program with its chair; the fields it had are unchanged.
func TestJSONListsAndProgram(t *testing.T) {
	d := listData()
	d.Meeting.Issuer.ReportNumber = "15-BC/BTCĐU"
	var out struct {
		Meeting struct {
			Code         string `json:"code"`
			ReportNumber string `json:"report_number"`
		} `json:"meeting"`
		Invitees []map[string]any `json:"invitees"`
		Lists    struct {
			Excused     []report.Named `json:"excused"`
			Absent      []report.Named `json:"absent"`
			Late        []report.Named `json:"late"`
			Substitutes []report.Named `json:"substitutes"`
		} `json:"lists"`
		Program struct {
			Chair string `json:"chair"`
			Items []struct {
				At        time.Time `json:"at"`
				Time      string    `json:"time"`
				Title     string    `json:"title"`
				Presenter string    `json:"presenter"`
			} `json:"items"`
		} `json:"program"`
	}
	if err := json.Unmarshal(render(t, d, "json"), &out); err != nil {
		t.Fatal(err)
	}
	if out.Meeting.Code != "chi-bo-01" || out.Meeting.ReportNumber != "15-BC/BTCĐU" || len(out.Invitees) != len(d.Invitees) {
		t.Errorf("meeting %+v, %d invitees", out.Meeting, len(out.Invitees))
	}
	ls := out.Lists
	if len(ls.Excused) != 4 || ls.Excused[0].Name != "Phạm Thu Dung" || ls.Excused[0].Reason != "Đi công tác Hà Nội" || ls.Excused[0].Unit != "Trường Lý Tự Trọng" {
		t.Errorf("excused %+v", ls.Excused)
	}
	// Dương Quốc Nam gave no reason but sent a substitute: named, not described.
	if nam := ls.Excused[3]; nam.Name != "Dương Quốc Nam" || nam.Reason != "" || nam.Substitute != "Lê Hữu Phước" {
		t.Errorf("excused with substitute %+v", nam)
	}
	if len(ls.Absent) != 1 || ls.Absent[0].Name != "Võ Minh Em" {
		t.Errorf("absent %+v", ls.Absent)
	}
	if len(ls.Late) != 1 || ls.Late[0].Name != "Trần Thị Bình" || ls.Late[0].Time != "08:01" || ls.Late[0].CheckedInAt == nil ||
		!ls.Late[0].CheckedInAt.Equal(mustTime("2024-03-28T01:01:00Z")) {
		t.Errorf("late %+v", ls.Late)
	}
	if len(ls.Substitutes) != 2 || ls.Substitutes[0].Name != "Phan Thị Quế" || ls.Substitutes[0].For != "Bùi Văn Long" || ls.Substitutes[0].Status != "proposed" ||
		ls.Substitutes[1].Name != "Lê Hữu Phước" || ls.Substitutes[1].For != "Dương Quốc Nam" || ls.Substitutes[1].Status != "approved" {
		t.Errorf("substitutes %+v", ls.Substitutes)
	}
	p := out.Program
	if p.Chair != "đồng chí Trần Văn Bình, Chánh Văn phòng Đảng ủy" || len(p.Items) != 2 || p.Items[1].Time != "08:15" ||
		!p.Items[1].At.Equal(mustTime("2024-03-28T01:15:00Z")) || p.Items[1].Title != "Báo cáo kết quả sinh hoạt" || p.Items[1].Presenter != "đồng chí Nguyễn Văn An" {
		t.Errorf("program %+v", p)
	}
	// A meeting without a program or anyone on a list: empty lists, not null.
	empty := testData(false)
	empty.Invitees = nil
	b := string(render(t, empty, "json"))
	for _, want := range []string{`"excused": []`, `"absent": []`, `"late": []`, `"substitutes": []`, `"items": []`, `"report_number": ""`} {
		if !strings.Contains(b, want) {
			t.Errorf("empty report lacks %s", want)
		}
	}
}

// TestXLSXNamedLists reads the named lists' sheet back: a title, each
// list under its heading with a formatted header row (STT, name, title,
// unit and the list's own columns), numbered from 1, the people in order.
func TestXLSXNamedLists(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(render(t, listData(), "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sheet = "Vắng, muộn, dự thay"
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "Danh sách đại biểu vắng mặt, đến muộn và người dự thay" {
		t.Errorf("title %q", rows[0])
	}
	find := func(s string) int {
		for i, r := range rows {
			if len(r) > 0 && r[0] == s {
				return i
			}
		}
		t.Fatalf("no row %q in %q", s, rows)
		return -1
	}
	for _, tc := range []struct {
		heading, header, first string
	}{
		{"Đại biểu vắng có lý do", "STT|Họ và tên|Chức vụ|Đơn vị|Lý do", "1|Phạm Thu Dung|Đảng viên|Trường Lý Tự Trọng|Đi công tác Hà Nội"},
		{"Đại biểu vắng không lý do", "STT|Họ và tên|Chức vụ|Đơn vị", "1|Võ Minh Em|Đảng viên|Trường Lý Tự Trọng"},
		{"Đại biểu đến muộn", "STT|Họ và tên|Chức vụ|Đơn vị|Giờ điểm danh", "1|Trần Thị Bình|Đảng viên|Đảng bộ Trường Cao đẳng Lý Tự Trọng|08:01"},
		{"Người dự thay", "STT|Họ và tên|Chức vụ|Đơn vị|Dự thay đồng chí|Tình trạng", "1|Phan Thị Quế||Chi bộ 01|Bùi Văn Long|chờ chấp thuận"},
	} {
		i := find(tc.heading)
		if got := strings.Join(rows[i+1], "|"); got != tc.header {
			t.Errorf("%s: header %q, want %q", tc.heading, got, tc.header)
		}
		if got := strings.Join(rows[i+2], "|"); got != tc.first {
			t.Errorf("%s: first row %q, want %q", tc.heading, got, tc.first)
		}
		// The header row is formatted: bold on a fill, wrapped.
		cell := fmt.Sprintf("A%d", i+2)
		id, _ := f.GetCellStyle(sheet, cell)
		st, _ := f.GetStyle(id)
		if st == nil || st.Font == nil || !st.Font.Bold || len(st.Fill.Color) == 0 {
			t.Errorf("%s: header %s not formatted: %+v", tc.heading, cell, st)
		}
	}
	// Dương Quốc Nam sent a substitute without a reason: the sheet says so.
	i := find("Đại biểu vắng có lý do")
	if got := strings.Join(rows[i+5], "|"); got != "4|Dương Quốc Nam|Đảng viên|Thành ủy|cử đồng chí Lê Hữu Phước dự thay" {
		t.Errorf("row 4 of the excused: %q", got)
	}
	if w, _ := f.GetColWidth(sheet, "D"); w < 30 {
		t.Errorf("unit column %v wide", w)
	}
}
