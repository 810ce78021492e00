package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/convene/convene"
)

// page is what every template gets.
type page struct {
	Lang    string
	User    *user
	Meeting *convene.Meeting
	Data    map[string]any
}

func (s *Server) parseTemplates() error {
	funcs := template.FuncMap{
		"t": func(lang, id string, kv ...any) string {
			var data map[string]any
			if len(kv) > 0 {
				data = map[string]any{}
				for i := 0; i+1 < len(kv); i += 2 {
					data[fmt.Sprint(kv[i])] = kv[i+1]
				}
			}
			return s.Texts.T(lang, id, data)
		},
		"clock": func(m *convene.Meeting, t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(m.Location()).Format("15:04")
		},
		"when": func(m *convene.Meeting, t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(m.Location()).Format("15:04 02/01/2006")
		},
		"add": func(a, b int) int { return a + b },
		// pngURL passes a PNG data URL (the venue's QR code) into an attribute.
		"pngURL": func(s string) template.URL {
			if !strings.HasPrefix(s, "data:image/png;base64,") {
				return ""
			}
			return template.URL(s)
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"pct": func(a, b int) int {
			if b == 0 {
				return 0
			}
			return a * 100 / b
		},
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	s.tmpl = map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
		s.tmpl[name] = t
	}
	return nil
}

// lang picks the page language: ?lang=vi|en (remembered in a cookie), the
// cookie, the user's language, the default.
func (s *Server) lang(w http.ResponseWriter, r *http.Request, u *user) string {
	if l := r.URL.Query().Get("lang"); l == "vi" || l == "en" {
		if w != nil {
			http.SetCookie(w, &http.Cookie{Name: "convene_lang", Value: l, Path: "/", MaxAge: 365 * 86400, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
		}
		return l
	}
	if c, err := r.Cookie("convene_lang"); err == nil && (c.Value == "vi" || c.Value == "en") {
		return c.Value
	}
	if u != nil && (u.Lang == "vi" || u.Lang == "en") {
		return u.Lang
	}
	return s.Lang
}

// render writes template name with the page data.
func (s *Server) render(w http.ResponseWriter, r *http.Request, u *user, status int, name string, data map[string]any) {
	s.renderPage(w, r, status, name, &page{Lang: s.lang(w, r, u), User: u, Data: data})
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	if p.Lang == "" {
		p.Lang = s.lang(w, r, p.User)
	}
	t, ok := s.tmpl[name]
	if !ok {
		s.fail(w, r, p.User, fmt.Errorf("no template %q", name))
		return
	}
	var buf bytes.Buffer
	tn := "layout.html"
	if strings.HasPrefix(name, "frag_") {
		tn = "content"
	}
	if err := t.ExecuteTemplate(&buf, tn, p); err != nil {
		s.Logger.Error("render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// message shows one catalog text as a page.
func (s *Server) message(w http.ResponseWriter, r *http.Request, u *user, status int, id string) {
	s.render(w, r, u, status, "message", map[string]any{"Text": id})
}

// fail maps an error to a page: domain codes to their status, anything
// else logged as a fault.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, u *user, err error) {
	switch convene.ErrorCode(err) {
	case convene.ENOTFOUND:
		s.message(w, r, u, http.StatusNotFound, "web.not_found")
	case convene.EINVALID:
		s.message(w, r, u, http.StatusBadRequest, "web.invalid")
	case convene.EFORBIDDEN:
		s.message(w, r, u, http.StatusForbidden, "web.forbidden")
	default:
		s.Logger.Error("web request failed", "path", r.URL.Path, "err", err)
		s.message(w, r, u, http.StatusInternalServerError, "web.internal")
	}
}

// meetingOf returns the meeting named by the path's {code}.
func (s *Server) meetingOf(r *http.Request) (*convene.Meeting, error) {
	return s.Meetings.FindMeetingByCode(r.Context(), r.PathValue("code"))
}
