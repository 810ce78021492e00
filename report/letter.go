package report

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/convene/convene"
	"github.com/convene/convene/texts"
	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// Letter is one invitation letter laid out as a party document, before it is
// drawn: what each part of the page says. Tests read it without a PDF reader.
type Letter struct {
	Issuer          string   // left head: the issuing committee, upper case
	Number          string   // "Số 45-GM/ĐU"
	Party           string   // right head: ĐẢNG CỘNG SẢN VIỆT NAM
	PlaceDate       string   // "TP. Hồ Chí Minh, ngày 20 tháng 3 năm 2024"
	Title           string   // GIẤY MỜI
	Addressee       string   // "Kính gửi: Đồng chí … – <chức vụ>, <đơn vị>"
	Attention       string   // a unit letter: "(Đồng chí … – <chức vụ>, người cử đại biểu của đơn vị)"
	Opening         string   // "<organization> trân trọng kính mời đồng chí đến dự <title>."
	Details         []string // time, venue, host, category, agenda: one line each
	Program         []string // the program: the chair, then one line per item
	ProgramLabel    string   // Chương trình hội nghị
	Closing         []string // deadline, contact, "Rất mong…"
	RecipientsLabel string   // Nơi nhận:
	Recipients      []string // one line each
	Signature       []string // authority, title (upper case), then the name after the signing space
	SignerName      string
	Link            string // the personal link the QR code opens
	Code            string // the personal code printed under the QR code
	Scan            string // how to use the QR code or the code
}

