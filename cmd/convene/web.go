package main

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/plan"
	"github.com/convene/convene/storage"
	"github.com/convene/convene/web"
	qrcode "github.com/skip2/go-qrcode"
)

// webBase is the address the /web sign-in links point at.
func (m *Main) webBase(ln net.Addr) string {
	switch {
	case m.Config.WebURL != "":
		return strings.TrimSuffix(m.Config.WebURL, "/")
	case m.Config.PublicURL != "":
		return strings.TrimSuffix(m.Config.PublicURL, "/")
	}
	host, port, _ := net.SplitHostPort(ln.String())
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// newWeb returns the web desk on the bot's services and turns /web on.
func (m *Main) newWeb(b *bot.Bot, base string) (*web.Server, error) {
	ws := storage.NewWebService(m.DB)
	rep := &reporter{m: m}
	srv, err := web.New(web.Config{
		Meetings: b.Meetings, People: b.People, Invitations: b.Invitations, Feedback: b.Feedback,
		Plans: b.Plans, Web: ws, Texts: b.Texts, IsAdmin: b.IsAdmin, Lang: b.Lang, LateAfter: b.LateAfter,
		Secure: strings.HasPrefix(base, "https://"), Now: b.Now, Logger: m.Logger,
		CheckinLink: b.CheckinLink,
		QR:          func(text string, size int) ([]byte, error) { return qrcode.Encode(text, qrcode.Medium, size) },
		Report:      rep.Report,
		ReadRoster:  plan.ReadRoster,
	})
	if err != nil {
		return nil, err
	}
	b.SetWebLinks(&loginLinks{svc: ws, base: base})
	return srv, nil
}

// loginLinks makes /web sign-in links.
type loginLinks struct {
	svc  convene.WebService
	base string
}

func (l *loginLinks) LoginLink(ctx context.Context, accountID int64) (string, error) {
	tok, err := l.svc.CreateLoginLink(ctx, accountID, convene.LoginLinkTTL)
	if err != nil {
		return "", err
	}
	return l.base + "/login/" + tok, nil
}

// metricsGuard serves /metrics to loopback clients, and to others only
// with "Authorization: Bearer <--metrics-token>".
func (m *Main) metricsGuard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			h.ServeHTTP(w, r)
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if m.Config.MetricsToken != "" && ok && subtle.ConstantTimeCompare([]byte(tok), []byte(m.Config.MetricsToken)) == 1 {
			h.ServeHTTP(w, r)
			return
		}
		http.Error(w, "forbidden", http.StatusForbidden)
	})
}
