package web

import (
	"net/http"

	"github.com/convene/convene"
)

// venue is the full-screen page for the hall's projector or a tablet at
// the door: the meeting's title, the check-in QR code and the running count.
func (s *Server) venue(w http.ResponseWriter, r *http.Request, u *user) {
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	st, err := s.Invitations.MeetingStats(r.Context(), m.ID)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.renderPage(w, r, http.StatusOK, "venue", &page{User: u, Meeting: m, Data: map[string]any{
		"Stats": st, "Here": st.Total.Present + st.Total.Late, "QR": s.CheckinLink != nil && s.QR != nil,
	}})
}

// venueQR is the PNG of the meeting's check-in link.
func (s *Server) venueQR(w http.ResponseWriter, r *http.Request, u *user) {
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if s.CheckinLink == nil || s.QR == nil {
		s.fail(w, r, u, convene.Errorf(convene.ENOTFOUND, "no check-in link"))
		return
	}
	link, err := s.CheckinLink(r.Context(), m)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	png, err := s.QR(link, 640)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
}
