package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// XLSX writes a workbook with four sheets: Summary (key figures, a chart of
// attendance by category and one of the rating distribution), Attendance
// (one row per invitee), Feedback (by question, then category and unit) and
// Response rate by unit. Sheet names follow the report's language.
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
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
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

	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
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
		if err := f.AddChart(sum, lay.AttendanceChart, &excelize.Chart{Type: excelize.Bar, Series: series,
			Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: T(l, "chart_attendance")}}},
			Legend: excelize.ChartLegend{Position: "bottom"}, Dimension: excelize.ChartDimension{Width: ChartWidth, Height: AttendanceChartHeight}}); err != nil {
			return fmt.Errorf("attendance chart: %w", err)
		}
	}
	if err := f.AddChart(sum, lay.RatingChart, &excelize.Chart{Type: excelize.Col,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$B$%d", q(sum), rateRow),
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", q(sum), rateRow+1, rateRow+5),
			Values:     fmt.Sprintf("%s!$B$%d:$B$%d", q(sum), rateRow+1, rateRow+5)}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: T(l, "chart_rating")}}},
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
		attRows = append(attRows, []any{i + 1, inv.Person.FullName, inv.Person.Title, inv.Person.Unit, inv.Category.Name, inv.Person.Phone,
			linked, T(l, "rsvp."+string(inv.RSVP)), inv.Reason, T(l, "attendance."+string(inv.Attendance)), checked})
	}
	if err := rows(att, 1, attRows); err != nil {
		return err
	}
	_ = f.SetCellStyle(att, "A1", "K1", bold)
	_ = f.SetColWidth(att, "A", "A", 6)
	_ = f.SetColWidth(att, "B", "B", 28)
	_ = f.SetColWidth(att, "C", "F", 22)
	_ = f.SetColWidth(att, "G", "K", 16)
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
	_ = f.SetColWidth(fbk, "A", "A", 40)
	_ = f.SetColWidth(fbk, "B", "D", 22)
	_ = f.SetColWidth(fbk, "E", "E", 70)
	if len(fbRows) > 1 {
		_ = f.SetCellStyle(fbk, "A2", fmt.Sprintf("E%d", len(fbRows)), wrap)
	}

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
	_ = f.SetColWidth(rate, "A", "A", 6)
	_ = f.SetColWidth(rate, "B", "B", 36)
	_ = f.SetColWidth(rate, "C", "F", 16)
	if len(d.Units) > 0 {
		us := T(l, "sheet_units")
		if _, err := f.NewSheet(us); err != nil {
			return err
		}
		ur := [][]any{{T(l, "unit"), T(l, "category"), T(l, "units_asked"), T(l, "units_nominated"), T(l, "units_linked"), T(l, "units_attending")}}
		for _, r := range d.Units {
			ur = append(ur, []any{SafeCell(r.Unit), SafeCell(r.Category), r.Asked, r.Nominated, r.Linked, r.Attending})
		}
		ur = append(ur, []any{})
		if none := SentNobody(d.Units); len(none) > 0 {
			ur = append(ur, []any{T(l, "units_none_sent")})
			for _, u := range none {
				ur = append(ur, []any{SafeCell(u)})
			}
		}
		if err := rows(us, 1, ur); err != nil {
			return err
		}
		_ = f.SetCellStyle(us, "A1", "F1", bold)
		_ = f.SetColWidth(us, "A", "A", 44)
		_ = f.SetColWidth(us, "B", "B", 18)
		_ = f.SetColWidth(us, "C", "F", 14)
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// Chart sizes on the summary sheet, in pixels.
const (
	ChartWidth            = 560
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
