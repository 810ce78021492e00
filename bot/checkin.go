package bot

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
	qrcode "github.com/skip2/go-qrcode"
)

const checkinPrefix = "ci-"

// checkinSecret returns the server's check-in secret, creating it once.
func (h *checkinHandlers) checkinSecret(ctx context.Context) ([]byte, error) {
	s, err := h.State.GetState(ctx, "checkin.secret")
	if err != nil {
		return nil, err
	}
	if s == "" {
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return nil, err
		}
		s = hex.EncodeToString(buf)
		if err := h.State.SetState(ctx, "checkin.secret", s); err != nil {
			return nil, err
		}
		// Another process may have raced us: read back what won.
		if s, err = h.State.GetState(ctx, "checkin.secret"); err != nil {
			return nil, err
		}
	}
	return hex.DecodeString(s)
}

// checkinCode is a venue check-in link's payload, its typed codec:
// "ci-<meeting id>-<mac>" for the static poster, "ci-<meeting id>-<window>-<mac>"
// for the rotating venue screen, where window is the Unix time divided by
// CheckinWindow when the code was shown. The MAC is checkinMACLen
// base64url characters (which may hold '-'), so the last checkinMACLen
// characters are always the MAC.
type checkinCode struct {
	Meeting int64
	Window  int64 // 0: the static poster's code
	MAC     string
}

const checkinMACLen = 22

func (c checkinCode) encode() string {
	if c.Window == 0 {
		return fmt.Sprintf("%s%d-%s", checkinPrefix, c.Meeting, c.MAC)
	}
	return fmt.Sprintf("%s%d-%d-%s", checkinPrefix, c.Meeting, c.Window, c.MAC)
}

// parseCheckinCode reads a checkinCode; ok is false for another shape.
func parseCheckinCode(s string) (c checkinCode, ok bool) {
	rest, ok1 := strings.CutPrefix(s, checkinPrefix)
	idText, rest, ok2 := strings.Cut(rest, "-")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok1 || !ok2 || err != nil || id <= 0 || len(rest) < checkinMACLen {
		return checkinCode{}, false
	}
	c = checkinCode{Meeting: id, MAC: rest[len(rest)-checkinMACLen:]}
	if len(rest) == checkinMACLen {
		return c, true
	}
	wText, ok3 := strings.CutSuffix(rest[:len(rest)-checkinMACLen], "-")
	w, err := strconv.ParseInt(wText, 10, 64)
	if !ok3 || err != nil || w <= 0 {
		return checkinCode{}, false
	}
	c.Window = w
	return c, true
}

// signed returns c with the MAC of its meeting m and window.
func (c checkinCode) signed(secret []byte, m *convene.Meeting) checkinCode {
	c.Meeting, c.MAC = m.ID, checkinMAC(secret, m, c.Window)
	return c
}

func checkinMAC(secret []byte, m *convene.Meeting, window int64) string {
	h := hmac.New(sha256.New, secret)
	if window == 0 {
		fmt.Fprintf(h, "checkin:%d:%s", m.ID, m.Code)
	} else {
		fmt.Fprintf(h, "checkin:%d:%s:%d", m.ID, m.Code, window)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:checkinMACLen]
}

// CheckinLink returns the venue's static check-in deep link of the meeting
// (the printed poster's).
func (b *Bot) CheckinLink(ctx context.Context, m *convene.Meeting) (string, error) {
	return b.checkin.CheckinLink(ctx, m)
}

// CheckinLink does the work of Bot.CheckinLink.
func (h *checkinHandlers) CheckinLink(ctx context.Context, m *convene.Meeting) (string, error) {
	secret, err := h.checkinSecret(ctx)
	if err != nil {
		return "", err
	}
	return h.Link(ctx, checkinCode{}.signed(secret, m).encode()), nil
}

// CheckinQR returns a PNG QR code of the meeting's check-in link.
func (b *Bot) CheckinQR(ctx context.Context, m *convene.Meeting, size int) ([]byte, string, error) {
	return b.checkin.CheckinQR(ctx, m, size)
}

// CheckinQR does the work of Bot.CheckinQR.
func (h *checkinHandlers) CheckinQR(ctx context.Context, m *convene.Meeting, size int) ([]byte, string, error) {
	link, err := h.CheckinLink(ctx, m)
	if err != nil {
		return nil, "", err
	}
	png, err := qrcode.Encode(link, qrcode.Medium, size)
	return png, link, err
}

