package report

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/convene/convene"
	"github.com/go-pdf/fpdf"
)

// DejaVu Sans covers Vietnamese (Latin Extended Additional); its licence is in fonts/.
//
//go:embed fonts/DejaVuSans.ttf
var fontRegular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var fontBold []byte

const fontFamily = "DejaVu"

// newPDF returns an A4 document with the Unicode font embedded.
func newPDF() *fpdf.Fpdf {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	p.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	p.SetMargins(20, 18, 20)
	p.SetAutoPageBreak(true, 18)
	p.SetFont(fontFamily, "", 11)
	return p
}

// PDF writes the board's compiled report ("Báo cáo tổng hợp ý kiến đại
// biểu"): the meeting, attendance by category and unit, the excused with
// reasons, the feedback by question and the rating distribution.
func PDF(w io.Writer, d *Data) error {
	l, m := d.Lang, d.Meeting
	s := Summarize(d)
	p := newPDF()
	p.SetTitle(T(l, "title")+" — "+m.Title, true)
	p.AliasNbPages("")
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont(fontFamily, "", 8)
		p.CellFormat(0, 5, fmt.Sprintf("%s · %d/{nb}", m.Code, p.PageNo()), "", 0, "C", false, 0, "")
	})
	p.AddPage()
	if m.Organization != "" {
		p.SetFont(fontFamily, "B", 10)
		p.CellFormat(0, 5, strings.ToUpper(m.Organization), "", 1, "L", false, 0, "")
		if m.Plan != "" {
			p.SetFont(fontFamily, "", 9)
			p.CellFormat(0, 5, m.Plan, "", 1, "L", false, 0, "")
		}
	}
	p.Ln(4)
	p.SetFont(fontFamily, "B", 15)
	p.MultiCell(0, 8, strings.ToUpper(T(l, "title")), "", "C", false)
	p.SetFont(fontFamily, "", 11)
	p.MultiCell(0, 6, m.Title, "", "C", false)
	p.Ln(3)
	line := func(label, value string) {
		p.SetFont(fontFamily, "B", 10)
		p.CellFormat(38, 6, label+":", "", 0, "L", false, 0, "")
		p.SetFont(fontFamily, "", 10)
		p.MultiCell(0, 6, value, "", "L", false)
	}
	line(T(l, "time"), when(d, m.StartsAt))
	line(T(l, "venue"), strings.TrimSuffix(m.Venue+", "+m.Address, ", "))
	if m.Host != "" {
		line(T(l, "host"), m.Host)
	}
	line(T(l, "generated"), when(d, d.Generated))

	heading := func(text string) {
		p.Ln(4)
		p.SetFont(fontFamily, "B", 12)
		p.MultiCell(0, 7, text, "", "L", false)
		p.SetFont(fontFamily, "", 10)
	}
	table := func(header []string, widths []float64, body [][]string) {
		p.SetFont(fontFamily, "B", 7.5)
		p.SetFillColor(221, 235, 247)
		for i, h := range header {
			p.CellFormat(widths[i], 7, fit(p, h, widths[i]-1), "1", 0, "C", true, 0, "")
		}
		p.Ln(-1)
		p.SetFont(fontFamily, "", 9)
		for _, row := range body {
			for i, c := range row {
				align := "C"
				if i == 0 {
					align = "L"
				}
				p.CellFormat(widths[i], 6, fit(p, c, widths[i]-2), "1", 0, align, false, 0, "")
			}
			p.Ln(-1)
		}
	}
	heading(T(l, "summary"))
	table([]string{"", T(l, "invited"), T(l, "attending"), T(l, "declined"), T(l, "present"), T(l, "excused"), T(l, "absent")},
		[]float64{56, 19, 19, 19, 19, 19, 19},
		[][]string{{T(l, "summary"), itoa(s.Invited), itoa(s.Attending), itoa(s.Declined), itoa(s.Attended()), itoa(s.Excused), itoa(s.Absent)}})
	groupRows := func(gs []Group) [][]string {
		var out [][]string
		for _, g := range gs {
			out = append(out, []string{orDash(g.Name), itoa(g.Invited), itoa(g.Attending), itoa(g.Declined), itoa(g.Attended()), itoa(g.Excused), itoa(g.Absent)})
		}
		return out
	}
	cols := []string{"", T(l, "invited"), T(l, "attending"), T(l, "declined"), T(l, "present"), T(l, "excused"), T(l, "absent")}
	widths := []float64{56, 19, 19, 19, 19, 19, 19}
	heading(T(l, "by_category"))
	table(cols, widths, groupRows(s.ByCategory))
	heading(T(l, "by_unit"))
	table(cols, widths, groupRows(s.ByUnit))

	var excused [][]string
	for _, inv := range d.Invitees {
		if inv.RSVP == convene.RSVPDeclined || inv.Attendance == convene.AttendanceExcused {
			excused = append(excused, []string{inv.Person.FullName, orDash(inv.Person.Unit), orDash(inv.Reason)})
		}
	}
	if len(excused) > 0 {
		heading(T(l, "excused_list"))
		for _, e := range excused {
			p.MultiCell(0, 5.5, fmt.Sprintf("• %s (%s): %s", e[0], e[1], e[2]), "", "L", false)
		}
	}

	heading(T(l, "feedback"))
	p.MultiCell(0, 5.5, fmt.Sprintf("%s: %d (%s)", T(l, "responses"), s.Responses, percent(s.ResponseRate)), "", "L", false)
	if m.Feedback.Anonymous {
		p.MultiCell(0, 5.5, T(l, "anonymous"), "", "L", false)
	}
	for i, c := range Compile(d) {
		p.Ln(2)
		p.SetFont(fontFamily, "B", 10)
		p.MultiCell(0, 5.5, fmt.Sprintf("%d. %s", i+1, questionText(l, c.Question)), "", "L", false)
		p.SetFont(fontFamily, "", 10)
		if len(c.Answers) == 0 {
			p.MultiCell(0, 5.5, T(l, "no_answers"), "", "L", false)
		}
		for _, a := range c.Answers {
			text := "• " + oneLine(a.Text)
			if a.Name != "" {
				text += fmt.Sprintf(" (%s, %s)", a.Name, orDash(a.Unit))
			}
			p.MultiCell(0, 5.5, text, "", "L", false)
		}
	}
	if s.Ratings > 0 {
		heading(fmt.Sprintf("%s: %.2f/5 (%d %s)", T(l, "rating"), s.RatingAverage, s.Ratings, T(l, "ratings")))
		maxN := 1
		for _, n := range s.RatingDistribution {
			maxN = max(maxN, n)
		}
		for n := 5; n >= 1; n-- {
			k := strconv.Itoa(n)
			p.CellFormat(12, 6, k+"★", "", 0, "L", false, 0, "")
			x, y := p.GetXY()
			p.SetFillColor(68, 114, 196)
			if c := s.RatingDistribution[k]; c > 0 {
				p.Rect(x, y+1, 100*float64(c)/float64(maxN), 4, "F")
			}
			p.SetX(x + 104)
			p.CellFormat(20, 6, itoa(s.RatingDistribution[k]), "", 1, "L", false, 0, "")
		}
	}
	heading(T(l, "response_rate"))
	var rr [][]string
	for _, g := range s.ResponseRows() {
		rr = append(rr, []string{orDash(g.Name), itoa(g.Invited), itoa(g.Attended()), itoa(g.Responses), percent(g.ResponseRate)})
	}
	table([]string{T(l, "unit"), T(l, "invited"), T(l, "present"), T(l, "responses"), T(l, "response_rate")}, []float64{70, 25, 25, 25, 25}, rr)
	return p.Output(w)
}

// fit shortens s to fit width w in the current font.
func fit(p *fpdf.Fpdf, s string, w float64) string {
	if p.GetStringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 1 && p.GetStringWidth(string(rs)+"…") > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

func itoa(n int) string { return strconv.Itoa(n) }
