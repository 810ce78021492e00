package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/report"
	"github.com/xuri/excelize/v2"
)

// unitData is testData with a press category of guests (one reporter,
// present) and the units section: one unit short, one that sent nobody.
func unitData() *report.Data {
	d := testData(false)
	press := &convene.Category{ID: 4, Code: "bao-chi-tp", Name: "Cơ quan báo chí Thành phố", Guests: true}
	d.Categories = append(d.Categories, press)
	d.Invitees = append(d.Invitees, &convene.Invitee{
		Invitation: convene.Invitation{ID: 99, MeetingID: 1, PersonID: 99, CategoryID: 4, Token: "tok-press-000000000000", RSVP: convene.RSVPAttending,
			Attendance: convene.AttendancePresent, CheckedInAt: d.Meeting.StartsAt},
		Person:   convene.Person{ID: 99, FullName: "Phóng viên Báo Sài Gòn Giải Phóng", Unit: "Báo Sài Gòn Giải Phóng"},
		Category: *press,
	})
	d.Units = []convene.UnitCount{
		{UnitID: 1, Unit: "Đảng bộ Trường THPT Nguyễn Du", CategoryID: 2, Category: "cap-uy-co-so", CategoryName: "Cấp ủy đảng bộ, chi bộ cơ sở", Asked: 2, Nominated: 2, Linked: 1, Attending: 1},
		{UnitID: 1, Unit: "Đảng bộ Trường THPT Nguyễn Du", CategoryID: 3, Category: "dang-vien", CategoryName: "Đảng viên", Asked: 1},
		{UnitID: 2, Unit: "=HYPERLINK(\"http://x\")", CategoryID: 2, Category: "cap-uy-co-so", CategoryName: "Cấp ủy đảng bộ, chi bộ cơ sở", Asked: 2},
	}
	return d
}

func TestUnitsSection(t *testing.T) {
	t.Run("JSONRowsAndSummary", func(t *testing.T) {
		var out struct {
			Units           []map[string]any `json:"units"`
			UnitsSentNobody []string         `json:"units_sent_nobody"`
			Summary         struct {
				Invited        int             `json:"invited"`
				AttendanceRate float64         `json:"attendance_rate"`
				Guests         *map[string]any `json:"guests"`
				ByUnit         []struct {
					Name string `json:"name"`
				} `json:"by_unit"`
			} `json:"summary"`
		}
		if err := json.Unmarshal(render(t, unitData(), "json"), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Units) != 3 {
			t.Fatalf("units = %v", out.Units)
		}
		for _, row := range out.Units {
			var keys []string
			for k := range row {
				keys = append(keys, k)
			}
			if len(row) != 6 || row["unit"] == nil || row["category"] == nil || row["asked"] == nil || row["nominated"] == nil ||
				row["linked"] == nil || row["attending"] == nil {
				t.Fatalf("row keys = %v", keys)
			}
		}
		if out.Units[0]["nominated"].(float64) != 2 || out.Units[0]["linked"].(float64) != 1 {
			t.Fatalf("row 0 = %v", out.Units[0])
		}
		if len(out.UnitsSentNobody) != 1 || out.UnitsSentNobody[0] != `=HYPERLINK("http://x")` {
			t.Fatalf("sent nobody = %v", out.UnitsSentNobody)
		}
		// 12 delegates, 7 came; the reporter who came is a guest.
		if out.Summary.Invited != 12 || out.Summary.AttendanceRate != 0.583 || out.Summary.Guests == nil {
			t.Fatalf("summary invited %d, rate %v, guests %v", out.Summary.Invited, out.Summary.AttendanceRate, out.Summary.Guests)
		}
		for _, u := range out.Summary.ByUnit {
			if u.Name == "Báo Sài Gòn Giải Phóng" {
				t.Fatal("a guest counted among the units' delegates")
			}
		}
	})

	t.Run("JSONWithoutUnitsHasEmptyArray", func(t *testing.T) {
		b := render(t, testData(false), "json")
		if !bytes.Contains(b, []byte(`"units": []`)) {
			t.Fatal("no empty units array")
		}
	})

	t.Run("CSVSecondTableNeutralised", func(t *testing.T) {
		b := render(t, unitData(), "csv")
		parts := strings.SplitN(string(b), "\n\n", 2)
		if len(parts) != 2 {
			t.Fatal("no units table after an empty line")
		}
		rows, err := csv.NewReader(strings.NewReader(parts[1])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "unit,category,asked,nominated,linked,attending" || len(rows) != 4 {
			t.Fatalf("units table = %v", rows)
		}
		if rows[1][3] != "2" || strings.HasPrefix(rows[3][0], "=") {
			t.Fatalf("rows = %v", rows)
		}
	})

	t.Run("MarkdownAskedSentAndNobody", func(t *testing.T) {
		s := string(render(t, unitData(), "md"))
		for _, want := range []string{"## Các đơn vị cử đại biểu", "**Đảng bộ Trường THPT Nguyễn Du** (2/3)",
			"Cấp ủy đảng bộ, chi bộ cơ sở: đã cử 2/2 đồng chí (đã kết nối 1, xác nhận dự 1)", "được mời cử 5 đồng chí, đã cử 2 đồng chí",
			"**Đơn vị chưa cử đồng chí nào** (1)", "Tỷ lệ đại biểu tham dự: 58%", "Khách mời (không tính vào tỷ lệ tham dự): 1"} {
			if !strings.Contains(s, want) {
				t.Errorf("markdown lacks %q", want)
			}
		}
		if s2 := string(render(t, testData(false), "md")); strings.Contains(s2, "Các đơn vị cử đại biểu") {
			t.Error("units section in a meeting without units")
		}
	})

	t.Run("XLSXSheet", func(t *testing.T) {
		f, err := excelize.OpenReader(bytes.NewReader(render(t, unitData(), "xlsx")))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("Đơn vị cử đại biểu")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 4 || rows[0][0] != "STT" || rows[1][0] != "1" || rows[1][1] != "Đảng bộ Trường THPT Nguyễn Du" || rows[1][4] != "2" || strings.HasPrefix(rows[3][1], "=") {
			t.Fatalf("sheet = %v", rows)
		}
	})

	t.Run("PDFTable", func(t *testing.T) {
		b := render(t, unitData(), "pdf")
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext (poppler-utils) not installed")
		}
		path := filepath.Join(t.TempDir(), "r.pdf")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Các đơn vị cử đại biểu", "Nguyễn Du", "Đơn vị chưa cử đồng chí nào"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("PDF lacks %q", want)
			}
		}
	})
}

func TestUnitsCommandFormats(t *testing.T) {
	rows := unitData().Units
	var b bytes.Buffer
	if err := report.UnitsJSON(&b, nil); err != nil || strings.TrimSpace(b.String()) != "[]" {
		t.Fatalf("empty JSON = %q, %v", b.String(), err)
	}
	b.Reset()
	if err := report.UnitsCSV(&b, rows, true); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "\uFEFFunit,category,asked,nominated,linked,attending\n") || strings.Contains(b.String(), "\n=") {
		t.Fatalf("csv = %q", b.String())
	}
	if got := report.SentNobody(rows); len(got) != 1 {
		t.Fatalf("sent nobody = %v", got)
	}
}
