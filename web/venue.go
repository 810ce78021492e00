package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/convene/convene"
)

// Checkin is the bot's venue check-in codes; *bot.Bot satisfies it.
type Checkin interface {
	// CheckinMode returns "static" or "rotating".
	CheckinMode(ctx context.Context, m *convene.Meeting) (string, error)
	// SetCheckinMode returns EINVALID for a mode other than "static" or "rotating".
	SetCheckinMode(ctx context.Context, m *convene.Meeting, mode, actor string) error
	// RotatingCheckinLink returns the current window's check-in link and
	// when the next window starts.
	RotatingCheckinLink(ctx context.Context, m *convene.Meeting) (link string, next time.Time, err error)
}

// venueCodeSize is the rotating code's PNG size in pixels.
const venueCodeSize = 640

// venueCodeData is what the venue screen fetches for its QR code.
type venueCodeData struct {
	Mode string `json:"mode"` // static | rotating
	// QR is the code as a PNG data URL.
	QR string `json:"qr"`
	// Link is what the QR code holds: the check-in deep link.
	Link string `json:"link"`
	// Refresh is how many milliseconds until the next code (rotating only).
	Refresh int64 `json:"refresh_ms,omitempty"`
}

// checkinMode returns the meeting's check-in mode, "static" without Checkin.
func (s *Server) checkinMode(ctx context.Context, m *convene.Meeting) (string, error) {
	if s.Checkin == nil {
		return "static", nil
	}
	return s.Checkin.CheckinMode(ctx, m)
}

// venueCode returns the code the venue screen shows now: the rotating
// code of this window, or the static one.
func (s *Server) venueCode(ctx context.Context, m *convene.Meeting) (*venueCodeData, error) {
	if s.QR == nil {
		return nil, convene.Errorf(convene.ENOTFOUND, "no QR codes")
	}
	mode, err := s.checkinMode(ctx, m)
	if err != nil {
		return nil, err
	}
	out := &venueCodeData{Mode: mode}
	var link string
	switch {
	case mode == "rotating":
		var next time.Time
		if link, next, err = s.Checkin.RotatingCheckinLink(ctx, m); err != nil {
			return nil, err
		}
		// A moment past the change, so the next fetch gets the new code.
		out.Refresh = max(next.Sub(s.Now()).Milliseconds(), 0) + 300
	case s.CheckinLink != nil:
		if link, err = s.CheckinLink(ctx, m); err != nil {
			return nil, err
		}
	default:
		return nil, convene.Errorf(convene.ENOTFOUND, "no check-in link")
	}
	png, err := s.QR(link, venueCodeSize)
	if err != nil {
		return nil, err
	}
	out.QR, out.Link = "data:image/png;base64,"+base64.StdEncoding.EncodeToString(png), link
	return out, nil
}

// venue is the full-screen page for the hall's projector or a tablet at
// the door: the meeting's title, the check-in QR code (rotating every 30 s
// if the organizer chose so) and the running count.
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
	data := map[string]any{"Stats": st, "Here": st.Total.Present + st.Total.Late}
	if s.QR != nil && (s.CheckinLink != nil || s.Checkin != nil) {
		code, err := s.venueCode(r.Context(), m)
		if err != nil {
			s.fail(w, r, u, err)
			return
		}
		data["Code"] = code
	}
	s.renderPage(w, r, http.StatusOK, "venue", &page{User: u, Meeting: m, Data: data})
}

// venueCodeJSON serves the venue screen's current code as JSON; the
// screen fetches it again when refresh_ms has passed.
func (s *Server) venueCodeJSON(w http.ResponseWriter, r *http.Request, u *user) {
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	code, err := s.venueCode(r.Context(), m)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(code)
}

// venueMode sets the meeting's check-in mode (static poster or rotating
// screen) and returns to the meeting page.
func (s *Server) venueMode(w http.ResponseWriter, r *http.Request, u *user) {
	m, err := s.meetingOf(r)
	if err == nil && s.Checkin == nil {
		err = convene.Errorf(convene.ENOTFOUND, "no rotating check-in codes")
	}
	if err == nil {
		err = s.Checkin.SetCheckinMode(r.Context(), m, r.FormValue("mode"), u.Actor())
	}
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/m/"+m.Code+"#files", http.StatusSeeOther)
}

// venueQR is the PNG of the meeting's static check-in link.
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
