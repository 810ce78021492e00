package bot

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/convene/convene"
)

// WebLinks issues one-time sign-in links to the web desk; cmd provides it
// with SetWebLinks when the desk is on.
type WebLinks interface {
	// LoginLink stores a new one-time token of the account and returns the
	// link carrying it.
	LoginLink(ctx context.Context, accountID int64) (string, error)
}

// SetWebLinks turns /web on.
func (b *Bot) SetWebLinks(w WebLinks) { b.web.links.Store(&w) }

// cmdWeb sends an organizer, admin or staff member a one-time sign-in link
// to the web desk. The link is a secret: it is created once the handler's
// transaction committed and sent straight to the chat, never through the
// outbox, so it is stored nowhere but as a hash. If sending fails the
// person asks again.
func (h *webHandlers) cmdWeb(ctx context.Context, r *Request) error {
	staff := r.Person != nil && r.Person.Role == convene.RoleStaff
	if !r.Organizer && !staff {
		h.Logger.Info("refused command", "command", "web", "actor", r.Actor())
		return convene.Errorf(convene.EFORBIDDEN, "/web")
	}
	if !r.Private {
		h.say(ctx, r, "org.private_only", "Command", "web")
		return nil
	}
	v := h.links.Load()
	if v == nil {
		h.say(ctx, r, "web.off")
		return nil
	}
	wl := *v
	acc, lang := *r.Account, r.Lang
	r.afterCommit(func(ctx context.Context) {
		link, err := wl.LoginLink(ctx, acc.ID)
		if err != nil {
			h.Logger.Error("web login link", "account", acc.ID, "err", err)
			return
		}
		ch := h.Channel(acc.Channel)
		if ch == nil {
			return
		}
		text := h.Texts.T(lang, "web.link", map[string]any{"Link": link, "Minutes": int(convene.LoginLinkTTL / time.Minute)})
		if _, err := ch.Send(ctx, acc.ChatID, Outgoing{Text: text}); err != nil {
			h.Logger.Warn("send web login link", "account", acc.ID, "err", err)
		}
	})
	return nil
}

// webHandlers give organizers and staff their link to the web desk.
type webHandlers struct {
	*core
	// links is the desk's WebLinks once SetWebLinks turned /web on.
	links atomic.Pointer[WebLinks]
}
