package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/plan"
	"github.com/convene/convene/report"
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
		Plans: b.Plans, Web: ws, Units: b.Units, Texts: b.Texts, IsAdmin: b.IsAdmin, Lang: b.Lang, LateAfter: b.LateAfter,
		Secure: strings.HasPrefix(base, "https://"), Now: b.Now, Logger: m.Logger,
		CheckinLink: b.CheckinLink,
		Checkin:     b,
		QR:          func(text string, size int) ([]byte, error) { return qrcode.Encode(text, qrcode.Medium, size) },
		Report:      rep.Report,
		ReadRoster:  plan.ReadRoster,
		Actions:     botActions{b},
		// Personal download links of meeting materials (/doc/<token>).
		MaterialByLink: b.MaterialByLink,
		ApplyPlan: func(ctx context.Context, r io.Reader) (*convene.ApplyResult, error) {
			p, err := plan.Parse(r)
			if err != nil {
				return nil, err
			}
			res, err := b.Plans.ApplyPlan(ctx, p)
			if err != nil {
				return nil, err
			}
			for _, code := range res.Moved {
				if _, err := b.NotifyMoved(ctx, code); err != nil {
					return res, fmt.Errorf("notify invitees of %s: %w", code, err)
				}
			}
			return res, nil
		},
		Letters: func(ctx context.Context, code, lang string) ([]byte, error) {
			d, err := m.reportData(ctx, code, lang)
			if err != nil {
				return nil, err
			}
			// As `convene letters`: the invitees' letters, then one per unit.
			if d.UnitList, err = b.Units.FindUnits(ctx, d.Meeting.ID); err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			err = report.LettersWithUnits(&buf, d, func(inv *convene.Invitee) string { return b.Link(ctx, inv.Token) },
				func(u *convene.Unit) string { return b.Link(ctx, u.Token) })
			return buf.Bytes(), err
		},
	})
	if err != nil {
		return nil, err
	}
	b.SetWebLinks(&loginLinks{svc: ws, base: base})
	b.SetMaterialLinks(base) // personal download links (/doc/<token>) on channels without files
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

// botActions gives the desk the bot's sending actions.
type botActions struct{ b *bot.Bot }

func (a botActions) ParseAudience(meetingID int64, s string) (convene.InvitationFilter, error) {
	return bot.ParseAudience(meetingID, s)
}

func (a botActions) ReminderAudience(meetingID int64, s string) (convene.InvitationFilter, error) {
	return bot.ReminderAudience(meetingID, s)
}

func (a botActions) Invite(ctx context.Context, code, actor string, notify int64) (int, int, error) {
	r, err := a.b.IssueInvitations(ctx, code, actor, notify)
	if err != nil {
		return 0, 0, err
	}
	return r.Queued, r.Unlinked, nil
}

func (a botActions) Remind(ctx context.Context, code, audience, batch, actor string, notify int64) (int, int, error) {
	return delivered(a.b.RemindBatch(ctx, code, audience, batch, actor, notify))
}

func (a botActions) Broadcast(ctx context.Context, f convene.InvitationFilter, text, batch, actor string, notify int64) (int, int, error) {
	return delivered(a.b.Broadcast(ctx, f, text, batch, actor, notify))
}

func (a botActions) OpenFeedback(ctx context.Context, code, actor string) (int, int, error) {
	return delivered(a.b.OpenFeedback(ctx, code, actor))
}

func (a botActions) CloseFeedback(ctx context.Context, code, actor string) error {
	return a.b.CloseFeedback(ctx, code, actor)
}

func delivered(d *bot.Delivery, err error) (int, int, error) {
	if err != nil {
		return 0, 0, err
	}
	return d.Queued, d.Unlinked, nil
}
