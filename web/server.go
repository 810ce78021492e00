// Package web is the Office's web desk: live meeting counts, the invitee
// list, the check-in desk at the door, the venue screen, feedback and
// files, served with html/template and embedded files. Sign-in is by a
// one-time link from /web in chat; every page checks the role as chat does.
package web

import (
	"context"
	"embed"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/convene/convene"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Texts renders catalog texts; bot.Catalog satisfies it.
type Texts interface {
	T(lang, id string, data map[string]any) string
}

// Config holds what the desk needs. Services and Texts are required; the
// funcs are optional and hide their feature when nil.
type Config struct {
	Meetings    convene.MeetingService
	People      convene.PersonService
	Invitations convene.InvitationService
	Feedback    convene.FeedbackService
	Plans       convene.PlanService
	Web         convene.WebService
	// Units gives the meeting page what each unit was asked to send and
	// sent; nil hides it.
	Units convene.UnitService
	Texts Texts
	// IsAdmin reports whether a chat account is a configured admin.
	IsAdmin func(channel, userID string) bool
	// Lang is the default language ("vi").
	Lang string
	// LateAfter is how long after the start a check-in counts as late, as in chat.
	LateAfter time.Duration
	// Secure marks the session cookie Secure (the public URL is https).
	Secure bool
	Now    func() time.Time
	Logger *slog.Logger
	// PollEvery is how often live pages look for changes; default 300 ms.
	PollEvery time.Duration
	// CheckinLink returns a meeting's venue check-in link (for its QR code).
	CheckinLink func(ctx context.Context, m *convene.Meeting) (string, error)
	// QR encodes text as a PNG QR code of size pixels.
	QR func(text string, size int) ([]byte, error)
	// Report renders a meeting's report in format (pdf, xlsx, csv) and lang.
	Report func(ctx context.Context, code, format, lang string) (data []byte, name string, err error)
	// Letters renders a meeting's printable invitation letters (PDF).
	Letters func(ctx context.Context, code, lang string) ([]byte, error)
	// ReadRoster parses an uploaded roster (format csv or xlsx).
	ReadRoster func(r io.Reader, format string) ([]convene.RosterEntry, error)
	// Checkin gives the venue screen rotating check-in codes and the
	// per-meeting choice between them and the static poster; nil: static
	// codes only.
	Checkin Checkin
	// ApplyPlan reads a plan file (YAML) as `convene plan apply` does and
	// applies it: EINVALID naming the line of the first problem, and
	// nothing stored, for a bad plan.
	ApplyPlan func(ctx context.Context, r io.Reader) (*convene.ApplyResult, error)
	// Actions send invitations, reminders, announcements and feedback requests.
	Actions Actions
	// MaterialByLink returns the material (and its bytes) a personal
	// download link's token names, ENOTFOUND for a token not made by the
	// bot or revoked; nil turns /doc/{token} off (material.go).
	MaterialByLink func(ctx context.Context, token string) (*convene.Material, []byte, error)
}

// Server is the web desk's http.Handler.
type Server struct {
	Config
	tmpl    map[string]*template.Template
	handler http.Handler
	hub     *hub
	done    chan struct{}
	once    sync.Once
}

// Close ends the open event streams, so a server shutdown need not wait for them.
func (s *Server) Close() { s.once.Do(func() { close(s.done) }) }

// New returns the desk. Mount it under "/".
func New(cfg Config) (*Server, error) {
	if cfg.Lang == "" {
		cfg.Lang = "vi"
	}
	if cfg.LateAfter <= 0 {
		cfg.LateAfter = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = 300 * time.Millisecond
	}
	if cfg.IsAdmin == nil {
		cfg.IsAdmin = func(string, string) bool { return false }
	}
	s := &Server{Config: cfg, done: make(chan struct{})}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.hub = newHub(s)
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP serves the desk; state-changing requests from another origin are refused.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(http.FileServerFS(static))))
	mux.HandleFunc("GET /login/{token}", s.loginPage)
	mux.HandleFunc("POST /login/{token}", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /doc/{token}", s.material) // public: the token is the permission (material.go)

	for _, rt := range table {
		h := rt.h
		mux.HandleFunc(rt.pattern, s.need(rt.min, func(w http.ResponseWriter, r *http.Request, u *user) { h(s, w, r, u) }))
	}
	return securityHeaders(http.NewCrossOriginProtection().Handler(mux))
}

// route is a page or action with the least role it needs.
type route struct {
	pattern string
	min     level
	h       func(s *Server, w http.ResponseWriter, r *http.Request, u *user)
}

// table is every page and action behind a sign-in: the one place their
// roles are set.
var table = []route{
	{"GET /{$}", levelStaff, (*Server).index},
	{"POST /plan", levelOrganizer, (*Server).uploadPlan},
	{"GET /m/{code}", levelOrganizer, (*Server).meeting},
	{"GET /m/{code}/p/{id}", levelOrganizer, (*Server).person},
	{"GET /m/{code}/feedback", levelOrganizer, (*Server).feedback},
	{"GET /m/{code}/files/{file}", levelOrganizer, (*Server).file},
	{"POST /m/{code}/roster", levelOrganizer, (*Server).uploadRoster},
	{"GET /m/{code}/actions", levelOrganizer, (*Server).actions},
	{"POST /m/{code}/actions/preview", levelOrganizer, (*Server).actionPreview},
	{"POST /m/{code}/actions/run", levelOrganizer, (*Server).actionRun},
	{"GET /m/{code}/desk", levelStaff, (*Server).desk},
	{"GET /m/{code}/desk/list", levelStaff, (*Server).deskList},
	{"POST /m/{code}/desk/{id}", levelStaff, (*Server).deskAction},
	{"GET /m/{code}/venue", levelStaff, (*Server).venue},
	{"GET /m/{code}/venue/qr.png", levelStaff, (*Server).venueQR},
	{"GET /m/{code}/venue/code", levelStaff, (*Server).venueCodeJSON},
	{"POST /m/{code}/venue/mode", levelOrganizer, (*Server).venueMode},
	{"GET /m/{code}/events", levelStaff, (*Server).events},
}

// Routes lists every page and action behind a sign-in with the least role
// it needs ("staff" or "organizer"), for the authorization tests:
// "GET /m/{code}" → "organizer". Admins may do all an organizer may.
func Routes() map[string]string {
	out := map[string]string{}
	for _, rt := range table {
		name := "staff"
		if rt.min >= levelOrganizer {
			name = "organizer"
		}
		out[strings.Replace(rt.pattern, "{$}", "", 1)] = name
	}
	return out
}

func cacheFor(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// securityHeaders forbids framing and outside scripts and keeps the
// address (with login tokens) out of Referer headers.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}
