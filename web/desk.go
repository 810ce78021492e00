package web

import (
	"net/http"

	"github.com/convene/convene"
)

// DeskPageSize is how many invitees the door desk lists at once.
const DeskPageSize = 20

// desk is the check-in desk at the hall's door: search, one tap per person.
func (s *Server) desk(w http.ResponseWriter, r *http.Request, u *user) {
	s.deskPage(w, r, u, "desk")
}

// deskList is the desk's list alone, which the page fetches again when
// anything changes (another desk's mark, a QR check-in).
func (s *Server) deskList(w http.ResponseWriter, r *http.Request, u *user) {
	s.deskPage(w, r, u, "frag_desklist")
}

func (s *Server) deskPage(w http.ResponseWriter, r *http.Request, u *user, name string) {
	ctx := r.Context()
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	q := r.URL.Query().Get("q")
	invs, total, err := s.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, Name: q, Limit: DeskPageSize})
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	recent, err := s.Web.RecentCheckins(ctx, m.ID, 5)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	data := map[string]any{"Q": q, "Invitees": invs, "Total": total, "More": total > len(invs), "Recent": recent}
	if name == "desk" { // the list alone needs no counts: they come by events
		st, err := s.Invitations.MeetingStats(ctx, m.ID)
		if err != nil {
			s.fail(w, r, u, err)
			return
		}
		data["Stats"], data["Here"] = st, st.Total.Present+st.Total.Late
	}
	s.renderPage(w, r, http.StatusOK, name, &page{User: u, Meeting: m, Data: data})
}

// deskAction marks one invitee: action present (late after the configured
// time, as chat's roll call), excused or undo. A script asks with
// X-Desk: list and gets the list back; a plain form is sent back to the desk.
func (s *Server) deskAction(w http.ResponseWriter, r *http.Request, u *user) {
	ctx := r.Context()
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
	switch r.FormValue("action") {
	case "present":
		now := s.Now()
		att := convene.AttendancePresent
		if now.After(m.StartsAt.Add(s.LateAfter)) {
			att = convene.AttendanceLate
		}
		_, err = s.Invitations.CheckIn(ctx, inv.ID, att, now, convene.CheckinManual, u.Actor())
	case "excused":
		_, err = s.Web.ExcuseInvitation(ctx, inv.ID, u.Actor())
	case "undo":
		if !inv.CheckedInAt.IsZero() {
			_, err = s.Invitations.UndoCheckIn(ctx, inv.ID, u.Actor())
		} else {
			_, err = s.Web.UnexcuseInvitation(ctx, inv.ID, u.Actor())
		}
	default:
		err = convene.Errorf(convene.EINVALID, "unknown desk action")
	}
	// A mark already made (by another desk, or a QR scan) is no failure: the list shows it.
	if err != nil && convene.ErrorCode(err) != convene.ECONFLICT {
		s.fail(w, r, u, err)
		return
	}
	s.hub.poke()
	if r.Header.Get("X-Desk") == "list" {
		s.deskList(w, r, u)
		return
	}
	to := "/m/" + m.Code + "/desk"
	if q := r.FormValue("q"); q != "" {
		to += "?q=" + urlQueryEscape(q)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
