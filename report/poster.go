package report

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// posterQR is the side of the poster's QR code, mm: big enough to scan
// from a few steps away on an A4 sheet by the venue's door.
const posterQR = 120.0

// Poster writes the venue's check-in poster (`checkin-link --qr FILE.pdf`):
// one A4 portrait page with the organization and office at the top, the
// meeting's title, time and venue, "QUÉT MÃ ĐỂ ĐIỂM DANH", a big QR code of
// link and, under it, the check-in code to send on a text-only channel.
// d needs only Meeting and Lang.
func Poster(w io.Writer, d *Data, link string) error {
	l, m := d.Lang, d.Meeting
	iss := m.Issuer
	loc := m.Location()
	p := newPDF()
	p.SetMargins(20, 15, 20)
	p.SetAutoPageBreak(false, 0)
	p.SetTitle(T(l, "poster_heading")+" — "+m.Title, true)
	p.AddPage()
	left, _, right, _ := p.GetMargins()
	pageW, pageH := p.GetPageSize()
	width := pageW - left - right

	// The organization and, under it, the office that keeps the roll.
	p.SetFont(fontFamily, "B", 12)
	if m.Organization != "" {
		p.MultiCell(width, 6, strings.ToUpper(m.Organization), "", "C", false)
	}
	p.SetFont(fontFamily, "B", 11)
	p.MultiCell(width, 6, strings.ToUpper(iss.OfficeName()), "", "C", false)
	p.SetFont(fontFamily, "", 11)
	p.CellFormat(width, 5, "*", "", 1, "C", false, 0, "")
	p.Ln(4)

	// The meeting: title, time, venue.
	p.SetFont(fontFamily, "B", 17)
	p.MultiCell(width, 8.5, m.Title, "", "C", false)
	p.Ln(2)
	p.SetFont(fontFamily, "", 12)
	p.MultiCell(width, 6.5, Tf(l, "poster_time", map[string]any{"Start": catalog.Long(l, m.StartsAt.In(loc))}), "", "C", false)
	if v := strings.Trim(strings.TrimSuffix(m.Venue+", "+m.Address, ", "), ", "); v != "" {
		p.MultiCell(width, 6.5, Tf(l, "poster_venue", map[string]any{"Venue": v}), "", "C", false)
	}
	p.Ln(6)

	// The heading, the QR code, the code under it.
	p.SetFont(fontFamily, "B", 30)
	p.MultiCell(width, 14, T(l, "poster_heading"), "", "C", false)
	png, err := qrcode.Encode(link, qrcode.Medium, 1024)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	p.RegisterImageOptionsReader("checkin-qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	// Shrink the code if a long title or venue left less room.
	const below = 30.0 // the code and the instruction under the QR code
	side := min(posterQR, pageH-15-below-p.GetY()-2)
	y := p.GetY() + 2
	p.ImageOptions("checkin-qr", (pageW-side)/2, y, side, side, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	p.SetXY(left, y+side+2)
	if code := checkinCode(link); code != "" {
		p.SetFont(fontFamily, "B", 16)
		p.MultiCell(width, 8, Tf(l, "poster_code", map[string]any{"Code": code}), "", "C", false)
	}
	p.SetFont(fontFamily, "", 11)
	p.SetX(left + 10)
	p.MultiCell(width-20, 5.5, T(l, "poster_scan"), "", "C", false)
	if p.PageNo() != 1 {
		return fmt.Errorf("poster: does not fit one page")
	}
	return p.Output(w)
}

// checkinCode is the code a check-in link carries (its start parameter,
// "ci-12-…"), which a delegate on a text-only channel sends as it is; the
// whole link when it has none.
func checkinCode(link string) string {
	if u, err := url.Parse(link); err == nil {
		if s := u.Query().Get("start"); s != "" {
			return s
		}
	}
	return link
}
