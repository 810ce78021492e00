package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/convene/convene"
)

// Actions are the organizer's sending actions; cmd wires them to the bot,
// so the desk sends exactly what the chat commands send. Each returns how
// many messages were queued and how many invitees could not be reached.
type Actions interface {
	ParseAudience(meetingID int64, audience string) (convene.InvitationFilter, error)
	// ReminderAudience is ParseAudience for a reminder: "all" leaves out
	// the invitees who declined or were replaced by an approved substitute.
	ReminderAudience(meetingID int64, audience string) (convene.InvitationFilter, error)
	Invite(ctx context.Context, code, actor string, notify int64) (queued, unlinked int, err error)
	// Remind queues nothing again for a batch it was called with before.
	Remind(ctx context.Context, code, audience, batch, actor string, notify int64) (queued, unlinked int, err error)
	Broadcast(ctx context.Context, f convene.InvitationFilter, text, batch, actor string, notify int64) (queued, unlinked int, err error)
	OpenFeedback(ctx context.Context, code, actor string) (queued, unlinked int, err error)
	// CloseFeedback closes feedback now: ECONFLICT if it is closed already,
	// EINVALID if it was never opened.
	CloseFeedback(ctx context.Context, code, actor string) error
}

// audiences are the audience picker's choices (the chat's words).
var audiences = []string{"all", "attending", "pending", "declined", "checked-in"}

// actionForm is an action as the forms send it.
type actionForm struct {
	Kind, Audience, Text, Batch string
}

func readActionForm(r *http.Request) (actionForm, error) {
	f := actionForm{Kind: r.FormValue("kind"), Audience: r.FormValue("audience"), Text: strings.TrimSpace(r.FormValue("text")), Batch: r.FormValue("batch")}
	if f.Audience == "" {
		f.Audience = "all"
	}
	switch f.Kind {
	case "invite", "remind", "feedback", "feedback-close":
	case "broadcast":
		if f.Text == "" {
			return f, convene.Errorf(convene.EINVALID, "broadcast without text")
		}
	default:
		return f, convene.Errorf(convene.EINVALID, "unknown action %q", f.Kind)
	}
	return f, nil
}

// actions shows the action forms.
func (s *Server) actions(w http.ResponseWriter, r *http.Request, u *user) {
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.renderPage(w, r, http.StatusOK, "actions", &page{User: u, Meeting: m, Data: map[string]any{
		"Audiences": audiences, "On": s.Actions != nil}})
}

// actionOf returns the meeting and the form of an action request; ENOTFOUND
// when actions are off.
func (s *Server) actionOf(r *http.Request) (*convene.Meeting, actionForm, error) {
	m, err := s.meetingOf(r)
	if err == nil && s.Actions == nil {
		err = convene.Errorf(convene.ENOTFOUND, "actions are off")
	}
	if err != nil {
		return nil, actionForm{}, err
	}
	f, err := readActionForm(r)
	return m, f, err
}

// actionPreview shows who an action reaches (count and first names) and
// asks to confirm; the confirmation carries a batch key so a double
// submit of a broadcast or a reminder sends once.
func (s *Server) actionPreview(w http.ResponseWriter, r *http.Request, u *user) {
	ctx := r.Context()
	m, f, err := s.actionOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	filter := convene.InvitationFilter{MeetingID: m.ID}
	switch f.Kind {
	case "invite":
		no := false
		filter.Issued = &no
	case "remind":
		if filter, err = s.Actions.ReminderAudience(m.ID, f.Audience); err != nil {
			s.fail(w, r, u, err)
			return
		}
	case "broadcast":
		if filter, err = s.Actions.ParseAudience(m.ID, f.Audience); err != nil {
			s.fail(w, r, u, err)
			return
		}
	}
	data := map[string]any{"Form": f}
	if f.Kind == "feedback-close" {
		// Closing sends nothing: the preview says what it ends.
		fbs, err := s.Feedback.FindFeedback(ctx, m.ID)
		if err != nil {
			s.fail(w, r, u, err)
			return
		}
		data["Close"], data["Responders"] = true, len(fbs)
	} else {
		filter.Limit = 10
		invs, total, err := s.Invitations.FindInvitees(ctx, filter)
		if err != nil {
			s.fail(w, r, u, err)
			return
		}
		data["Invitees"], data["Total"], data["More"] = invs, total, total-len(invs)
	}
	buf := make([]byte, 12)
	_, _ = rand.Read(buf)
	f.Batch = hex.EncodeToString(buf)
	data["Form"] = f
	s.renderPage(w, r, http.StatusOK, "preview", &page{User: u, Meeting: m, Data: data})
}

// actionRun does a confirmed action and says how many messages were queued.
func (s *Server) actionRun(w http.ResponseWriter, r *http.Request, u *user) {
	ctx := r.Context()
	m, f, err := s.actionOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	var queued, unlinked int
	switch f.Kind {
	case "invite":
		queued, unlinked, err = s.Actions.Invite(ctx, m.Code, u.Actor(), u.Account.ID)
	case "remind":
		if f.Batch == "" {
			err = convene.Errorf(convene.EINVALID, "reminder without batch")
		} else {
			queued, unlinked, err = s.Actions.Remind(ctx, m.Code, f.Audience, "web:"+f.Batch, u.Actor(), u.Account.ID)
		}
	case "feedback":
		queued, unlinked, err = s.Actions.OpenFeedback(ctx, m.Code, u.Actor())
	case "feedback-close":
		err = s.Actions.CloseFeedback(ctx, m.Code, u.Actor())
		if convene.ErrorCode(err) == convene.ECONFLICT {
			s.message(w, r, u, http.StatusConflict, "web.feedback_already_closed")
			return
		} else if convene.ErrorCode(err) == convene.EINVALID {
			s.message(w, r, u, http.StatusBadRequest, "web.feedback_not_open")
			return
		}
	case "broadcast":
		var filter convene.InvitationFilter
		if filter, err = s.Actions.ParseAudience(m.ID, f.Audience); err == nil {
			if f.Batch == "" {
				err = convene.Errorf(convene.EINVALID, "broadcast without batch")
			} else {
				queued, unlinked, err = s.Actions.Broadcast(ctx, filter, f.Text, "bc:web:"+f.Batch, u.Actor(), u.Account.ID)
			}
		}
	}
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	s.renderPage(w, r, http.StatusOK, "done", &page{User: u, Meeting: m, Data: map[string]any{
		"Kind": f.Kind, "Queued": queued, "Unlinked": unlinked}})
}