// findCheckinCode finds the venue's check-in code in a message: the code
// itself ("ci-12-…") or the whole check-in link pasted.
func findCheckinCode(text string) (string, bool) {
	s := strings.TrimSpace(text)
	if _, after, ok := strings.Cut(s, "start="); ok && !strings.ContainsAny(s, " \n") {
		s = after
	}
	if !strings.HasPrefix(s, checkinPrefix) || !looksLikeToken(s) {
		return "", false
	}
	return s, true
}

// checkinToken checks the sender in from the venue's QR code: a static
// code, or a rotating one within its validity (refused with a request to
// scan again once older). A meeting whose venue shows rotating codes
// refuses the static code.
func (h *checkinHandlers) checkinToken(ctx context.Context, r *Request, token string) error {
	c, ok := parseCheckinCode(token)
	if !ok {
		h.say(ctx, r, "link.malformed")
		return nil
	}
	m, err := h.Meetings.FindMeetingByID(ctx, c.Meeting)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		h.say(ctx, r, "link.unknown")
		return nil
	} else if err != nil {
		return err
	}
	secret, err := h.checkinSecret(ctx)
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(c.MAC), []byte(checkinMAC(secret, m, c.Window))) {
		h.say(ctx, r, "link.unknown")
		return nil
	}
	mode, err := h.CheckinMode(ctx, m)
	if err != nil {
		return err
	}
	if (c.Window == 0 && mode == CheckinRotating) || (c.Window != 0 && !checkinWindowValid(c.Window, h.Now())) {
		h.say(ctx, r, "checkin.expired")
		return nil
	}
	r.about(m)
	now := h.Now()
	if now.Before(m.StartsAt.Add(-h.CheckinOpens)) {
		h.say(ctx, r, "checkin.too_early", "Title", m.Title, "Opens", h.when(r.Lang, m, m.StartsAt.Add(-h.CheckinOpens)))
		return nil
	}
	if now.After(m.End()) {
		h.say(ctx, r, "checkin.closed", "Title", m.Title)
		return nil
	}
	if r.Person == nil {
		h.say(ctx, r, "checkin.not_linked")
		return nil
	}
	invs, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, PersonID: r.Person.ID})
	if err != nil {
		return err
	}
	if len(invs) == 0 {
		h.say(ctx, r, "checkin.not_invited", "Title", m.Title)
		return nil
	}
	att := convene.AttendancePresent
	if now.After(m.StartsAt.Add(h.LateAfter)) {
		att = convene.AttendanceLate
	}
	inv, err := h.Invitations.CheckIn(ctx, invs[0].ID, att, now, convene.CheckinQR, r.Actor())
	if convene.ErrorCode(err) == convene.ECONFLICT && inv != nil {
		h.say(ctx, r, "checkin.already", "At", inv.CheckedInAt.In(m.Location()).Format("15:04"))
		return nil
	} else if err != nil {
		return err
	}
	h.say(ctx, r, "checkin.done_"+string(inv.Attendance), "Name", r.Person.FullName, "Title", m.Title, "At", now.In(m.Location()).Format("15:04"))
	return nil
}

// cmdCheckin sends the organizer the venue's QR code and link.
func (h *checkinHandlers) cmdCheckin(ctx context.Context, r *Request) error {
	m, _, err := h.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	if mode, err := h.CheckinMode(ctx, m); err != nil {
		return err
	} else if mode == CheckinRotating {
		h.say(ctx, r, "checkin.rotating_note", "Title", m.Title)
		return nil
	}
	png, link, err := h.CheckinQR(ctx, m, 512)
	if err != nil {
		return err
	}
	text := h.t(r, "checkin.qr_caption", "Title", m.Title, "Link", link,
		"From", h.when(r.Lang, m, m.StartsAt.Add(-h.CheckinOpens)), "Until", h.when(r.Lang, m, m.End()))
	if r.channel.Caps().Photos {
		h.reply(ctx, r, Outgoing{Text: text, Photo: &convene.File{Name: m.Code + "-checkin.png", MIME: "image/png", Data: png}})
	} else {
		h.reply(ctx, r, Outgoing{Text: text})
	}
	return nil
}

// cmdRollcall shows the roll call: /rollcall CODE [name].
func (h *checkinHandlers) cmdRollcall(ctx context.Context, r *Request) error {
	m, query, err := h.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	if err := h.State.SetState(ctx, rollcallKey(r.Account.ID), query); err != nil {
		return err
	}
	return h.showRollcall(ctx, r, m, 0, query, false)
}