// NewLetter lays out the letter to inv. link is the invitee's personal link.
func NewLetter(d *Data, inv *convene.Invitee, link string) Letter {
	l, m := d.Lang, d.Meeting
	iss := m.Issuer
	loc := m.Location()
	data := map[string]any{"Office": iss.OfficeName(), "Board": iss.BoardName()}
	with := func(kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range data {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	lt := Letter{
		Issuer: strings.ToUpper(m.Organization),
		Party:  T(l, "letter_party"),
		Title:  T(l, "letter_title"),
		Link:   link,
		Code:   Tf(l, "letter_code_label", with("Code", convene.GroupCode(inv.Token))),
		Scan:   T(l, "letter_scan"),

		RecipientsLabel: T(l, "letter_recipients"),
	}
	if iss.LetterNumber != "" {
		lt.Number = Tf(l, "letter_number", with("Number", iss.LetterNumber))
	}
	lt.PlaceDate = placeDate(d)
	lt.Addressee = T(l, "letter_to") + ": " + Tf(l, "letter_addressee", with("Name", inv.Person.FullName,
		"Position", inv.Person.Title, "Unit", inv.Person.Unit))
	org := m.Organization
	if org == "" {
		org = iss.OfficeName()
	}
	lt.Opening = org + " " + T(l, "letter_invite") + " " + m.Title + "."
	start := catalog.Long(l, m.StartsAt.In(loc))
	end := ""
	if !m.EndsAt.IsZero() {
		et := m.EndsAt.In(loc)
		end = Tf(l, "clock", with("Hour", et.Format("15"), "Minute", et.Format("04")))
	}
	lt.Details = append(lt.Details, Tf(l, "letter_time", with("Start", start, "End", end)))
	if v := strings.TrimSuffix(m.Venue+", "+m.Address, ", "); strings.Trim(v, ", ") != "" {
		lt.Details = append(lt.Details, Tf(l, "letter_venue", with("Venue", strings.Trim(v, ", "))))
	}
	if m.Host != "" {
		lt.Details = append(lt.Details, Tf(l, "letter_host", with("Host", m.Host)))
	}
	if inv.Category.Name != "" {
		lt.Details = append(lt.Details, Tf(l, "letter_category", with("Category", inv.Category.Name)))
	}
	if m.Agenda != "" {
		lt.Details = append(lt.Details, Tf(l, "letter_agenda", with("Agenda", m.Agenda)))
	}
	lt.Program, lt.ProgramLabel = programLines(d), T(l, "program")
	lt.Closing = append(lt.Closing, T(l, "letter_deadline")+" "+when(d, m.Deadline())+".")
	lt.Closing = append(lt.Closing, Tf(l, "letter_contact", with("Name", iss.ContactName, "Phone", texts.Phone(iss.ContactPhone))))
	lt.Closing = append(lt.Closing, T(l, "letter_closing"))
	lt.Recipients = iss.Recipients
	if len(lt.Recipients) == 0 {
		lt.Recipients = strings.Split(Tf(l, "letter_recipients_default", data), ";")
	}
	lt.Signature, lt.SignerName = signatureOf(d)
	return lt
}

// Letters writes one printable A4 invitation letter per invitee in the form
// of a party document, each with the QR code of the invitee's personal link
// and the personal code printed under it.
func Letters(w io.Writer, d *Data, link func(inv *convene.Invitee) string) error {
	return LettersWithUnits(w, d, link, nil)
}

// LettersWithUnits writes the invitees' letters, then one letter per unit of
// d.UnitList addressed to the unit and its representative: what the unit
// is asked to send, by category, the deadline, the representative's code
// and QR code. unitLink is the representative's personal link; nil leaves
// the unit letters out.
func LettersWithUnits(w io.Writer, d *Data, link func(inv *convene.Invitee) string, unitLink func(u *convene.Unit) string) error {
	l, m := d.Lang, d.Meeting
	p := newLetterPDF()
	p.SetTitle(T(l, "letter_title")+" — "+m.Title, true)
	pages := 0
	for i, inv := range d.Invitees {
		if err := drawLetter(p, fmt.Sprintf("qr%d", i), NewLetter(d, inv, link(inv))); err != nil {
			return fmt.Errorf("letter to %s: %w", inv.Person.FullName, err)
		}
		pages++
	}
	if unitLink != nil {
		for i, u := range d.UnitList {
			if err := drawLetter(p, fmt.Sprintf("qru%d", i), NewUnitLetter(d, u, unitLink(u))); err != nil {
				return fmt.Errorf("letter to %s: %w", u.Name, err)
			}
			pages++
		}
	}
	if pages == 0 {
		p.AddPage()
	}
	return p.Output(w)
}

// NewUnitLetter lays out the letter to unit u: addressed to the unit, for
// the attention of its representative, saying how many delegates of which
// category to send and by when. link is the representative's personal link.
func NewUnitLetter(d *Data, u *convene.Unit, link string) Letter {
	l, m := d.Lang, d.Meeting
	iss := m.Issuer
	data := func(kv ...any) map[string]any {
		out := map[string]any{"Office": iss.OfficeName(), "Board": iss.BoardName()}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	// The delegate's letter gives the head, the time, venue, agenda, program and foot.
	lt := NewLetter(d, &convene.Invitee{Invitation: convene.Invitation{Token: u.Token}}, link)
	lt.Addressee = T(l, "letter_to") + ": " + u.Name
	lt.Attention = "(" + Tf(l, "unit_letter_rep", data("Name", u.Rep.FullName, "Title", u.Rep.Title)) + ")"
	org := m.Organization
	if org == "" {
		org = iss.OfficeName()
	}
	lt.Opening = org + " " + Tf(l, "unit_letter_invite", data("Unit", u.Name, "Title", m.Title))
	var quotas []string
	for _, c := range d.Categories {
		if n := u.Quota(c); n > 0 {
			quotas = append(quotas, Tf(l, "unit_letter_quota", data("Category", c.Name, "Count", fmt.Sprintf("%02d", n))))
		}
	}
	lt.Details = append(quotas, lt.Details...) // the invitee has no category: no "Thành phần" line
	lt.Closing[0] = Tf(l, "unit_letter_deadline", data("Name", u.Rep.FullName, "Deadline", when(d, u.Deadline(m))))
	lt.Closing[len(lt.Closing)-1] = T(l, "unit_letter_closing")
	lt.Scan = T(l, "unit_letter_scan")
	return lt
}

// letterQRHeight is what the QR block takes at a letter's foot, with its margins.
const letterQRHeight = 38.0 + 12

// newLetterPDF returns an A4 document with the margins of a filed letter.
func newLetterPDF() *fpdf.Fpdf {
	p := newPDF()
	p.SetMargins(25, 15, 15) // the left margin a filed document needs
	p.SetAutoPageBreak(true, 12)
	return p
}

// letterSize is the body font size at which lt fits one page with its QR
// code: 12 pt, or smaller for a long letter (a program, many categories).
func letterSize(lt Letter) float64 {
	for _, size := range []float64{12, 11, 10.5, 10, 9.5, 9} {
		p := newLetterPDF()
		p.AddPage()
		drawLetterBody(p, lt, size)
		_, pageH := p.GetPageSize()
		if p.PageNo() == 1 && p.GetY()+letterQRHeight <= pageH-12 {
			return size
		}
	}
	return 9
}

// drawLetter draws lt on a new page.
func drawLetter(p *fpdf.Fpdf, qrName string, lt Letter) error {
	p.AddPage()
	drawLetterBody(p, lt, letterSize(lt))
	return drawLetterQR(p, qrName, lt)
}

// drawLetterBody draws the head, the text at size points and the foot of lt.
func drawLetterBody(p *fpdf.Fpdf, lt Letter, size float64) {
	lh := size * 0.54 // line height, mm
	left, _, right, _ := p.GetMargins()
	pageW, _ := p.GetPageSize()
	width := pageW - left - right
	drawHead(p, docHead{Issuer: lt.Issuer, Number: lt.Number, Party: lt.Party, PlaceDate: lt.PlaceDate})

	p.SetFont(fontFamily, "B", 16)
	p.CellFormat(width, 8, lt.Title, "", 1, "C", false, 0, "")
	p.Ln(4)
	p.SetFont(fontFamily, "B", 12)
	p.MultiCell(width, 6.5, lt.Addressee, "", "C", false)
	if lt.Attention != "" {
		p.SetFont(fontFamily, "", 11)
		p.MultiCell(width, 6, lt.Attention, "", "C", false)
	}
	p.Ln(4)
	p.SetFont(fontFamily, "", size)
	indent := func(s string) { p.SetX(left); p.MultiCell(width, lh, "\u2003"+keepNumbers(s), "", "J", false) }
	indent(lt.Opening)
	for _, s := range lt.Details {
		p.SetX(left + 8)
		p.MultiCell(width-8, lh, "- "+s, "", "J", false)
	}
	if len(lt.Program) > 0 {
		p.SetX(left + 8)
		p.MultiCell(width-8, lh, "- "+lt.ProgramLabel+":", "", "J", false)
		for _, s := range lt.Program {
			p.SetX(left + 14)
			p.MultiCell(width-14, lh, "+ "+s, "", "L", false)
		}
	}
	for _, s := range lt.Closing {
		indent(s)
	}
	p.Ln(6)

	// Foot: Nơi nhận on the left, the signature on the right.
	drawFoot(p, docFoot{RecipientsLabel: lt.RecipientsLabel, Recipients: lt.Recipients, Signature: lt.Signature, SignerName: lt.SignerName})
	p.SetY(p.GetY() + 6)
}

// digitSpace is a space between two digits, as in a phone number.
var digitSpace = regexp.MustCompile(`(\d) (\d)`)

// keepNumbers keeps a number written in groups ("0912 888 777") on one
// line: its spaces become no-break spaces.
func keepNumbers(s string) string {
	for i := 0; i < 2; i++ { // "0912 888 777": the second pass joins the groups the first skipped
		s = digitSpace.ReplaceAllString(s, "$1\u00a0$2")
	}
	return s
}

// drawLetterQR draws the QR code of lt's link with the personal code beside
// it and how to use them, at the letter's foot.
func drawLetterQR(p *fpdf.Fpdf, qrName string, lt Letter) error {
	left, _, right, _ := p.GetMargins()
	pageW, _ := p.GetPageSize()
	width := pageW - left - right
	// The QR code with the personal code under it, and how to use them.
	png, err := qrcode.Encode(lt.Link, qrcode.Medium, 512)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	p.RegisterImageOptionsReader(qrName, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	const qr = 38.0
	_, pageH := p.GetPageSize()
	y := p.GetY()
	if y+qr+12 > pageH-12 {
		// letterSize found no size that leaves room under the foot: a
		// page of its own rather than over the signer's name.
		p.AddPage()
		y = p.GetY()
	}
	p.ImageOptions(qrName, left, y, qr, qr, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	p.SetXY(left+qr+6, y+4)
	p.SetFont(fontFamily, "", 10)
	p.MultiCell(width-qr-6, 5.5, lt.Scan, "", "L", false)
	p.SetXY(left+qr+6, p.GetY()+3)
	p.SetFont(fontFamily, "B", 11)
	p.CellFormat(width-qr-6, 6, lt.Code, "", 0, "L", false, 0, "")
	return nil
}
