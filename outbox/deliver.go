package outbox

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"golang.org/x/time/rate"
)

// chatLimiter paces one chat.
type chatLimiter struct {
	lim      *rate.Limiter
	lastUsed time.Time
}

// chatReserve books the chat's next send and returns how long it must
// wait; above MaxChatWait the booking is cancelled and the caller postpones.
func (d *Dispatcher) chatReserve(channel, chatID string, now time.Time) (*rate.Reservation, time.Duration) {
	key := channel + ":" + chatID
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.chats[key]
	if !ok {
		c = &chatLimiter{}
		if strings.HasPrefix(chatID, "-") {
			c.lim = rate.NewLimiter(rate.Limit(0.95*d.cfg.PerGroupMinute/60), 1)
		} else {
			c.lim = rate.NewLimiter(rate.Limit(d.cfg.PerChat), d.cfg.ChatBurst)
		}
		d.chats[key] = c
	}
	c.lastUsed = now
	r := c.lim.ReserveN(now, 1)
	return r, r.DelayFrom(now)
}

// pruneChats forgets chat limiters idle for a minute (full again by then).
func (d *Dispatcher) pruneChats(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, c := range d.chats {
		if now.Sub(c.lastUsed) > time.Minute {
			delete(d.chats, k)
		}
	}
}

// deliver sends one claimed message, part by part, and records the
// outcome. first is the governor's booking for its first call; probe marks
// the breaker's single probe.
func (d *Dispatcher) deliver(ctx, sendCtx context.Context, g *governor, m *convene.OutboxMessage, first *rate.Reservation, probe bool) {
	store := context.WithoutCancel(ctx)
	sendCtx, cancel := context.WithTimeout(sendCtx, d.cfg.SendTimeout-time.Second)
	defer cancel()
	ch := d.cfg.Channel(m.Channel)
	if ch == nil {
		first.Cancel()
		g.release(probe)
		d.postpone(store, m, d.cfg.Now().Add(time.Minute), "channel not running")
		return
	}
	caps := ch.Caps()
	content := d.cfg.Render(store, m, caps)
	if m.EditMessageID != "" && caps.Edit {
		if !d.ready(ctx, g, m, first, probe) {
			return
		}
		sentAt := time.Now()
		err := ch.Edit(sendCtx, m.ChatID, m.EditMessageID, content)
		if err == nil {
			g.succeeded(time.Now(), true, probe)
			d.sent(store, m, m.EditMessageID)
			return
		}
		if bot.KindOf(err) != bot.ErrPermanent || sendCtx.Err() != nil {
			d.failed(sendCtx, store, g, m, err, sentAt, probe)
			return
		}
		// Too old, deleted, not a text: send the content as a new message.
		g.succeeded(time.Now(), false, probe)
		d.cfg.Logger.Info("edit failed; sending anew", "id", m.ID, "chat", m.ChatID, "err", err)
		first, probe = nil, false
	}
	parts := split(content, caps.MaxText)
	for i := m.PartsSent; i < len(parts); i++ {
		if !d.ready(ctx, g, m, first, probe) {
			return
		}
		first = nil
		sentAt := time.Now()
		id, err := ch.Send(sendCtx, m.ChatID, parts[i])
		if err != nil {
			d.failed(sendCtx, store, g, m, err, sentAt, probe)
			return
		}
		g.succeeded(time.Now(), true, probe)
		probe = false
		if i < len(parts)-1 {
			m.PartsSent = i + 1
			if err := d.cfg.Outbox.MarkPartSent(store, m.ID, i+1, id); err != nil {
				d.cfg.Logger.Error("mark part sent", "id", m.ID, "part", i+1, "err", err)
			}
			continue
		}
		d.sent(store, m, id)
	}
}

// ready waits for the governor's booking (first, or a new one) and the
// chat's limiter, then checks right before the call that the channel is
// not paused. If the message may not go now it is postponed and ready
// returns false.
func (d *Dispatcher) ready(ctx context.Context, g *governor, m *convene.OutboxMessage, first *rate.Reservation, probe bool) bool {
	store := context.WithoutCancel(ctx)
	now := time.Now()
	chat, chatWait := d.chatReserve(m.Channel, m.ChatID, now)
	if chatWait > d.cfg.MaxChatWait {
		// Let other chats go meanwhile: back to the queue until the chat may.
		chat.CancelAt(now)
		if first != nil {
			first.CancelAt(now)
		}
		g.release(probe)
		d.postpone(store, m, d.cfg.Now().Add(chatWait), "chat limit")
		return false
	}
	wait := chatWait
	if first == nil {
		if !probe {
			first = g.lim.ReserveN(now, 1)
		}
	}
	if first != nil {
		wait = max(wait, first.DelayFrom(now))
	}
	if !sleep(ctx, wait) {
		chat.Cancel()
		if first != nil {
			first.Cancel()
		}
		g.release(probe)
		d.postpone(store, m, d.cfg.Now(), "dispatcher stopping")
		return false
	}
	if ok, until := g.mayCall(time.Now(), probe); !ok {
		chat.Cancel()
		g.release(probe)
		d.postpone(store, m, d.cfg.Now().Add(time.Until(until)), "channel paused")
		return false
	}
	return true
}

