package report_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/report"
	"github.com/xuri/excelize/v2"
)

func mustTime(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }

// testData is meeting chi-bo-01 with 12 invitees across units and categories.
func testData(anonymous bool) *report.Data {
	m := &convene.Meeting{ID: 1, Code: "chi-bo-01", Title: `Hội nghị "sinh hoạt chi bộ thường kỳ" mẫu`, Kind: convene.KindRegular,
		Organization: "Đảng ủy Sở Giáo dục và Đào tạo", Plan: "82-KH/ĐU", Host: "Chi bộ 01 – Đảng bộ Trường Cao đẳng Lý Tự Trọng TP.HCM",
		StartsAt: mustTime("2024-03-28T01:00:00Z"), EndsAt: mustTime("2024-03-28T04:30:00Z"), Timezone: "Asia/Ho_Chi_Minh",
		Venue: "Hội trường Trường Cao đẳng Lý Tự Trọng", Address: "390 Hoàng Văn Thụ, Phường 4, Quận Tân Bình",
		RSVPDeadline: mustTime("2024-03-26T10:00:00Z"), Status: convene.StatusHeld, Feedback: convene.FeedbackSettings{Anonymous: anonymous}}
	cats := []*convene.Category{
		{ID: 1, Code: "thanh-uy", Name: "Đại diện Thường trực Thành ủy"},
		{ID: 2, Code: "cap-uy-co-so", Name: "Cấp ủy đảng bộ, chi bộ cơ sở"},
		{ID: 3, Code: "dang-vien", Name: "Đảng viên chi bộ thực hiện sinh hoạt mẫu"},
	}
	type row struct {
		name, unit string
		cat        int
		rsvp       convene.RSVP
		att        convene.Attendance
		reason     string
		linked     bool
	}
	rows := []row{
		{"Nguyễn Văn An", "Chi bộ 01", 3, convene.RSVPAttending, convene.AttendancePresent, "", true},
		{"Trần Thị Bình", "Chi bộ 01", 3, convene.RSVPAttending, convene.AttendanceLate, "", true},
		{"Lê Đức Cường", "Thành ủy", 1, convene.RSVPAttending, convene.AttendancePresent, "", true},
		{"Phạm Thu Dung", "Trường Lý Tự Trọng", 2, convene.RSVPDeclined, convene.AttendanceExcused, "Đi công tác Hà Nội", true},
		{"Võ Minh Em", "Trường Lý Tự Trọng", 2, convene.RSVPAttending, convene.AttendanceAbsent, "", true},
		{"Đặng Gia Huy", "Trường Trung cấp Quận 12", 2, convene.RSVPAttending, convene.AttendancePresent, "", true},
		{"Hồ Thị Kim", "Trường Trung cấp Quận 12", 3, convene.RSVPDeclined, convene.AttendanceExcused, "Ốm", false},
		{"Bùi Văn Long", "Chi bộ 01", 3, convene.RSVPPending, convene.AttendanceAbsent, "", false},
		{"Ngô Thị Mai", "Chi bộ 01", 3, convene.RSVPAttending, convene.AttendancePresent, "", true},
		{"Dương Quốc Nam", "Thành ủy", 1, convene.RSVPSubstitute, convene.AttendanceExcused, "", true},
		{"Lý Thu Oanh", "Trường Lý Tự Trọng", 2, convene.RSVPAttending, convene.AttendancePresent, "", true},
		{"Mai Văn Phúc", "Chi bộ 01", 3, convene.RSVPAttending, convene.AttendancePresent, "", true},
	}
	d := &report.Data{Meeting: m, Categories: cats, Generated: mustTime("2024-03-28T06:00:00Z"), Lang: "vi"}
	for i, r := range rows {
		inv := &convene.Invitee{
			Invitation: convene.Invitation{ID: int64(i + 1), MeetingID: 1, PersonID: int64(i + 1), CategoryID: int64(r.cat), Token: fmt.Sprintf("tok%019d", i),
				RSVP: r.rsvp, Reason: r.reason, Attendance: r.att},
			Person:   convene.Person{ID: int64(i + 1), FullName: r.name, Unit: r.unit, Phone: fmt.Sprintf("+8491234560%d", i%10), Title: "Đảng viên"},
			Category: *cats[r.cat-1],
		}
		if r.att == convene.AttendancePresent || r.att == convene.AttendanceLate {
			inv.CheckedInAt = m.StartsAt.Add(time.Duration(i) * time.Minute)
		}
		if r.linked {
			inv.Accounts = []*convene.Account{{ID: int64(i + 1), PersonID: int64(i + 1), Channel: "telegram", Reachable: true}}
		}
		d.Invitees = append(d.Invitees, inv)
	}
	answers := []struct {
		pid               int64
		s, w, sug, rating string
	}{
		{1, "Chuẩn bị tài liệu chu đáo", "Thời gian thảo luận còn ngắn", "Gửi tài liệu trước 3 ngày", "5"},
		{3, "Điều hành chặt chẽ", "", "Bổ sung phần hỏi đáp", "4"},
		{6, "Đúng quy trình", "Âm thanh hội trường chưa tốt", "", "4"},
		{9, "", "Một số đảng viên phát biểu chưa sâu", "", "3"},
	}
	for _, a := range answers {
		f := &convene.Feedback{MeetingID: 1, PersonID: a.pid, Answers: map[string]string{}}
		for k, v := range map[string]string{"strengths": a.s, "weaknesses": a.w, "suggestions": a.sug, "rating": a.rating} {
			if v != "" {
				f.Answers[k] = v
			}
		}
		fmt.Sscan(a.rating, &f.Rating)
		d.Responders = append(d.Responders, a.pid)
		if anonymous {
			f.PersonID = 0
		}
		d.Feedback = append(d.Feedback, f)
	}
	return d
}

