package web

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/convene/convene"
)

// The personal download link of a meeting material, GET /doc/{token}, is
// public: the token itself (signed by the bot for one invitee and one
// material, see bot.MaterialByLink) is the permission, for delegates on
// channels that cannot carry files. A token the bot did not make, or made
// for someone no longer invited, is answered 404 like any unknown page.

// publicRoutes are the pages reached without a session, each carrying its
// own secret token; PublicRoutes lists them for the authorization tests.
var publicRoutes = []string{"GET /login/{token}", "POST /login/{token}", "GET /doc/{token}"}

// PublicRoutes lists the pages that need no sign-in: each is authorized by
// the secret token in its path.
func PublicRoutes() []string { return append([]string(nil), publicRoutes...) }

// material serves the material a personal download link names.
func (s *Server) material(w http.ResponseWriter, r *http.Request) {
	if s.MaterialByLink == nil {
		http.NotFound(w, r)
		return
	}
	m, data, err := s.MaterialByLink(r.Context(), r.PathValue("token"))
	switch convene.ErrorCode(err) {
	case "":
	case convene.ENOTFOUND:
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, s.Texts.T(s.Lang, "web.material_gone", nil), http.StatusNotFound)
		return
	default:
		s.Logger.Error("material link", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", m.MIME)
	w.Header().Set("Content-Disposition", attachment(m.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(data)
}

// attachment is a Content-Disposition naming the file for any browser: an
// ASCII fallback and the UTF-8 name (RFC 6266).
func attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" && ascii != name {
		// FormatMediaType writes filename*=utf-8''… for a non-ASCII name.
		return fmt.Sprintf("attachment; filename=%q; %s", ascii, strings.TrimPrefix(v, "attachment; "))
	}
	return fmt.Sprintf("attachment; filename=%q", ascii)
}
