package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/convene/convene"
)

// The calendar button, "📅 Add to calendar" under an invitation, sends the
// meeting's .ics file on demand. Its callback data is "ics:<invitation id>".

// calendarData is the calendar button's callback data: "ics:<invitation id>".
type calendarData struct{ Inv int64 }

func (d calendarData) encode() string { return "ics:" + itoa(d.Inv) }

// parseCalendarData reads calendarData: errStale unless it names a
// positive invitation id.
func parseCalendarData(s string) (calendarData, error) {
	p := strings.Split(s, ":")
	if len(p) != 2 || p[0] != "ics" {
		return calendarData{}, errStale
	}
	id, err := strconv.ParseInt(p[1], 10, 64)
	if err != nil || id <= 0 {
		return calendarData{}, errStale
	}
	return calendarData{Inv: id}, nil
}

// calendarButton reports whether a channel with caps offers the calendar
// button: it needs buttons to press and documents to send the file.
func calendarButton(caps Caps) bool { return caps.Buttons && caps.Documents }

// calendarButtonOn is calendarButton for the channel named name. Without the
// channel at hand (the CLI queues invitations for a running serve), Telegram
// is the channel with buttons and files.
func (h *calendarHandlers) calendarButtonOn(name string) bool {
	if ch := h.Channel(name); ch != nil {
		return calendarButton(ch.Caps())
	}
	return name == "telegram"
}

// onCalendarButton sends the meeting's .ics file to the invitee (or an
// organizer) who pressed the calendar button. Data that names no
// invitation, or an invitation of someone else, gets the stale-button answer.
func (h *calendarHandlers) onCalendarButton(ctx context.Context, r *Request) error {
	var inv *convene.Invitee
	{
		if d, err := parseCalendarData(r.CallbackData); err == nil {
			found, err := h.Invitations.FindInvitationByID(ctx, d.Inv)
			switch {
			case convene.ErrorCode(err) == convene.ENOTFOUND:
			case err != nil:
				return err
			case r.Organizer || (r.Person != nil && found.PersonID == r.Person.ID):
				inv = found
			}
		}
	}
	if inv == nil {
		h.answer(ctx, r, h.t(r, "hint.stale_button"))
		return nil
	}
	m, err := h.Meetings.FindMeetingByID(ctx, inv.MeetingID)
	if err != nil {
		return err
	}
	h.answer(ctx, r, "")
	h.reply(ctx, r, Outgoing{
		Text:     h.t(r, "invite.ics_caption"),
		Document: &convene.File{Name: m.Code + ".ics", MIME: "text/calendar", Data: ICS(m, m.Title, m.Host)},
	})
	return nil
}

// calendarHandlers send a meeting as a calendar file.
type calendarHandlers struct {
	*core
}