func rollcallKey(accountID int64) string { return "rollcall:" + itoa(accountID) }

// showRollcall shows one page of invitees with a check-in toggle each.
func (h *checkinHandlers) showRollcall(ctx context.Context, r *Request, m *convene.Meeting, page int, query string, edit bool) error {
	if query == "" {
		query, _ = h.State.GetState(ctx, rollcallKey(r.Account.ID))
	}
	invs, total, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, Name: query, Offset: page * h.PageSize, Limit: h.PageSize})
	if err != nil {
		return err
	}
	st, err := h.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		return err
	}
	text := h.t(r, "rollcall.title", "Title", m.Title, "Present", st.Total.Present+st.Total.Late, "Total", st.Total.Invited)
	if query != "" {
		text += "\n" + h.t(r, "rollcall.search", "Query", query, "Count", total)
	}
	if total == 0 {
		text += "\n\n" + h.t(r, "rollcall.none")
	}
	var rows [][]convene.Button
	for _, inv := range invs {
		mark := "⬜"
		if !inv.CheckedInAt.IsZero() {
			mark = "✅"
		} else if inv.RSVP == convene.RSVPDeclined {
			mark = "➖"
		}
		rows = append(rows, []convene.Button{{
			Text: fmt.Sprintf("%s %s — %s", mark, inv.Person.FullName, orDash(inv.Person.Unit)),
			Data: rollcallData{Meeting: m.ID, Inv: inv.ID, Page: page}.encode(),
		}})
	}
	rows = append(rows, h.pager(r, pageRollcall, m.ID, page, total)...)
	out := Outgoing{Text: text, Buttons: rows}
	if edit {
		h.edit(ctx, r, out)
	} else {
		h.reply(ctx, r, out)
	}
	return nil
}

// onRollcall toggles one invitee's manual check-in.
func (h *checkinHandlers) onRollcall(ctx context.Context, r *Request) error {
	if !r.Organizer && !r.Staff {
		return convene.Errorf(convene.EFORBIDDEN, "rollcall")
	}
	d, err := parseRollcallData(r.CallbackData)
	if err != nil {
		return err
	}
	id, page := d.Inv, d.Page
	m, err := h.Meetings.FindMeetingByID(ctx, d.Meeting)
	if err != nil {
		return err
	}
	r.about(m)
	inv, err := h.Invitations.FindInvitationByID(ctx, id)
	if err != nil {
		return err
	}
	if inv.MeetingID != m.ID {
		return convene.Errorf(convene.EINVALID, "invitation of another meeting")
	}
	if inv.CheckedInAt.IsZero() {
		now := h.Now()
		att := convene.AttendancePresent
		if now.After(m.StartsAt.Add(h.LateAfter)) {
			att = convene.AttendanceLate
		}
		_, err = h.Invitations.CheckIn(ctx, id, att, now, convene.CheckinManual, r.Actor())
	} else {
		_, err = h.Invitations.UndoCheckIn(ctx, id, r.Actor())
	}
	if err != nil && convene.ErrorCode(err) != convene.ECONFLICT {
		return err
	}
	h.answer(ctx, r, inv.Person.FullName)
	return h.showRollcall(ctx, r, m, page, "", true)
}

// rollcallData is the callback data of a roll-call toggle:
// "rc:<meeting id>:<invitation id>:<page>".
type rollcallData struct {
	Meeting, Inv int64
	Page         int
}

func (d rollcallData) encode() string { return fmt.Sprintf("rc:%d:%d:%d", d.Meeting, d.Inv, d.Page) }

// parseRollcallData reads rollcallData: errStale for another shape,
// EINVALID for bad numbers.
func parseRollcallData(s string) (rollcallData, error) {
	p := strings.Split(s, ":")
	if len(p) != 4 || p[0] != "rc" {
		return rollcallData{}, errStale
	}
	mid, err1 := strconv.ParseInt(p[1], 10, 64)
	id, err2 := strconv.ParseInt(p[2], 10, 64)
	page, err3 := strconv.Atoi(p[3])
	if err1 != nil || err2 != nil || err3 != nil {
		return rollcallData{}, convene.Errorf(convene.EINVALID, "bad roll call button")
	}
	return rollcallData{Meeting: mid, Inv: id, Page: page}, nil
}

// checkinHandlers check people in at the venue (the signed or rotating code) and run the roll call.
type checkinHandlers struct {
	*core
}
