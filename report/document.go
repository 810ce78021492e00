package report

import (
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// headWidth is the width of the left head and of "Nơi nhận" on a party
// document: the issuing body above, the recipients below.
const headWidth = 78.0

// docHead is the head of a party document: the issuing body (left), the
// party's name and the place and date (right).
type docHead struct {
	Issuer    string // one line per body, upper case: the superior body first
	Number    string // "Số 45-GM/ĐU", or empty
	Party     string // ĐẢNG CỘNG SẢN VIỆT NAM
	PlaceDate string // "TP. Hồ Chí Minh, ngày 28 tháng 3 năm 2024"
}

// docFoot is the foot of a party document: "Nơi nhận" (left) and the
// signature block (right).
type docFoot struct {
	RecipientsLabel string
	Recipients      []string
	Signature       []string // authority, title, upper case
	SignerName      string
}

// placeDate is the document's place and date from the plan's place and the
// day d was generated: "TP. Hồ Chí Minh, ngày 28 tháng 3 năm 2024".
func placeDate(d *Data) string {
	l, iss := d.Lang, d.Meeting.Issuer
	dated := d.Generated
	if dated.IsZero() {
		dated = time.Now()
	}
	date := catalog.Date(l, dated.In(d.Meeting.Location()))
	if iss.Place != "" {
		return Tf(l, "letter_place_date", map[string]any{"Place": iss.Place, "Date": date})
	}
	return strings.ToUpper(date[:1]) + date[1:]
}

// signatureOf is the plan's signature block: authority and title in upper case.
func signatureOf(d *Data) ([]string, string) {
	iss := d.Meeting.Issuer
	var sig []string
	for _, s := range []string{iss.SignerAuthority, iss.SignerTitle} {
		if s != "" {
			sig = append(sig, strings.ToUpper(s))
		}
	}
	return sig, iss.SignerName
}

// drawHead draws h at the top of the current page and leaves the cursor
// below it, at the left margin.
func drawHead(p *fpdf.Fpdf, h docHead) {
	left, _, right, _ := p.GetMargins()
	pageW, _ := p.GetPageSize()
	width := pageW - left - right
	top := p.GetY()
	// Left head: the issuing body, a star, the number.
	p.SetFont(fontFamily, "B", 10.5)
	p.SetXY(left, top)
	p.MultiCell(headWidth, 5.5, h.Issuer, "", "C", false)
	p.SetX(left)
	p.SetFont(fontFamily, "", 11)
	p.CellFormat(headWidth, 5, "*", "", 1, "C", false, 0, "")
	if h.Number != "" {
		p.SetX(left)
		p.CellFormat(headWidth, 6, h.Number, "", 1, "C", false, 0, "")
	}
	leftEnd := p.GetY()
	// Right head: the party, underlined, then place and date.
	rx := left + headWidth + 2
	rw := width - headWidth - 2
	p.SetXY(rx, top)
	p.SetFont(fontFamily, "BU", 12)
	p.CellFormat(rw, 6, h.Party, "", 2, "C", false, 0, "")
	p.Ln(5)
	p.SetX(rx)
	p.SetFont(fontFamily, "", 11)
	p.MultiCell(rw, 5.5, h.PlaceDate, "", "C", false)
	p.SetXY(left, max(leftEnd, p.GetY())+8)
}

// drawFoot draws f from the cursor down and leaves the cursor below it. A
// foot that would not fit on the page starts a new one, so the signature is
// never parted from "Nơi nhận".
func drawFoot(p *fpdf.Fpdf, f docFoot) {
	left, _, right, _ := p.GetMargins()
	pageW, pageH := p.GetPageSize()
	_, bottom := p.GetAutoPageBreak()
	width := pageW - left - right
	rx := left + headWidth + 2
	rw := width - headWidth - 2
	need := max(5+4.5*float64(len(f.Recipients)+1), 6*float64(len(f.Signature))+26)
	if p.GetY()+need > pageH-bottom {
		p.AddPage()
	}
	footTop := p.GetY()
	p.SetFont(fontFamily, "BU", 10)
	p.SetX(left)
	p.CellFormat(headWidth, 5, f.RecipientsLabel, "", 1, "L", false, 0, "")
	p.SetFont(fontFamily, "", 9)
	for i, r := range f.Recipients {
		end := ","
		if i == len(f.Recipients)-1 {
			end = "."
		}
		p.SetX(left)
		p.MultiCell(headWidth, 4.5, "- "+strings.TrimRight(r, ",.;")+end, "", "L", false)
	}
	recEnd := p.GetY()
	p.SetXY(rx, footTop)
	p.SetFont(fontFamily, "B", 12)
	for _, s := range f.Signature {
		p.SetX(rx)
		p.CellFormat(rw, 6, s, "", 2, "C", false, 0, "")
	}
	p.Ln(20)
	p.SetX(rx)
	p.CellFormat(rw, 6, f.SignerName, "", 2, "C", false, 0, "")
	p.SetXY(left, max(recEnd, p.GetY()))
}