func render(t *testing.T, d *report.Data, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := report.Write(&b, d, format); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.Bytes()
}

func TestJSON(t *testing.T) {
	d := testData(false)
	var out struct {
		Meeting  map[string]any `json:"meeting"`
		Invitees []struct {
			FullName    string            `json:"full_name"`
			Unit        string            `json:"unit"`
			Category    string            `json:"category"`
			Phone       string            `json:"phone"`
			Linked      bool              `json:"linked"`
			RSVP        string            `json:"rsvp"`
			Reason      string            `json:"reason"`
			Attendance  string            `json:"attendance"`
			CheckedInAt *time.Time        `json:"checked_in_at"`
			Feedback    map[string]string `json:"feedback"`
		} `json:"invitees"`
		Feedback map[string][]report.Answer `json:"feedback"`
		Summary  map[string]any             `json:"summary"`
	}
	if err := json.Unmarshal(render(t, d, "json"), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Invitees) != len(d.Invitees) || out.Meeting["code"] != "chi-bo-01" {
		t.Fatalf("%d invitees", len(out.Invitees))
	}
	// Counts computed independently from the data.
	want := map[string]int{}
	for _, inv := range d.Invitees {
		want[string(inv.RSVP)]++
		if inv.Attendance != "" {
			want[string(inv.Attendance)]++
		}
		if inv.Linked() {
			want["linked"]++
		}
	}
	for _, k := range []string{"attending", "declined", "substitute", "pending", "present", "late", "excused", "absent", "linked"} {
		if got := int(out.Summary[k].(float64)); got != want[k] {
			t.Errorf("summary.%s = %d, want %d", k, got, want[k])
		}
	}
	if int(out.Summary["invited"].(float64)) != 12 || int(out.Summary["feedback_responses"].(float64)) != 4 {
		t.Errorf("summary %v", out.Summary)
	}
	dist := out.Summary["rating_distribution"].(map[string]any)
	if dist["5"].(float64) != 1 || dist["4"].(float64) != 2 || dist["3"].(float64) != 1 || out.Summary["rating_average"].(float64) != 4 {
		t.Errorf("ratings %v avg %v", dist, out.Summary["rating_average"])
	}
	dung := out.Invitees[0]
	for _, inv := range out.Invitees {
		if inv.FullName == "Phạm Thu Dung" {
			dung = inv
		}
	}
	if dung.RSVP != "declined" || dung.Reason != "Đi công tác Hà Nội" || dung.Attendance != "excused" || dung.CheckedInAt != nil || dung.Category != "cap-uy-co-so" {
		t.Errorf("Dung = %+v", dung)
	}
	for _, inv := range out.Invitees {
		if inv.FullName == "Nguyễn Văn An" && (inv.Feedback["strengths"] != "Chuẩn bị tài liệu chu đáo" || inv.CheckedInAt == nil) {
			t.Errorf("An = %+v", inv)
		}
	}
	if len(out.Feedback["weaknesses"]) != 3 || out.Feedback["weaknesses"][0].Name == "" {
		t.Errorf("compiled weaknesses %+v", out.Feedback["weaknesses"])
	}
}

func TestCSV(t *testing.T) {
	b := render(t, testData(false), "csv")
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatal("no BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 || rows[0][0] != "full_name" || rows[0][len(rows[0])-1] != "feedback_rating" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	if rows[1][0] != "Nguyễn Văn An" || rows[1][7] != "attending" {
		t.Fatalf("row 1 %v", rows[1])
	}
	anon, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(render(t, testData(true), "csv"), []byte("\uFEFF")))).ReadAll()
	if strings.Contains(strings.Join(anon[0], ","), "feedback_") {
		t.Fatal("anonymous CSV ties answers to names")
	}
}

