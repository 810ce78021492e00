package report_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/convene/convene/report"
	"github.com/xuri/excelize/v2"
)

// TestSummaryLayout: the charts start right of the tables (A–G), each
// beside its own data, and the rating chart below the attendance chart,
// for few and for many categories.
func TestSummaryLayout(t *testing.T) {
	for _, cats := range []int{0, 1, 3, 12, 40} {
		for _, head := range []int{18, 24} {
			l := report.SummaryLayout(head, cats)
			name := fmt.Sprintf("head %d, %d categories", head, cats)
			if l.CategoryRow <= head || l.RatingRow <= l.CategoryRow+cats {
				t.Errorf("%s: tables overlap: %+v", name, l)
			}
			ac, ar, err := excelize.CellNameToCoordinates(l.AttendanceChart)
			if err != nil {
				t.Fatal(err)
			}
			rc, rr, err := excelize.CellNameToCoordinates(l.RatingChart)
			if err != nil {
				t.Fatal(err)
			}
			if ac <= 7 || rc <= 7 { // the tables reach column G
				t.Errorf("%s: a chart over the tables: %+v", name, l)
			}
			if ar != l.CategoryRow {
				t.Errorf("%s: attendance chart at row %d, its table at %d", name, ar, l.CategoryRow)
			}
			if rr < ar+l.AttendanceRows || rr < l.RatingRow {
				t.Errorf("%s: rating chart at row %d covers the attendance chart (rows %d–%d) or is above its table (%d)",
					name, rr, ar, ar+l.AttendanceRows-1, l.RatingRow)
			}
		}
	}
}

// TestXLSXFormats reads the workbook back: the organization and host at
// the top, STT columns, rates as percent, series named by cell references,
// charts where SummaryLayout puts them.
func TestXLSXFormats(t *testing.T) {
	b := render(t, letterData(), "xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sum := "Tổng hợp"
	rows, _ := f.GetRows(sum)
	if rows[0][0] != "ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO" || rows[1][0] != "BAN TỔ CHỨC ĐẢNG ỦY" {
		t.Errorf("top rows %q %q", rows[0], rows[1])
	}
	var hostRow, rateRow, catRow int
	for i, r := range rows {
		switch {
		case len(r) > 1 && r[0] == "Đơn vị thực hiện":
			hostRow = i + 1
		case len(r) > 1 && r[0] == "Tỷ lệ góp ý":
			rateRow = i + 1
		case len(r) > 1 && r[0] == "STT":
			catRow = i + 1
		}
	}
	if hostRow == 0 || rateRow == 0 || catRow == 0 {
		t.Fatalf("host %d, rate %d, category table %d:\n%q", hostRow, rateRow, catRow, rows)
	}
	numFmt := func(sheet, cell string) int {
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st.NumFmt
	}
	if n := numFmt(sum, fmt.Sprintf("B%d", rateRow)); n != 9 {
		t.Errorf("response rate number format %d, want 9 (0%%)", n)
	}
	if v, _ := f.GetCellValue(sum, fmt.Sprintf("B%d", rateRow)); v != "57%" {
		t.Errorf("response rate shows %q", v)
	}
	if n := numFmt("Tỷ lệ góp ý", "F2"); n != 9 {
		t.Errorf("rate sheet number format %d", n)
	}
	if v, _ := f.GetCellValue("Tỷ lệ góp ý", "A1"); v != "STT" {
		t.Errorf("rate sheet A1 %q", v)
	}
	// The charts: anchored where SummaryLayout says, series named by cells.
	head := catRow - 2
	lay := report.SummaryLayout(head, 3)
	if lay.CategoryRow != catRow {
		t.Errorf("category table at %d, layout says %d", catRow, lay.CategoryRow)
	}
	parts := unzip(t, b)
	drawing := parts["xl/drawings/drawing1.xml"]
	for _, cell := range []string{lay.AttendanceChart, lay.RatingChart} {
		c, r, _ := excelize.CellNameToCoordinates(cell)
		if want := fmt.Sprintf("<xdr:col>%d</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>%d</xdr:row>", c-1, r-1); !strings.Contains(drawing, want) {
			t.Errorf("no chart anchored at %s (%s) in:\n%s", cell, want, drawing)
		}
	}
	for _, chart := range []string{"xl/charts/chart1.xml", "xl/charts/chart2.xml"} {
		x := parts[chart]
		if strings.Count(x, "<ser>") == 0 || strings.Count(x, "<tx><strRef><f>") != strings.Count(x, "<ser>") {
			t.Errorf("%s: a series named by a literal, not a cell", chart)
		}
	}
}

// unzip returns the workbook's parts by name.
func unzip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		out[zf.Name] = string(data)
	}
	return out
}

// TestXLSXPrintSetup: every sheet prints on A4 one page wide, the wide
// ones landscape; the tables' header rows are frozen and repeated on each
// printed page; a row whose text wraps is tall enough for it.
func TestXLSXPrintSetup(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(render(t, exampleData(t), "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	landscape := map[string]bool{"Tổng hợp": true, "Điểm danh": true, "Ý kiến": true, "Vắng, muộn, dự thay": true}
	titles := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = strings.HasSuffix(dn.RefersTo, "!$1:$1")
		}
	}
	sheets := f.GetSheetList()
	if len(sheets) != 6 {
		t.Errorf("sheets %q", sheets)
	}
	for _, sh := range sheets {
		pl, err := f.GetPageLayout(sh)
		if err != nil {
			t.Fatal(err)
		}
		props, _ := f.GetSheetProps(sh)
		want := "portrait"
		if landscape[sh] {
			want = "landscape"
		}
		if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != want || pl.FitToWidth == nil || *pl.FitToWidth != 1 ||
			pl.FitToHeight == nil || *pl.FitToHeight != 0 || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: page layout %+v, fit to page %v", sh, pl, props.FitToPage)
		}
		if sh == "Tổng hợp" || sh == "Vắng, muộn, dự thay" {
			continue
		}
		if !titles[sh] {
			t.Errorf("%s: no header row repeated on each page", sh)
		}
		if p, _ := f.GetPanes(sh); !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s: header row not frozen: %+v", sh, p)
		}
	}
	// Row 2 of the feedback sheet holds a long answer: it is taller than one line.
	if h, _ := f.GetRowHeight("Ý kiến", 2); h < 30 {
		t.Errorf("a wrapped answer's row is %v pt high", h)
	}
}
