package report

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/convene/convene/texts"
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
		p.CellFormat(0, 5, Tf(l, "page", map[string]any{"Page": p.PageNo(), "Total": "{nb}"}), "", 0, "C", false, 0, "")
	})
	p.AddPage()
	drawHead(p, reportHead(d))
	p.SetFont(fontFamily, "B", 15)
	p.MultiCell(0, 8, strings.ToUpper(T(l, "title")), "", "C", false)
	p.SetFont(fontFamily, "B", 11)
	p.MultiCell(0, 6, m.Title, "", "C", false)
	if m.Plan != "" {
		p.SetFont(fontFamily, "", 10)
		p.MultiCell(0, 5.5, "("+Tf(l, "plan_ref", map[string]any{"Plan": m.Plan})+")", "", "C", false)
	}
	p.SetFont(fontFamily, "", 11)
	p.CellFormat(0, 4, "-----", "", 1, "C", false, 0, "")
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
		_, pageH := p.GetPageSize()
		if p.GetY()+7+18 > pageH-18 { // keep a heading with what follows it
			p.AddPage()
		}
		p.SetFont(fontFamily, "B", 12)
		p.MultiCell(0, 7, text, "", "L", false)
		p.SetFont(fontFamily, "", 10)
	}
	if prog := programLines(d); len(prog) > 0 {
		heading(T(l, "program"))
		for _, s := range prog {
			p.MultiCell(0, 5.5, s, "", "L", false)
		}
	}
	table := func(header []string, widths []float64, body [][]string) {
		wrappedRow(p, header, widths, 3.6, true)
		for _, row := range body {
			wrappedRow(p, row, widths, 5, false)
		}
	}
	// Columns that add up: invited = attending + declined + substitute +
	// pending, and present + late + excused + absent = invited.
	cols := []string{"", T(l, "invited"), T(l, "attending"), T(l, "declined"), T(l, "substitute"), T(l, "pending"),
		T(l, "present"), T(l, "late"), T(l, "excused"), T(l, "absent")}
	widths := []float64{48, 13.5, 13.5, 13.5, 13.5, 13.5, 13.5, 13.5, 13.5, 13.5}
	groupRow := func(name string, g Group) []string {
		return []string{name, itoa(g.Invited), itoa(g.Attending), itoa(g.Declined), itoa(g.Substitute), itoa(g.Pending),
			itoa(g.Present), itoa(g.Late), itoa(g.Excused), itoa(g.Absent)}
	}
	groupRows := func(gs []Group) [][]string {
		var out [][]string
		for _, g := range gs {
			out = append(out, groupRow(orDash(g.Name), g))
		}
		return out
	}
	heading(T(l, "summary"))
	table(cols, widths, [][]string{groupRow(T(l, "summary"), s.Group)})
	heading(T(l, "by_category"))
	table(cols, widths, groupRows(s.ByCategory))
	heading(T(l, "by_unit"))
	table(cols, widths, groupRows(s.ByUnit))
	if len(d.Units) > 0 {
		heading(T(l, "units"))
		var ur [][]string
		for _, r := range d.Units {
			ur = append(ur, []string{r.Unit, r.Category, itoa(r.Asked), itoa(r.Nominated), itoa(r.Linked), itoa(r.Attending)})
		}
		table([]string{T(l, "unit"), T(l, "category"), T(l, "units_asked"), T(l, "units_nominated"), T(l, "units_linked"), T(l, "units_attending")},
			[]float64{62, 32, 20, 20, 20, 20}, ur)
		if none := SentNobody(d.Units); len(none) > 0 {
			p.MultiCell(0, 5.5, T(l, "units_none_sent")+": "+strings.Join(none, "; "), "", "L", false)
		}
	}

	for _, sec := range namedSections(d) {
		heading(sec.Title)
		for _, line := range sec.Lines {
			p.MultiCell(0, 5.5, "• "+line, "", "L", false)
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
		heading(fmt.Sprintf("%s: %s/5 (%d %s)", T(l, "rating"), texts.Decimal(l, s.RatingAverage, 2), s.Ratings, T(l, "ratings")))
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
	p.Ln(8)
	drawFoot(p, reportFoot(d))
	return p.Output(w)
}

// reportHead is the report's head: the organization and, under it, the
// board that compiles the delegates' opinions; the party; place and date.
func reportHead(d *Data) docHead {
	m := d.Meeting
	issuer := strings.ToUpper(m.Issuer.BoardName())
	if m.Organization != "" {
		issuer = strings.ToUpper(m.Organization) + "\n" + issuer
	}
	h := docHead{Issuer: issuer, Party: T(d.Lang, "letter_party"), PlaceDate: placeDate(d)}
	if n := m.Issuer.ReportNumber; n != "" {
		h.Number = Tf(d.Lang, "letter_number", map[string]any{"Number": n})
	}
	return h
}

// reportFoot is the report's foot: the board's "Nơi nhận" and signature
// block as the plan's report block gives them (not the office's, which
// signs the letters); by default the standing committee, the office and the
// board's file, and TRƯỞNG BAN with the name left to write by hand.
func reportFoot(d *Data) docFoot {
	iss := d.Meeting.Issuer
	rec := iss.ReportRecipients
	if len(rec) == 0 {
		rec = strings.Split(Tf(d.Lang, "report_recipients", map[string]any{"Office": iss.OfficeName(), "Board": iss.BoardName()}), ";")
	}
	return docFoot{RecipientsLabel: T(d.Lang, "letter_recipients"), Recipients: rec, Signature: reportSignature(d), SignerName: iss.ReportSignerName}
}

// reportSignature is the board's signature block, upper case: the
// authority (K/T TRƯỞNG BAN) if any, then the title, TRƯỞNG BAN by default.
func reportSignature(d *Data) []string {
	iss := d.Meeting.Issuer
	var sig []string
	if iss.ReportSignerAuthority != "" {
		sig = append(sig, strings.ToUpper(iss.ReportSignerAuthority))
	}
	return append(sig, strings.ToUpper(orDefault(iss.ReportSignerTitle, T(d.Lang, "report_signer_title"))))
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

// wrappedRow draws one table row whose cells wrap their text instead of
// cutting it; the row is as tall as its tallest cell. A row that would
// cross the page foot starts a new page.
func wrappedRow(p *fpdf.Fpdf, cells []string, widths []float64, lineH float64, header bool) {
	if header {
		p.SetFont(fontFamily, "B", 7.5)
		p.SetFillColor(221, 235, 247)
	} else {
		p.SetFont(fontFamily, "", 9)
	}
	lines := make([][]string, len(cells))
	n := 1
	for i, c := range cells {
		lines[i] = p.SplitText(c, widths[i]-2)
		n = max(n, len(lines[i]))
	}
	h := float64(n)*lineH + 2
	_, pageH := p.GetPageSize()
	if p.GetY()+h > pageH-18 {
		p.AddPage()
	}
	left, _, _, _ := p.GetMargins()
	x, y := left, p.GetY()
	for i := range cells {
		style := "D"
		if header {
			style = "FD"
		}
		p.Rect(x, y, widths[i], h, style)
		align := "C"
		if i == 0 && !header {
			align = "L"
		}
		for k, ln := range lines[i] {
			p.SetXY(x+1, y+1+float64(k)*lineH)
			p.CellFormat(widths[i]-2, lineH, ln, "", 0, align, false, 0, "")
		}
		x += widths[i]
	}
	p.SetXY(left, y+h)
}
