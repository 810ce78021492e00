package report_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/convene/convene/report"
	"github.com/xuri/excelize/v2"
)

// TestSameFiguresInEveryFormat renders one dataset as PDF, XLSX and
// Markdown and reads the key totals back from each: the three agree with
// each other and with Summarize. The named lists (excused, absent, late,
// substitutes) name the same people in the same order in PDF, XLSX,
// Markdown and JSON.
func TestSameFiguresInEveryFormat(t *testing.T) {
	d := listData()
	s := report.Summarize(d)
	keys := []string{"Được mời", "Xác nhận tham dự", "Báo vắng", "Cử người dự thay", "Chưa trả lời",
		"Có mặt", "Đến muộn", "Vắng có lý do", "Vắng không lý do", "Số đại biểu góp ý"}
	want := map[string]int{"Được mời": s.Invited, "Xác nhận tham dự": s.Attending, "Báo vắng": s.Declined,
		"Cử người dự thay": s.Substitute, "Chưa trả lời": s.Pending, "Có mặt": s.Present, "Đến muộn": s.Late,
		"Vắng có lý do": s.Excused, "Vắng không lý do": s.Absent, "Số đại biểu góp ý": s.Responses}
	if s.Invited != s.Attending+s.Declined+s.Substitute+s.Pending || s.Invited != s.Present+s.Late+s.Excused+s.Absent {
		t.Fatalf("the summary does not add up: %+v", s.Group)
	}

	// Markdown: "- Được mời: 13 · Đã kết nối Trợ lý hội nghị: 11", "Số đại biểu góp ý: 4 (57%)".
	md := string(render(t, d, "md"))
	got := map[string]int{}
	for _, k := range keys {
		m := regexp.MustCompile(`(?:^|[-·] |\n)` + regexp.QuoteMeta(k) + `: (\d+)`).FindStringSubmatch(md)
		if m == nil {
			t.Errorf("markdown: no %q", k)
			continue
		}
		got[k], _ = strconv.Atoi(m[1])
	}
	compare(t, "markdown", got, want)

	// XLSX: the summary sheet's key figures, label in A, value in B.
	f, err := excelize.OpenReader(bytes.NewReader(render(t, d, "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Tổng hợp")
	got = map[string]int{}
	for _, r := range rows {
		if len(r) >= 2 {
			if _, ok := want[r[0]]; ok {
				if _, seen := got[r[0]]; !seen {
					got[r[0]], _ = strconv.Atoi(r[1])
				}
			}
		}
	}
	compare(t, "xlsx", got, want)

	// PDF: the summary row (invited, attending, declined, substitute,
	// pending, present, late, excused, absent) and the responses line.
	text := strings.Join(strings.Fields(pdfText(t, render(t, d, "pdf"), true)), " ")
	m := regexp.MustCompile(`Tổng hợp((?: \d+){9})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("pdf: no summary row in\n%s", text)
	}
	got = map[string]int{}
	for i, n := range strings.Fields(m[1]) {
		got[keys[i]], _ = strconv.Atoi(n)
	}
	if r := regexp.MustCompile(`Số đại biểu góp ý: (\d+)`).FindStringSubmatch(text); r != nil {
		got["Số đại biểu góp ý"], _ = strconv.Atoi(r[1])
	}
	compare(t, "pdf", got, want)

	// The response rate, in percent, is the same too.
	rate := strconv.Itoa(int(s.ResponseRate*100+0.5)) + "%"
	if !strings.Contains(md, "góp ý: 4 ("+rate+")") || !strings.Contains(text, "góp ý: 4 ("+rate+")") {
		t.Errorf("response rate %s missing from markdown or pdf", rate)
	}

	// The named lists: the same people on each list in every format.
	ls := report.NamedLists(d)
	titles := map[string]string{"Đại biểu vắng có lý do": "excused", "Đại biểu vắng không lý do": "absent",
		"Đại biểu đến muộn": "late", "Người dự thay": "substitutes"}
	wantLists := map[string]string{"excused": names(ls.Excused), "absent": names(ls.Absent), "late": names(ls.Late), "substitutes": names(ls.Substitutes)}
	for k, v := range wantLists {
		if v == "" {
			t.Fatalf("list %s is empty: the test data should fill every list", k)
		}
	}
	// A line of a list starts with the name, then " (unit)".
	nameOf := func(line string) string { n, _, _ := strings.Cut(line, " ("); return n }
	// A list runs from its heading to the next heading (markdown: "#" or
	// "**"; pdf: the feedback section's heading).
	collect := func(format string, lines []string, bullet string) {
		t.Helper()
		got := map[string][]string{}
		list := ""
		for _, ln := range lines {
			ln = strings.TrimSpace(ln)
			if k, ok := titles[strings.TrimPrefix(ln, "## ")]; ok {
				list = k
				continue
			}
			switch item, ok := strings.CutPrefix(ln, bullet); {
			case strings.HasPrefix(ln, "#") || strings.HasPrefix(ln, "**") || ln == "Ý kiến đại biểu":
				list = ""
			case ok && list != "":
				got[list] = append(got[list], nameOf(item))
			}
		}
		compareLists(t, format, got, wantLists)
	}
	collect("markdown", strings.Split(md, "\n"), "- ")
	collect("pdf", strings.Split(pdfText(t, render(t, d, "pdf"), false), "\n"), "• ")

	var js struct {
		Lists map[string][]struct {
			Name string `json:"name"`
		} `json:"lists"`
	}
	if err := json.Unmarshal(render(t, d, "json"), &js); err != nil {
		t.Fatal(err)
	}
	gotJSON := map[string][]string{}
	for k, ns := range js.Lists {
		for _, n := range ns {
			gotJSON[k] = append(gotJSON[k], n.Name)
		}
	}
	compareLists(t, "json", gotJSON, wantLists)

	lrows, err := f.GetRows("Vắng, muộn, dự thay")
	if err != nil {
		t.Fatal(err)
	}
	gotXLSX := map[string][]string{}
	list := ""
	for _, r := range lrows {
		if len(r) == 0 {
			continue
		}
		if k, ok := titles[r[0]]; ok {
			list = k
		} else if _, err := strconv.Atoi(r[0]); err == nil && list != "" && len(r) > 1 {
			gotXLSX[list] = append(gotXLSX[list], r[1])
		}
	}
	compareLists(t, "xlsx", gotXLSX, wantLists)
}

func names(ns []report.Named) string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return strings.Join(out, ", ")
}

func compareLists(t *testing.T, format string, got map[string][]string, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if g := strings.Join(got[k], ", "); g != w {
			t.Errorf("%s: list %s = %q, want %q", format, k, g, w)
		}
	}
}

func compare(t *testing.T, format string, got, want map[string]int) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s: %s = %d (found %v), want %d", format, k, g, ok, w)
		}
	}
}
