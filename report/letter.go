package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

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
	Opening         string   // "<organization> trân trọng kính mời đồng chí đến dự <title>."
	Details         []string // time, venue, host, category, agenda: one line each
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
	dated := d.Generated
	if dated.IsZero() {
		dated = time.Now()
	}
	lt := Letter{
		Issuer: strings.ToUpper(m.Organization),
		Party:  T(l, "letter_party"),
		Title:  T(l, "letter_title"),
		Link:   link,
		Code:   Tf(l, "letter_code_label", with("Code", inv.Token)),
		Scan:   T(l, "letter_scan"),

		RecipientsLabel: T(l, "letter_recipients"),
	}
	if iss.LetterNumber != "" {
		lt.Number = Tf(l, "letter_number", with("Number", iss.LetterNumber))
	}
	date := catalog.Date(l, dated.In(loc))
	if iss.Place != "" {
		lt.PlaceDate = Tf(l, "letter_place_date", with("Place", iss.Place, "Date", date))
	} else {
		lt.PlaceDate = strings.ToUpper(date[:1]) + date[1:]
	}
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
	lt.Closing = append(lt.Closing, T(l, "letter_deadline")+" "+when(d, m.Deadline())+".")
	lt.Closing = append(lt.Closing, Tf(l, "letter_contact", with("Name", iss.ContactName, "Phone", texts.Phone(iss.ContactPhone))))
	lt.Closing = append(lt.Closing, T(l, "letter_closing"))
	lt.Recipients = iss.Recipients
	if len(lt.Recipients) == 0 {
		lt.Recipients = strings.Split(Tf(l, "letter_recipients_default", data), ";")
	}
	for _, s := range []string{iss.SignerAuthority, iss.SignerTitle} {
		if s != "" {
			lt.Signature = append(lt.Signature, strings.ToUpper(s))
		}
	}
	lt.SignerName = iss.SignerName
	return lt
}

// Letters writes one printable A4 invitation letter per invitee in the form
// of a party document, each with the QR code of the invitee's personal link
// and the personal code printed under it.
func Letters(w io.Writer, d *Data, link func(inv *convene.Invitee) string) error {
	l, m := d.Lang, d.Meeting
	p := newPDF()
	p.SetMargins(25, 15, 15) // the left margin a filed document needs
	p.SetAutoPageBreak(true, 12)
	p.SetTitle(T(l, "letter_title")+" — "+m.Title, true)
	for i, inv := range d.Invitees {
		if err := drawLetter(p, fmt.Sprintf("qr%d", i), NewLetter(d, inv, link(inv))); err != nil {
			return fmt.Errorf("letter to %s: %w", inv.Person.FullName, err)
		}
	}
	if len(d.Invitees) == 0 {
		p.AddPage()
	}
	return p.Output(w)
}

// drawLetter draws lt on a new page.
func drawLetter(p *fpdf.Fpdf, qrName string, lt Letter) error {
	p.AddPage()
	left, _, right, _ := p.GetMargins()
	pageW, _ := p.GetPageSize()
	width := pageW - left - right
	headW := 86.0
	top := p.GetY()
	// Left head: the issuing committee, a star, the number.
	p.SetFont(fontFamily, "B", 10.5)
	p.SetXY(left, top)
	p.MultiCell(headW, 5.5, lt.Issuer, "", "C", false)
	p.SetX(left)
	p.SetFont(fontFamily, "", 11)
	p.CellFormat(headW, 5, "*", "", 1, "C", false, 0, "")
	if lt.Number != "" {
		p.SetX(left)
		p.CellFormat(headW, 6, lt.Number, "", 1, "C", false, 0, "")
	}
	leftEnd := p.GetY()
	// Right head: the party, underlined, then place and date.
	rx := left + headW + 2
	rw := width - headW - 2
	p.SetXY(rx, top)
	p.SetFont(fontFamily, "BU", 12)
	p.CellFormat(rw, 6, lt.Party, "", 2, "C", false, 0, "")
	p.Ln(5)
	p.SetX(rx)
	p.SetFont(fontFamily, "", 11)
	p.MultiCell(rw, 5.5, lt.PlaceDate, "", "C", false)
	p.SetY(max(leftEnd, p.GetY()) + 8)

	p.SetFont(fontFamily, "B", 16)
	p.CellFormat(width, 8, lt.Title, "", 1, "C", false, 0, "")
	p.Ln(4)
	p.SetFont(fontFamily, "B", 12)
	p.MultiCell(width, 6.5, lt.Addressee, "", "C", false)
	p.Ln(4)
	p.SetFont(fontFamily, "", 12)
	indent := func(s string) { p.SetX(left); p.MultiCell(width, 6.5, "\u2003"+s, "", "J", false) }
	indent(lt.Opening)
	for _, s := range lt.Details {
		p.SetX(left + 8)
		p.MultiCell(width-8, 6.5, "- "+s, "", "J", false)
	}
	for _, s := range lt.Closing {
		indent(s)
	}
	p.Ln(6)

	// Foot: Nơi nhận on the left, the signature on the right.
	footTop := p.GetY()
	p.SetFont(fontFamily, "BU", 10)
	p.SetX(left)
	p.CellFormat(headW, 5, lt.RecipientsLabel, "", 1, "L", false, 0, "")
	p.SetFont(fontFamily, "", 9)
	for i, r := range lt.Recipients {
		end := ","
		if i == len(lt.Recipients)-1 {
			end = "."
		}
		p.SetX(left)
		p.MultiCell(headW, 4.5, "- "+strings.TrimRight(r, ",.;")+end, "", "L", false)
	}
	recEnd := p.GetY()
	p.SetXY(rx, footTop)
	p.SetFont(fontFamily, "B", 12)
	for _, s := range lt.Signature {
		p.SetX(rx)
		p.CellFormat(rw, 6, s, "", 2, "C", false, 0, "")
	}
	p.Ln(20)
	p.SetX(rx)
	p.CellFormat(rw, 6, lt.SignerName, "", 2, "C", false, 0, "")
	p.SetY(max(recEnd, p.GetY()) + 6)

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
		y = pageH - 12 - qr - 12 // keep the code on the letter's own page
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
