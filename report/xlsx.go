package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/convene/convene/texts"
	"github.com/xuri/excelize/v2"
)

// XLSX writes a workbook: Summary (key figures, a chart of attendance by
// category and one of the rating distribution), Attendance (one row per
// invitee), Feedback (by question, then category and unit), Response rate
// by unit, Units (if the meeting has any) and the named lists (excused,
// absent, late, substitutes). Sheet names follow the report's language;
// each sheet prints one page wide on A4.
func XLSX(w io.Writer, d *Data) error {
	f := excelize.NewFile()
	defer f.Close()
	l := d.Lang
	s := Summarize(d)
	sum, att, fbk, rate := T(l, "sheet_summary"), T(l, "sheet_attendance"), T(l, "sheet_feedback"), T(l, "sheet_rate")
	if err := f.SetSheetName("Sheet1", sum); err != nil {
		return err
	}
	for _, name := range []string{att, fbk, rate} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	// Header rows: bold on a light fill, wrapped and centred so a long
	// label ("Xác nhận tham dự") shows whole in a narrow column.
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Family: "Calibri", Size: 11}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Family: "Calibri", Size: 14}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return err
	}
	rows := func(sheet string, start int, data [][]any) error {
		for i, row := range data {
			cell, _ := excelize.CoordinatesToCellName(1, start+i)
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return err
			}
		}
		return nil
	}

	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9, Alignment: &excelize.Alignment{Vertical: "center"}}) // 0%
	if err != nil {
		return err
	}
	middle, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "center"}}) // numbers beside wrapped text
	if err != nil {
		return err
	}
	center, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	if err != nil {
		return err
	}
	// Summary: who reports, the meeting, the key figures, then the tables
	// the charts draw, the charts beside them.
	m := d.Meeting
	head := [][]any{{SafeCell(strings.ToUpper(orDefault(m.Organization, m.Issuer.BoardName())))}}
	if m.Organization != "" {
		head = append(head, []any{SafeCell(strings.ToUpper(m.Issuer.BoardName()))})
	}
	if n := m.Issuer.ReportNumber; n != "" {
		head = append(head, []any{SafeCell(Tf(l, "letter_number", map[string]any{"Number": n}))})
	}
	head = append(head, []any{T(l, "title")}, []any{SafeCell(m.Title)}, []any{T(l, "time"), when(d, m.StartsAt)},
		[]any{T(l, "venue"), SafeCell(strings.Trim(m.Venue+", "+m.Address, ", "))})
	if m.Host != "" {
		head = append(head, []any{T(l, "host"), SafeCell(m.Host)})
	}
	if m.Program.Chair != "" {
		head = append(head, []any{T(l, "chair"), SafeCell(m.Program.Chair)})
	}
	titleRow := len(head) - 3 - btoi(m.Host != "") - btoi(m.Program.Chair != "")
	head = append(head, []any{})
	figures := [][]any{
		{T(l, "invited"), s.Invited}, {T(l, "linked"), s.Linked}, {T(l, "attending"), s.Attending}, {T(l, "declined"), s.Declined},
		{T(l, "substitute"), s.Substitute}, {T(l, "pending"), s.Pending}, {T(l, "present"), s.Present}, {T(l, "late"), s.Late},
		{T(l, "excused"), s.Excused}, {T(l, "absent"), s.Absent}, {T(l, "attendance_rate"), s.AttendanceRate},
		{T(l, "responses"), s.Responses}, {T(l, "response_rate"), s.ResponseRate}, {T(l, "rating_average"), s.RatingAverage},
	}
	lay := SummaryLayout(len(head)+len(figures), len(s.ByCategory))
	if err := rows(sum, 1, append(head, figures...)); err != nil {
		return err
	}
	_ = f.SetCellStyle(sum, "A1", "A2", title)
	_ = f.SetCellStyle(sum, fmt.Sprintf("A%d", titleRow), fmt.Sprintf("A%d", titleRow), title)
	for i, row := range figures {
		if _, ok := row[1].(float64); ok && i != len(figures)-1 { // the rates, not the average rating
			cell := fmt.Sprintf("B%d", len(head)+1+i)
			_ = f.SetCellStyle(sum, cell, cell, pct)
		}
	}
	_ = f.SetColWidth(sum, "A", "A", 30)
	_ = f.SetColWidth(sum, "B", "B", 40)
	_ = f.SetColWidth(sum, "C", "G", 12)
	// Chart data: attendance by category (STT, category, figures), then the
	// rating distribution.
	catRow := lay.CategoryRow
	catTable := [][]any{{T(l, "stt"), T(l, "category"), T(l, "invited"), T(l, "attending"), T(l, "present"), T(l, "excused"), T(l, "absent")}}
	for i, g := range s.ByCategory {
		catTable = append(catTable, []any{i + 1, SafeCell(g.Name), g.Invited, g.Attending, g.Attended(), g.Excused, g.Absent})
	}
	if err := rows(sum, catRow, catTable); err != nil {
		return err
	}
	_ = f.SetCellStyle(sum, fmt.Sprintf("A%d", catRow), fmt.Sprintf("G%d", catRow), bold)
	if len(catTable) > 1 {
		_ = f.SetCellStyle(sum, fmt.Sprintf("A%d", catRow+1), fmt.Sprintf("A%d", catRow+len(catTable)-1), center)
		_ = f.SetCellStyle(sum, fmt.Sprintf("B%d", catRow+1), fmt.Sprintf("B%d", catRow+len(catTable)-1), wrap)
		_ = f.SetCellStyle(sum, fmt.Sprintf("C%d", catRow+1), fmt.Sprintf("G%d", catRow+len(catTable)-1), middle)
		fitHeights(f, sum, catRow, catTable, []float64{30, 40, 12, 12, 12, 12, 12})
	}
	rateRow := lay.RatingRow
	rateTable := [][]any{{T(l, "score"), T(l, "count")}}
	for n := 1; n <= 5; n++ {
		rateTable = append(rateTable, []any{T(l, "score."+strconv.Itoa(n)), s.RatingDistribution[strconv.Itoa(n)]})
	}
	if err := rows(sum, rateRow, rateTable); err != nil {
		return err
	}
	_ = f.SetCellStyle(sum, fmt.Sprintf("A%d", rateRow), fmt.Sprintf("B%d", rateRow), bold)
	q := func(s string) string { return "'" + s + "'" }
	first, last := catRow+1, catRow+len(catTable)-1
	var series []excelize.ChartSeries
	for _, col := range []string{"C", "D", "E", "F", "G"} {
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$%d", q(sum), col, catRow),
			Categories: fmt.Sprintf("%s!$B$%d:$B$%d", q(sum), first, last),
			Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", q(sum), col, first, col, last),
		})
	}
	if len(catTable) > 1 {
		// Categories top to bottom as in the table, their labels dark and
		// large enough to read.
		if err := f.AddChart(sum, lay.AttendanceChart, &excelize.Chart{Type: excelize.Bar, Series: series,
			Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: T(l, "chart_attendance")}}},
			XAxis:  excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
			YAxis:  excelize.ChartAxis{MajorGridLines: true, Font: axisFont},
			Legend: excelize.ChartLegend{Position: "bottom"}, Dimension: excelize.ChartDimension{Width: ChartWidth, Height: AttendanceChartHeight}}); err != nil {
			return fmt.Errorf("attendance chart: %w", err)
		}
	}
	if err := f.AddChart(sum, lay.RatingChart, &excelize.Chart{Type: excelize.Col,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$B$%d", q(sum), rateRow),
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", q(sum), rateRow+1, rateRow+5),
			Values:     fmt.Sprintf("%s!$B$%d:$B$%d", q(sum), rateRow+1, rateRow+5)}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: T(l, "chart_rating")}}},
		XAxis:     excelize.ChartAxis{Font: axisFont},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, MajorUnit: 1, Font: axisFont},
		Legend:    excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{Width: ChartWidth, Height: RatingChartHeight}}); err != nil {
		return fmt.Errorf("rating chart: %w", err)
	}

	// Attendance.
	attRows := [][]any{{T(l, "stt"), T(l, "name"), T(l, "title_col"), T(l, "unit"), T(l, "category"), T(l, "phone"), T(l, "linked"),
		T(l, "rsvp"), T(l, "reason"), T(l, "attendance"), T(l, "checked_in_at")}}
	for i, inv := range d.Invitees {
		checked := ""
		if !inv.CheckedInAt.IsZero() {
			checked = inv.CheckedInAt.In(m.Location()).Format("15:04 02/01/2006")
		}
		linked := T(l, "no")
		if inv.Linked() {
			linked = T(l, "yes")
		}
		attRows = append(attRows, []any{i + 1, inv.Person.FullName, inv.Person.Title, inv.Person.Unit, inv.Category.Name, texts.Phone(inv.Person.Phone),
			linked, T(l, "rsvp."+string(inv.RSVP)), inv.Reason, T(l, "attendance."+string(inv.Attendance)), checked})
	}
	if err := rows(att, 1, attRows); err != nil {
		return err
	}
	_ = f.SetCellStyle(att, "A1", "K1", bold)
	attW := colWidths(f, att, 6, 24, 24, 30, 30, 14, 11, 14, 24, 17, 16)
	if len(attRows) > 1 {
		_ = f.SetCellStyle(att, "A2", fmt.Sprintf("A%d", len(attRows)), center)
		_ = f.SetCellStyle(att, "B2", fmt.Sprintf("K%d", len(attRows)), wrap)
	}
	fitHeights(f, att, 1, attRows, attW)
	_ = f.SetPanes(att, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if len(attRows) > 1 {
		_ = f.AutoFilter(att, fmt.Sprintf("A1:K%d", len(attRows)), nil)
	}

	// Feedback by question, then category and unit.
	fbRows := [][]any{{T(l, "question"), T(l, "category"), T(l, "unit"), T(l, "name"), T(l, "answer")}}
	catName := map[string]string{}
	for _, c := range d.Categories {
		catName[c.Code] = c.Name
	}
	for _, c := range Compile(d) {
		for _, a := range c.Answers {
			fbRows = append(fbRows, []any{questionText(l, c.Question), catName[a.Category], a.Unit, a.Name, a.Text})
		}
	}
	if err := rows(fbk, 1, fbRows); err != nil {
		return err
	}
	_ = f.SetCellStyle(fbk, "A1", "E1", bold)
	fbW := colWidths(f, fbk, 34, 26, 30, 22, 64)
	if len(fbRows) > 1 {
		_ = f.SetCellStyle(fbk, "A2", fmt.Sprintf("E%d", len(fbRows)), wrap)
	}
	fitHeights(f, fbk, 1, fbRows, fbW)

	// Response rate by unit.
	rr := [][]any{{T(l, "stt"), T(l, "unit"), T(l, "invited"), T(l, "present"), T(l, "responses"), T(l, "response_rate")}}
	for i, g := range s.ResponseRows() {
		rr = append(rr, []any{i + 1, g.Name, g.Invited, g.Attended(), g.Responses, g.ResponseRate})
	}
	if err := rows(rate, 1, rr); err != nil {
		return err
	}
	_ = f.SetCellStyle(rate, "A1", "F1", bold)
	if len(rr) > 1 {
		_ = f.SetCellStyle(rate, "F2", fmt.Sprintf("F%d", len(rr)), pct)
	}
	rateW := colWidths(f, rate, 6, 44, 12, 12, 12, 12)
	if len(rr) > 1 {
		_ = f.SetCellStyle(rate, "A2", fmt.Sprintf("A%d", len(rr)), center)
		_ = f.SetCellStyle(rate, "B2", fmt.Sprintf("B%d", len(rr)), wrap)
		_ = f.SetCellStyle(rate, "C2", fmt.Sprintf("E%d", len(rr)), middle)
	}
	fitHeights(f, rate, 1, rr, rateW)
	if len(d.Units) > 0 {
		us := T(l, "sheet_units")
		if _, err := f.NewSheet(us); err != nil {
			return err
		}
		ur := [][]any{{T(l, "stt"), T(l, "unit"), T(l, "category"), T(l, "units_asked"), T(l, "units_nominated"), T(l, "units_linked"), T(l, "units_attending")}}
		for i, r := range d.Units {
			ur = append(ur, []any{i + 1, SafeCell(r.Unit), SafeCell(orDefault(r.CategoryName, r.Category)), r.Asked, r.Nominated, r.Linked, r.Attending})
		}
		ur = append(ur, []any{})
		none := SentNobody(d.Units)
		if len(none) > 0 {
			ur = append(ur, []any{"", T(l, "units_none_sent")})
			for i, u := range none {
				ur = append(ur, []any{i + 1, SafeCell(u)})
			}
		}
		if err := rows(us, 1, ur); err != nil {
			return err
		}
		_ = f.SetCellStyle(us, "A1", "G1", bold)
		n := len(d.Units)
		_ = f.SetCellStyle(us, "A2", fmt.Sprintf("A%d", n+1), center)
		_ = f.SetCellStyle(us, "B2", fmt.Sprintf("C%d", n+1), wrap)
		_ = f.SetCellStyle(us, "D2", fmt.Sprintf("G%d", n+1), middle)
		if len(none) > 0 {
			_ = f.SetCellStyle(us, fmt.Sprintf("B%d", n+3), fmt.Sprintf("B%d", n+3), title)
			_ = f.SetCellStyle(us, fmt.Sprintf("A%d", n+4), fmt.Sprintf("A%d", len(ur)), center)
		}
		fitHeights(f, us, 1, ur, colWidths(f, us, 6, 44, 30, 12, 12, 12, 12))
	}
	if err := namedListsSheet(f, d, bold, title, wrap, center); err != nil {
		return err
	}
	// Printing: wide sheets landscape, every sheet one page wide, header
	// rows repeated on each page.
	_ = printSetup(f, sum, true, 0)
	_ = printSetup(f, att, true, 1)
	_ = printSetup(f, fbk, true, 1)
	_ = printSetup(f, rate, false, 1)
	_ = f.SetPanes(fbk, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	_ = f.SetPanes(rate, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if len(d.Units) > 0 {
		us := T(l, "sheet_units")
		_ = printSetup(f, us, false, 1)
		_ = f.SetPanes(us, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// axisFont is the charts' axis labels: dark, 9 pt.
var axisFont = excelize.Font{Color: "262626", Size: 9}

// printSetup prints sheet on A4, landscape or portrait, one page wide
// (as many pages down as it takes), repeating its first titleRows rows on
// every page.
func printSetup(f *excelize.File, sheet string, landscape bool, titleRows int) error {
	size, orient, wide, tall := 9, "portrait", 1, 0 // 9: A4
	if landscape {
		orient = "landscape"
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	if titleRows == 0 {
		return nil
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$%d", sheet, titleRows), Scope: sheet})
}

// namedListsSheet adds the sheet of the named lists: a title, then each
// list that has anyone on it under its heading, with STT, name, title,
// unit and what the list says of them (the reason, the check-in time, whom
// a substitute stands in for and whether approved).
func namedListsSheet(f *excelize.File, d *Data, header, title, wrap, center int) error {
	l := d.Lang
	sheet := T(l, "sheet_lists")
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	set := func(row int, vals ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return f.SetSheetRow(sheet, cell, &vals)
	}
	if err := set(1, T(l, "lists_title")); err != nil {
		return err
	}
	_ = f.SetCellStyle(sheet, "A1", "A1", title)
	ws := colWidths(f, sheet, 6, 26, 28, 40, 30, 18)
	row := 3
	base := []any{T(l, "stt"), T(l, "name"), T(l, "title_col"), T(l, "unit")}
	for _, part := range NamedLists(d).parts() {
		if len(part.People) == 0 {
			continue
		}
		if err := set(row, T(l, part.ID)); err != nil {
			return err
		}
		_ = f.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), title)
		row++
		hdr := append([]any{}, base...)
		switch part.ID {
		case "excused_list":
			hdr = append(hdr, T(l, "reason"))
		case "late_list":
			hdr = append(hdr, T(l, "checked_in_at"))
		case "substitute_list":
			hdr = append(hdr, T(l, "stands_in_for"), T(l, "sub_status_col"))
		}
		if err := set(row, hdr...); err != nil {
			return err
		}
		last, _ := excelize.ColumnNumberToName(len(hdr))
		_ = f.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("%s%d", last, row), header)
		fitHeights(f, sheet, row, [][]any{hdr}, ws)
		row++
		first := row
		var body [][]any
		for i, n := range part.People {
			vals := []any{i + 1, SafeCell(n.Name), SafeCell(n.Title), SafeCell(n.Unit)}
			switch part.ID {
			case "excused_list":
				vals = append(vals, SafeCell(n.reason(l)))
			case "late_list":
				vals = append(vals, n.Time)
			case "substitute_list":
				vals = append(vals, SafeCell(n.For), n.status(l))
			}
			if err := set(row, vals...); err != nil {
				return err
			}
			body = append(body, vals)
			row++
		}
		_ = f.SetCellStyle(sheet, fmt.Sprintf("A%d", first), fmt.Sprintf("A%d", row-1), center)
		_ = f.SetCellStyle(sheet, fmt.Sprintf("B%d", first), fmt.Sprintf("F%d", row-1), wrap)
		fitHeights(f, sheet, first, body, ws)
		row++
	}
	return printSetup(f, sheet, true, 0)
}

// colWidths sets the widths of sheet's columns from A, in characters, and
// returns them.
func colWidths(f *excelize.File, sheet string, ws ...float64) []float64 {
	for i, w := range ws {
		col, _ := excelize.ColumnNumberToName(i + 1)
		_ = f.SetColWidth(sheet, col, col, w)
	}
	return ws
}

// fitHeights makes each of rows (written from firstRow) tall enough for
// its wrapped text: spreadsheet programs do not grow a row when they open
// a file, so a wrapped cell would otherwise spill over the rows below.
// A column's width counts digits; a line of Vietnamese text in it holds
// about a tenth more letters than that (less a character's margin), so the
// estimate errs on the tall side rather than let text spill over.
func fitHeights(f *excelize.File, sheet string, firstRow int, rows [][]any, widths []float64) {
	for i, row := range rows {
		lines := 1
		for j, v := range row {
			s, ok := v.(string)
			if !ok || j >= len(widths) {
				continue
			}
			n := 0
			for _, part := range strings.Split(s, "\n") {
				per := max(1, int(widths[j]*1.1-1))
				n += max(1, (utf8.RuneCountInString(part)+per-1)/per)
			}
			lines = max(lines, n)
		}
		if lines > 1 {
			_ = f.SetRowHeight(sheet, firstRow+i, 15*float64(lines))
		}
	}
}

// Chart sizes on the summary sheet, in pixels.
const (
	ChartWidth            = 720
	AttendanceChartHeight = 320
	RatingChartHeight     = 260
)

// rowPixels is less than the height of a row at the default height (15 pt,
// 20 px on screen; excelize anchors a chart counting about 18 px a row), so
// the rows a chart covers are never undercounted.
const rowPixels = 17

// Layout is where the summary sheet puts its tables and charts: the
// category table (STT and six columns, A–G) and the rating table (A–B)
// below the key figures, each chart beside its own table from column I, the
// rating chart below the attendance chart. No chart covers data or another
// chart, whatever the number of categories.
type Layout struct {
	CategoryRow     int    // header row of the category table
	RatingRow       int    // header row of the rating table
	AttendanceChart string // top-left cell of the attendance chart
	RatingChart     string // top-left cell of the rating chart
	ChartColumn     int    // the charts' first column (1-based): after the tables' last, G, and a gap
	AttendanceRows  int    // rows the attendance chart covers
	RatingRows      int    // rows the rating chart covers
}

// SummaryLayout lays out the summary sheet for headRows rows of heading and
// key figures and a category table of categories rows.
func SummaryLayout(headRows, categories int) Layout {
	l := Layout{CategoryRow: headRows + 2, ChartColumn: 9,
		AttendanceRows: (AttendanceChartHeight + rowPixels - 1) / rowPixels,
		RatingRows:     (RatingChartHeight + rowPixels - 1) / rowPixels}
	l.RatingRow = l.CategoryRow + categories + 2
	chartCol, _ := excelize.ColumnNumberToName(l.ChartColumn)
	l.AttendanceChart = fmt.Sprintf("%s%d", chartCol, l.CategoryRow)
	// The rating chart starts beside its table, or below the attendance
	// chart with a row between if that reaches further down.
	l.RatingChart = fmt.Sprintf("%s%d", chartCol, max(l.RatingRow, l.CategoryRow+l.AttendanceRows+1))
	return l
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) != "" {
		return s
	}
	return def
}
