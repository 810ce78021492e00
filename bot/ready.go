package bot

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/convene/convene"
)

// Start-up retry timing: after a temporary failure the check is retried
// after StartBackoffFirst, doubling to StartBackoffMax, jittered; after a
// refused token, every StartUnauthorizedRetry. Tests may shorten them; a
// Readiness reads them when it is made.
var (
	StartBackoffFirst      = time.Second
	StartBackoffMax        = time.Minute
	StartUnauthorizedRetry = time.Minute
)

// Readiness is a channel adapter's start-up state: not ready until its
// check (getMe) first succeeds, with the reason why not. Its methods are
// safe for concurrent use.
type Readiness struct {
	name                 string // the channel's name, for reasons and logs
	first, most, refused time.Duration
	mu                   sync.Mutex
	ok                   bool
	why                  string
	ready                chan struct{}
}

// NewReadiness returns the state of the channel name before its first check.
func NewReadiness(name string) *Readiness {
	return &Readiness{name: name, why: "starting: connecting to " + name, ready: make(chan struct{}),
		first: StartBackoffFirst, most: StartBackoffMax, refused: StartUnauthorizedRetry}
}

// Health reports whether the channel is ready and, if not, why: "starting:
// telegram unreachable (retrying)" or "unauthorized: the bot token was
// refused".
func (r *Readiness) Health() (ok bool, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ok {
		return true, "ok"
	}
	return false, r.why
}

// Ready is closed when the check first succeeds.
func (r *Readiness) Ready() <-chan struct{} { return r.ready }

// Wait blocks until the channel is ready (true) or ctx ends (false).
func (r *Readiness) Wait(ctx context.Context) bool {
	select {
	case <-r.ready:
		return true
	case <-ctx.Done():
		return false
	}
}

// Try runs check once and records its outcome; it returns check's error.
// A failure is logged when the reason changes, so a refused token is logged
// once, not at every retry. check's errors must carry no secret.
func (r *Readiness) Try(ctx context.Context, log *slog.Logger, check func(context.Context) error) error {
	err := check(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ok {
		return nil
	}
	if err == nil {
		r.ok = true
		close(r.ready)
		log.Info(r.name + " connected")
		return nil
	}
	why := "starting: " + r.name + " unreachable (retrying)"
	switch KindOf(err) {
	case ErrUnauthorized:
		why = "unauthorized: the bot token was refused"
	case ErrPermanent:
		why = "starting: " + r.name + " refused the start-up check (retrying)"
	}
	if why != r.why {
		if KindOf(err) == ErrUnauthorized {
			log.Error(r.name+" bot token refused: fix the token; retrying every "+r.refused.String(), "err", err)
		} else {
			log.Warn(r.name+" not ready", "reason", why, "err", err)
		}
	}
	r.why = why
	return err
}

// Retry runs check through Try until it succeeds or ctx ends: after a
// temporary failure with exponential backoff and jitter (StartBackoffFirst
// doubling to StartBackoffMax), after a refused token every
// StartUnauthorizedRetry, so a bad token never spins.
func (r *Readiness) Retry(ctx context.Context, log *slog.Logger, check func(context.Context) error) {
	backoff := r.first
	for {
		err := r.Try(ctx, log, check)
		if err == nil || ctx.Err() != nil {
			return
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		backoff = min(backoff*2, r.most)
		var e *Error
		if errors.As(err, &e) && e.Kind == ErrUnauthorized {
			wait = r.refused
		} else if ra := RetryAfterOf(err); ra > wait {
			wait = ra
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// Observe records the answer to a call made once the channel is ready:
// refused (the token was refused) makes the channel not ready, with that
// reason, logged once; the next answer that accepts the token makes it
// ready again. Before the channel is first ready, Try alone decides.
func (r *Readiness) Observe(log *slog.Logger, refused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.ready:
	default:
		return
	}
	switch {
	case refused && r.ok:
		r.ok, r.why = false, "unauthorized: the bot token was refused"
		log.Error(r.name + " bot token refused: fix the token")
	case !refused && !r.ok:
		r.ok = true
		log.Info(r.name + " bot token accepted again")
	}
}

// representativeMenu gives a unit representative's chat the delegates' menu
// and /units, over the default menu, where the channel has chat menus.
func (b *core) representativeMenu(ctx context.Context, a *convene.Account, lang string) {
	cm, ok := b.Channel(a.Channel).(ChatMenus)
	if !ok {
		return
	}
	menu := append(b.menu(lang, false), MenuCommand{Name: "units", Description: b.Texts.T(lang, "menu.units", nil)})
	if err := cm.SetChatCommands(ctx, a.ChatID, menu); err != nil {
		b.Logger.Warn("set representative menu", "account", a.ID, "err", err)
	}
}

// staffMenu gives a staff member's chat the delegates' menu and the
// commands staff may use (roll call, the venue QR, the web desk).
func (b *core) staffMenu(ctx context.Context, a *convene.Account, lang string) {
	cm, ok := b.Channel(a.Channel).(ChatMenus)
	if !ok {
		return
	}
	if err := cm.SetChatCommands(ctx, a.ChatID, b.staffCommands(lang)); err != nil {
		b.Logger.Warn("set staff menu", "account", a.ID, "err", err)
	}
}

// chatMenu gives a's chat the menu of its person's role: organizers and
// admins theirs, unit representatives and staff theirs; delegates keep
// the menu every chat has.
func (b *core) chatMenu(ctx context.Context, a *convene.Account, role convene.Role, lang string, admin bool) {
	switch {
	case role == convene.RoleOrganizer || admin:
		b.organizerMenu(ctx, a, lang, admin)
	case role == convene.RoleUnitRep:
		b.representativeMenu(ctx, a, lang)
	case role == convene.RoleStaff:
		b.staffMenu(ctx, a, lang)
	}
}
