package web

import (
	"context"
	"net/http"

	"github.com/convene/convene"
)

// cookieName names the session cookie. The __Host- prefix (only with
// Secure) pins it to this host and path.
func (s *Server) cookieName() string {
	if s.Secure {
		return "__Host-convene"
	}
	return "convene"
}

// level is a role's rank: a page needing staff admits organizers and admins too.
type level int

const (
	levelNone level = iota
	levelDelegate
	levelStaff
	levelOrganizer
	levelAdmin
)

// user is who a request's session acts for, resolved on every request so a
// role taken away in chat takes effect at once.
type user struct {
	Account *convene.Account
	Person  *convene.Person
	Level   level
	Lang    string
}

// Actor names the user in the audit log: "web:telegram:123".
func (u *user) Actor() string { return "web:" + u.Account.Channel + ":" + u.Account.UserID }

// Organizer reports whether the user may see everything.
func (u *user) Organizer() bool { return u.Level >= levelOrganizer }

type userKey struct{}

// currentUser returns the session's user, nil without a valid session.
func (s *Server) currentUser(r *http.Request) (*user, error) {
	c, err := r.Cookie(s.cookieName())
	if err != nil || c.Value == "" {
		return nil, nil
	}
	ctx := r.Context()
	ws, err := s.Web.FindWebSession(ctx, c.Value)
	switch convene.ErrorCode(err) {
	case "":
	case convene.ENOTFOUND, convene.EEXPIRED:
		return nil, nil
	default:
		return nil, err
	}
	acc, err := s.People.FindAccountByID(ctx, ws.AccountID)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	u := &user{Account: acc, Level: levelDelegate, Lang: ws.Lang}
	if acc.PersonID != 0 {
		if u.Person, err = s.People.FindPersonByID(ctx, acc.PersonID); err != nil && convene.ErrorCode(err) != convene.ENOTFOUND {
			return nil, err
		}
	}
	switch {
	case s.IsAdmin(acc.Channel, acc.UserID):
		u.Level = levelAdmin
	case u.Person == nil:
		u.Level = levelNone
	case u.Person.Role == convene.RoleOrganizer:
		u.Level = levelOrganizer
	case u.Person.Role == convene.RoleStaff:
		u.Level = levelStaff
	}
	if u.Lang == "" {
		u.Lang = acc.Lang
	}
	if u.Lang == "" && u.Person != nil {
		u.Lang = u.Person.Lang
	}
	return u, nil
}

// need admits users of at least min: without a session the answer is 401
// and a page saying how to sign in; with too small a role, 403.
func (s *Server) need(min level, h func(w http.ResponseWriter, r *http.Request, u *user)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.currentUser(r)
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		if u == nil {
			s.message(w, r, nil, http.StatusUnauthorized, "web.login_required")
			return
		}
		if u.Level < min {
			s.Logger.Info("web refused", "path", r.URL.Path, "actor", u.Actor())
			s.message(w, r, u, http.StatusForbidden, "web.forbidden")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)), u)
	}
}

// loginPage asks to confirm the sign-in: a GET never uses the link, so a
// chat app's link preview does not burn it.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, nil, http.StatusOK, "login", map[string]any{"Token": r.PathValue("token")})
}

// login uses the one-time link and starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	id, ws, err := s.Web.RedeemLoginLink(r.Context(), r.PathValue("token"), convene.SessionTTL)
	switch convene.ErrorCode(err) {
	case "":
	case convene.ENOTFOUND:
		s.message(w, r, nil, http.StatusNotFound, "web.link_unknown")
		return
	case convene.ECONFLICT:
		s.message(w, r, nil, http.StatusGone, "web.link_used")
		return
	case convene.EEXPIRED:
		s.message(w, r, nil, http.StatusGone, "web.link_expired")
		return
	default:
		s.fail(w, r, nil, err)
		return
	}
	// Max-Age, not Expires: the browser's clock may differ from ours.
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: id, Path: "/", MaxAge: int(ws.ExpiresAt.Sub(ws.CreatedAt).Seconds()),
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the session and clears the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(s.cookieName()); err == nil && c.Value != "" {
		if err := s.Web.DeleteWebSession(r.Context(), c.Value); err != nil {
			s.fail(w, r, nil, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	s.message(w, r, nil, http.StatusOK, "web.logged_out")
}
