package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/convene/convene"
)

// PageSize is how many invitees a list page shows.
const PageSize = 50

// index lists the meetings: organizers open their page, staff their desk.
func (s *Server) index(w http.ResponseWriter, r *http.Request, u *user) {
	ms, err := s.Meetings.FindMeetings(r.Context(), convene.MeetingFilter{})
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, u, http.StatusOK, "index", map[string]any{"Meetings": ms})
}

// listQuery is the invitee list's search, filters and page, from the URL.
type listQuery struct {
	Q, RSVP, Att, Cat, Unit string
	Page                    int
}

func parseListQuery(v url.Values) listQuery {
	p, _ := strconv.Atoi(v.Get("page"))
	return listQuery{Q: v.Get("q"), RSVP: v.Get("rsvp"), Att: v.Get("att"), Cat: v.Get("cat"), Unit: v.Get("unit"), Page: max(p, 0)}
}

func (q listQuery) filter(meetingID int64, limit int) convene.InvitationFilter {
	f := convene.InvitationFilter{MeetingID: meetingID, Name: q.Q, Category: q.Cat, Unit: q.Unit,
		Offset: q.Page * limit, Limit: limit}
	if q.RSVP != "" {
		f.RSVP = []convene.RSVP{convene.RSVP(q.RSVP)}
	}
	switch q.Att {
	case "":
	case "none":
		f.Attendance = []convene.Attendance{convene.AttendanceNone}
	default:
		f.Attendance = []convene.Attendance{convene.Attendance(q.Att)}
	}
	return f
}

// URL returns the list's address with page p.
func (q listQuery) URL(base string, p int) string {
	v := url.Values{}
	for k, s := range map[string]string{"q": q.Q, "rsvp": q.RSVP, "att": q.Att, "cat": q.Cat, "unit": q.Unit} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if p > 0 {
		v.Set("page", strconv.Itoa(p))
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

// meeting shows the counts (live) and the invitee list.
func (s *Server) meeting(w http.ResponseWriter, r *http.Request, u *user) {
	ctx := r.Context()
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	st, err := s.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	q := parseListQuery(r.URL.Query())
	invs, total, err := s.Invitations.FindInvitees(ctx, q.filter(m.ID, PageSize))
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	base := "/m/" + m.Code
	data := map[string]any{"Stats": st, "Invitees": invs, "Total": total, "Query": q,
		"From": q.Page*PageSize + 1, "To": q.Page*PageSize + len(invs)}
	if q.Page > 0 {
		data["Prev"] = q.URL(base, q.Page-1)
	}
	if (q.Page+1)*PageSize < total {
		data["Next"] = q.URL(base, q.Page+1)
	}
	if s.Units != nil {
		units, err := s.Units.UnitCounts(ctx, m.ID)
		if err != nil {
			s.fail(w, r, u, err)
			return
		}
		data["Units"] = units
	}
	data["RSVPs"] = []convene.RSVP{convene.RSVPPending, convene.RSVPAttending, convene.RSVPDeclined, convene.RSVPSubstitute}
	data["Atts"] = []string{"none", "present", "late", "excused", "absent"}
	if s.Checkin != nil {
		if data["CheckinMode"], err = s.checkinMode(ctx, m); err != nil {
			s.fail(w, r, u, err)
			return
		}
	}
	s.renderPage(w, r, http.StatusOK, "meeting", &page{User: u, Meeting: m, Data: data})
}

// invitationOf returns the invitation named by the path's {id}; ENOTFOUND
// for a bad id or an invitation of another meeting.
func (s *Server) invitationOf(r *http.Request, m *convene.Meeting) (*convene.Invitee, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, convene.Errorf(convene.ENOTFOUND, "invitation")
	}
	inv, err := s.Invitations.FindInvitationByID(r.Context(), id)
	if err == nil && inv.MeetingID != m.ID {
		err = convene.Errorf(convene.ENOTFOUND, "invitation of another meeting")
	}
	return inv, err
}

// person shows one invitee: answers, reason, substitute, check-in, accounts.
func (s *Server) person(w http.ResponseWriter, r *http.Request, u *user) {
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	inv, err := s.invitationOf(r, m)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	msgs, err := s.Web.FindMessagesTo(r.Context(), inv.PersonID, 20)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.renderPage(w, r, http.StatusOK, "person", &page{User: u, Meeting: m, Data: map[string]any{"Inv": inv, "Messages": msgs}})
}