func TestMarkdown(t *testing.T) {
	md := string(render(t, testData(false), "md"))
	for _, want := range []string{"Báo cáo tổng hợp ý kiến đại biểu", "08:00, thứ Năm, 28/03/2024", "Đi công tác Hà Nội",
		"Âm thanh hội trường chưa tốt — _Đặng Gia Huy", "Những mặt hạn chế, chưa đúng cần khắc phục?", "5★ █ 1", "4★ ██ 2"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	t.Run("AnonymousHasNoNames", func(t *testing.T) {
		d := testData(true)
		md := string(render(t, d, "md"))
		fbPart := md[strings.Index(md, "## Ý kiến đại biểu"):]
		for _, inv := range d.Invitees {
			if strings.Contains(fbPart, inv.Person.FullName) {
				t.Errorf("anonymous feedback names %s", inv.Person.FullName)
			}
		}
		if !strings.Contains(fbPart, "Âm thanh hội trường chưa tốt") || !strings.Contains(md, "Số đại biểu góp ý: 4") {
			t.Error("anonymous answers or the count of who answered are missing")
		}
		var out struct {
			Invitees []struct {
				Feedback map[string]string `json:"feedback"`
			} `json:"invitees"`
			Feedback map[string][]report.Answer `json:"feedback"`
		}
		if err := json.Unmarshal(render(t, d, "json"), &out); err != nil {
			t.Fatal(err)
		}
		for _, inv := range out.Invitees {
			if len(inv.Feedback) > 0 {
				t.Error("anonymous JSON ties answers to an invitee")
			}
		}
		for q, as := range out.Feedback {
			for _, a := range as {
				if a.Name != "" || a.Unit != "" {
					t.Errorf("anonymous answer to %s names %q", q, a.Name)
				}
			}
		}
		if len(out.Feedback["strengths"]) != 3 {
			t.Error("anonymous answers missing")
		}
	})
	t.Run("English", func(t *testing.T) {
		d := testData(false)
		d.Lang = "en"
		md := string(render(t, d, "md"))
		if !strings.Contains(md, "Compiled report of delegates' feedback") || !strings.Contains(md, "08:00, Thursday, 28 March 2024") {
			t.Error("English report")
		}
	})
}

func TestXLSX(t *testing.T) {
	b := render(t, testData(false), "xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Tổng hợp|Điểm danh|Ý kiến|Tỷ lệ góp ý|Vắng, muộn, dự thay" {
		t.Fatalf("sheets %s", got)
	}
	att, _ := f.GetRows("Điểm danh")
	if len(att) != 13 || att[0][0] != "STT" || att[1][0] != "1" || att[1][1] != "Nguyễn Văn An" || att[4][1] != "Phạm Thu Dung" {
		t.Fatalf("attendance rows %d", len(att))
	}
	fb, _ := f.GetRows("Ý kiến")
	// 3 strengths + 3 weaknesses + 2 suggestions, grouped by question.
	if len(fb) != 9 || fb[1][0] != "Những mặt làm được cần tiếp tục phát huy?" || fb[8][0] != "Những thiếu sót trong quá trình chuẩn bị, tổ chức sinh hoạt và công tác điều hành cần bổ sung?" {
		t.Fatalf("feedback rows %v", fb)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 2 {
		t.Fatalf("%d charts, want 2", charts)
	}
}

func TestPDF(t *testing.T) {
	b := render(t, testData(false), "pdf")
	if !bytes.HasPrefix(b, []byte("%PDF")) || !bytes.Contains(b, []byte("FontFile2")) || !bytes.Contains(b, []byte("/CIDFontType2")) {
		t.Fatal("not a PDF with an embedded TrueType font")
	}
	t.Run("LettersOnePagePerInvitee", func(t *testing.T) {
		d := testData(false)
		var buf bytes.Buffer
		if err := report.Letters(&buf, d, func(inv *convene.Invitee) string { return "https://t.me/hop_bot?start=" + inv.Token }); err != nil {
			t.Fatal(err)
		}
		pages := regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(buf.Bytes(), -1)
		if len(pages) != len(d.Invitees) {
			t.Fatalf("%d pages for %d invitees", len(pages), len(d.Invitees))
		}
	})
}

func TestLabelsInBothLanguages(t *testing.T) {
	for _, id := range []string{"title", "sheet_summary", "letter_title", "rsvp.attending", "attendance.excused", "q.weaknesses"} {
		vi, en := report.T("vi", id), report.T("en", id)
		if vi == id || en == id || vi == en {
			t.Errorf("%s: vi %q en %q", id, vi, en)
		}
	}
}