// split cuts content into messages of at most max characters; buttons,
// keyboards and attachments go with the last part.
func split(c bot.Outgoing, max int) []bot.Outgoing {
	if max <= 0 || utf8.RuneCountInString(c.Text) <= max {
		return []bot.Outgoing{c}
	}
	texts := bot.SplitText(c.Text, max)
	out := make([]bot.Outgoing, len(texts))
	for i, t := range texts {
		out[i] = bot.Outgoing{Text: t}
	}
	out[len(out)-1] = c
	out[len(out)-1].Text = texts[len(texts)-1]
	return out
}

func (d *Dispatcher) sent(ctx context.Context, m *convene.OutboxMessage, providerID string) {
	if err := d.cfg.Outbox.MarkSent(ctx, m.ID, providerID); err != nil {
		d.cfg.Logger.Error("mark sent", "id", m.ID, "err", err)
	}
	d.cfg.Metrics.sent(m.Channel)
	d.touch(m)
}

func (d *Dispatcher) postpone(ctx context.Context, m *convene.OutboxMessage, at time.Time, why string) {
	if err := d.cfg.Outbox.Postpone(ctx, m.ID, at, why); err != nil {
		d.cfg.Logger.Error("postpone", "id", m.ID, "err", err)
	}
}

// failed records a failed call: a 429 pauses the channel and postpones;
// a rejected token pauses the channel and postpones; an unreachable
// recipient is marked; a temporary error is retried with backoff (and
// feeds the breaker) until MaxAttempts; anything else fails the message.
func (d *Dispatcher) failed(sendCtx, store context.Context, g *governor, m *convene.OutboxMessage, err error, sentAt time.Time, probe bool) {
	log := d.cfg.Logger
	now := time.Now()
	if sendCtx.Err() != nil && bot.KindOf(err) == bot.ErrTemporary {
		// Cut short by shutdown or the send timeout: it may have arrived.
		g.release(probe)
		d.postpone(store, m, d.cfg.Now(), "send cancelled: "+err.Error())
		return
	}
	switch bot.KindOf(err) {
	case bot.ErrRateLimited:
		wait := bot.RetryAfterOf(err)
		if wait <= 0 {
			wait = time.Second
		}
		g.rateLimited(now, sentAt, wait)
		d.cfg.Metrics.rateLimited(m.Channel)
		d.postpone(store, m, d.cfg.Now().Add(wait), err.Error())
	case bot.ErrUnauthorized:
		if g.rejected(now, probe) {
			log.Error("the channel rejected the bot's token: sending paused, retrying every "+d.cfg.UnauthorizedRetry.String(), "channel", m.Channel, "err", err)
		}
		d.postpone(store, m, d.cfg.Now().Add(d.cfg.UnauthorizedRetry), err.Error())
	case bot.ErrUnreachable:
		g.succeeded(now, false, probe)
		log.Info("recipient unreachable", "channel", m.Channel, "chat", m.ChatID, "err", err)
		if err := d.cfg.Outbox.MarkUnreachable(store, m.ID, err.Error()); err != nil {
			log.Error("mark unreachable", "id", m.ID, "err", err)
		}
		d.cfg.Metrics.unreachable(m.Channel)
		d.touch(m)
	case bot.ErrTemporary:
		if g.temporary(now, probe) {
			log.Warn("channel failing: pausing it", "channel", m.Channel, "err", err)
		}
		attempts := m.Attempts + 1
		if attempts >= d.cfg.MaxAttempts {
			d.fail(store, m, attempts, err)
			return
		}
		backoff := min(d.cfg.MaxBackoff, d.cfg.Backoff<<min(attempts-1, 20))
		backoff = backoff/2 + rand.N(backoff/2+1)
		log.Warn("temporary send failure: will retry", "id", m.ID, "attempt", attempts, "in", backoff, "err", err)
		if err := d.cfg.Outbox.MarkRetry(store, m.ID, d.cfg.Now().Add(backoff), err.Error()); err != nil {
			log.Error("requeue", "id", m.ID, "err", err)
		}
	default:
		g.succeeded(now, false, probe)
		d.fail(store, m, m.Attempts+1, err)
	}
}

func (d *Dispatcher) fail(ctx context.Context, m *convene.OutboxMessage, attempts int, err error) {
	d.cfg.Logger.Error("message failed", "id", m.ID, "key", m.Key, "attempts", attempts, "err", err)
	if err := d.cfg.Outbox.MarkFailed(ctx, m.ID, err.Error()); err != nil {
		d.cfg.Logger.Error("mark failed", "id", m.ID, "err", err)
	}
	d.cfg.Metrics.failed(m.Channel)
	d.touch(m)
}
