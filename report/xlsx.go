package report

import (
	"fmt"
	"io"
	"strconv"

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

	// Summary.
	m := d.Meeting
	head := [][]any{
		{T(l, "title")}, {m.Title}, {T(l, "time"), when(d, m.StartsAt)}, {T(l, "venue"), m.Venue + ", " + m.Address}, {},
		{T(l, "invited"), s.Invited}, {T(l, "linked"), s.Linked}, {T(l, "attending"), s.Attending}, {T(l, "declined"), s.Declined},
		{T(l, "substitute"), s.Substitute}, {T(l, "pending"), s.Pending}, {T(l, "present"), s.Present}, {T(l, "late"), s.Late},
		{T(l, "excused"), s.Excused}, {T(l, "absent"), s.Absent}, {T(l, "responses"), s.Responses},
		{T(l, "response_rate"), s.ResponseRate}, {T(l, "rating_average"), s.RatingAverage},
	}
	if err := rows(sum, 1, head); err != nil {
		return err
	}
	_ = f.SetCellStyle(sum, "A1", "A1", title)
	_ = f.SetColWidth(sum, "A", "A", 38)
	_ = f.SetColWidth(sum, "B", "F", 14)
	// Chart data: attendance by category, then the rating distribution.
	catRow := len(head) + 2
	catTable := [][]any{{T(l, "category"), T(l, "invited"), T(l, "attending"), T(l, "present"), T(l, "excused"), T(l, "absent")}}
	for _, g := range s.ByCategory {
		catTable = append(catTable, []any{g.Name, g.Invited, g.Attending, g.Attended(), g.Excused, g.Absent})
	}
	if err := rows(sum, catRow, catTable); err != nil {
		return err
	}
	_ = f.SetCellStyle(sum, fmt.Sprintf("A%d", catRow), fmt.Sprintf("F%d", catRow), bold)
	rateRow := catRow + len(catTable) + 1
	rateTable := [][]any{{T(l, "score"), T(l, "count")}}
	for n := 1; n <= 5; n++ {
		rateTable = append(rateTable, []any{strconv.Itoa(n), s.RatingDistribution[strconv.Itoa(n)]})
	}
	if err := rows(sum, rateRow, rateTable); err != nil {
		return err
	}
	_ = f.SetCellStyle(sum, fmt.Sprintf("A%d", rateRow), fmt.Sprintf("B%d", rateRow), bold)
	q := func(s string) string { return "'" + s + "'" }
	first, last := catRow+1, catRow+len(catTable)-1
	var series []excelize.ChartSeries
	for _, col := range []string{"B", "C", "D", "E", "F"} {
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$%d", q(sum), col, catRow),
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", q(sum), first, last),
			Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", q(sum), col, first, col, last),
		})
	}
	if len(catTable) > 1 {
		if err := f.AddChart(sum, "D1", &excelize.Chart{Type: excelize.Bar, Series: series,
			Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: T(l, "chart_attendance")}}},
			Legend: excelize.ChartLegend{Position: "bottom"}, Dimension: excelize.ChartDimension{Width: 640, Height: 320}}); err != nil {
			return fmt.Errorf("attendance chart: %w", err)
		}
	}
	if err := f.AddChart(sum, "D18", &excelize.Chart{Type: excelize.Col,
		Series: []excelize.ChartSeries{{Name: T(l, "rating"),
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", q(sum), rateRow+1, rateRow+5),
			Values:     fmt.Sprintf("%s!$B$%d:$B$%d", q(sum), rateRow+1, rateRow+5)}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: T(l, "chart_rating")}}},
		Legend:    excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{Width: 480, Height: 288}}); err != nil {
		return fmt.Errorf("rating chart: %w", err)
	}

	// Attendance.
	attRows := [][]any{{T(l, "name"), T(l, "title_col"), T(l, "unit"), T(l, "category"), T(l, "phone"), T(l, "linked"),
		T(l, "rsvp"), T(l, "reason"), T(l, "attendance"), T(l, "checked_in_at")}}
	for _, inv := range d.Invitees {
		checked := ""
		if !inv.CheckedInAt.IsZero() {
			checked = inv.CheckedInAt.In(m.Location()).Format("15:04 02/01/2006")
		}
		linked := T(l, "no")
		if inv.Linked() {
			linked = T(l, "yes")
		}
		attRows = append(attRows, []any{inv.Person.FullName, inv.Person.Title, inv.Person.Unit, inv.Category.Name, inv.Person.Phone,
			linked, T(l, "rsvp."+string(inv.RSVP)), inv.Reason, T(l, "attendance."+string(inv.Attendance)), checked})
	}
	if err := rows(att, 1, attRows); err != nil {
		return err
	}
	_ = f.SetCellStyle(att, "A1", "J1", bold)
	_ = f.SetColWidth(att, "A", "A", 28)
	_ = f.SetColWidth(att, "B", "E", 22)
	_ = f.SetColWidth(att, "F", "J", 16)
	_ = f.SetPanes(att, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if len(attRows) > 1 {
		_ = f.AutoFilter(att, fmt.Sprintf("A1:J%d", len(attRows)), nil)
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
	rr := [][]any{{T(l, "unit"), T(l, "invited"), T(l, "present"), T(l, "responses"), T(l, "response_rate")}}
	for _, g := range s.ResponseRows() {
		rr = append(rr, []any{g.Name, g.Invited, g.Attended(), g.Responses, g.ResponseRate})
	}
	if err := rows(rate, 1, rr); err != nil {
		return err
	}
	_ = f.SetCellStyle(rate, "A1", "E1", bold)
	_ = f.SetColWidth(rate, "A", "A", 36)
	_ = f.SetColWidth(rate, "B", "E", 16)
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
