package bot

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/convene/convene"
	"golang.org/x/time/rate"
)

// DispatchConfig tunes the outbox dispatcher.
type DispatchConfig struct {
	// Rate is the bot-wide limit in messages per second; default 25.
	Rate float64
	// PerChat is the limit per private chat, per second; default 1 with a burst of 3.
	PerChat float64
	// PerGroup is the limit per group chat, per minute; default 20.
	PerGroup float64
	// InFlight bounds the messages claimed (marked sending) at once, and so
	// the duplicates a crash can cause; default 16.
	InFlight int
	// MaxAttempts bounds tries on temporary errors before a message fails; default 6.
	MaxAttempts int
	// Backoff is the first retry delay on a temporary error, doubling with
	// jitter up to MaxBackoff; defaults 2s and 5m.
	Backoff, MaxBackoff time.Duration
	// Poll is how often the queue is checked when nothing wakes the
	// dispatcher (another process may have queued); default 500ms.
	Poll time.Duration
	// Grace bounds how long in-flight sends may finish after shutdown; default 3s.
	Grace time.Duration
	// Metrics receives counts; nil for none.
	Metrics *Metrics
}

func (c *DispatchConfig) defaults() {
	if c.Rate <= 0 {
		c.Rate = 25
	}
	if c.PerChat <= 0 {
		c.PerChat = 1
	}
	if c.PerGroup <= 0 {
		c.PerGroup = 20
	}
	if c.InFlight <= 0 {
		c.InFlight = 16
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 6
	}
	if c.Backoff <= 0 {
		c.Backoff = 2 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 5 * time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = 500 * time.Millisecond
	}
	if c.Grace <= 0 {
		c.Grace = 3 * time.Second
	}
}

// Dispatcher drains the outbox through the channels at their limits.
type Dispatcher struct {
	bot *Bot
	cfg DispatchConfig

	global *rate.Limiter
	mu     sync.Mutex
	chats  map[string]*rate.Limiter
	pause  time.Time // bot-wide pause after a 429
	// batches touched since the last check for finished batches.
	batches map[string]int64
}

// NewDispatcher returns a dispatcher for the bot's channels.
func NewDispatcher(b *Bot, cfg DispatchConfig) *Dispatcher {
	cfg.defaults()
	burst := max(1, int(cfg.Rate/10))
	return &Dispatcher{
		bot: b, cfg: cfg,
		global:  rate.NewLimiter(rate.Limit(cfg.Rate), burst),
		chats:   map[string]*rate.Limiter{},
		batches: map[string]int64{},
	}
}

// chatLimiter returns the limiter of one chat: groups (negative ids on
// Telegram) get the per-minute group limit.
func (d *Dispatcher) chatLimiter(channel, chatID string) *rate.Limiter {
	key := channel + ":" + chatID
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := d.chats[key]
	if !ok {
		if strings.HasPrefix(chatID, "-") {
			l = rate.NewLimiter(rate.Limit(d.cfg.PerGroup/60), 1)
		} else {
			l = rate.NewLimiter(rate.Limit(d.cfg.PerChat), 3)
		}
		d.chats[key] = l
	}
	return l
}

// pausedFor returns how long the bot-wide pause still lasts.
func (d *Dispatcher) pausedFor() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return time.Until(d.pause)
}

func (d *Dispatcher) pauseFor(wait time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if until := time.Now().Add(wait); until.After(d.pause) {
		d.pause = until
	}
}

// Run drains the outbox until ctx ends, then lets in-flight sends finish
// within the grace period. Messages left sending by a crash are sent again
// first.
func (d *Dispatcher) Run(ctx context.Context) error {
	log := d.bot.Logger
	requeued, err := d.bot.Outbox.RequeueSending(context.WithoutCancel(ctx), time.Now().Add(time.Hour))
	if err != nil {
		return err
	}
	for _, m := range requeued {
		log.Warn("resending message left in flight by a crash; it may arrive twice", "id", m.ID, "key", m.Key, "chat", m.ChatID)
	}
	// Sends run on their own context so shutdown lets them finish.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	slots := make(chan struct{}, d.cfg.InFlight)
	var wg sync.WaitGroup
	defer func() {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(d.cfg.Grace):
			log.Warn("shutdown: sends still in flight after grace; they will be retried on restart")
			cancelSends()
			<-done
		}
		d.checkBatches(context.WithoutCancel(ctx))
	}()
	lastCheck := time.Now()
	for {
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(lastCheck) > time.Second {
			d.checkBatches(ctx)
			lastCheck = time.Now()
		}
		if wait := d.pausedFor(); wait > 0 {
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		// Wait for at least one free slot, then claim as many as are free.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		free := 1
		for free < d.cfg.InFlight {
			select {
			case slots <- struct{}{}:
				free++
				continue
			default:
			}
			break
		}
		msgs, err := d.bot.Outbox.ClaimDue(ctx, d.bot.channelNames(), free)
		if err != nil && ctx.Err() == nil {
			log.Error("claim outbox", "err", err)
		}
		for i := len(msgs); i < free; i++ {
			<-slots
		}
		if len(msgs) == 0 {
			d.idle(ctx)
			continue
		}
		// One goroutine per chat sends that chat's messages in order (an
		// invitation before its calendar file); chats go side by side.
		var chats [][]*convene.OutboxMessage
		index := map[string]int{}
		for _, m := range msgs {
			k := m.Channel + ":" + m.ChatID
			i, ok := index[k]
			if !ok {
				i = len(chats)
				index[k] = i
				chats = append(chats, nil)
			}
			chats[i] = append(chats[i], m)
		}
		for _, chat := range chats {
			wg.Add(1)
			go func(chat []*convene.OutboxMessage) {
				defer wg.Done()
				for i, m := range chat {
					if err := d.global.Wait(ctx); err != nil || d.pausedFor() > 0 {
						// Shutting down or paused: put the rest back untouched.
						for _, rest := range chat[i:] {
							d.retry(context.WithoutCancel(ctx), rest, d.bot.Now().Add(max(0, d.pausedFor())), "not sent: dispatcher paused or stopping")
							<-slots
						}
						return
					}
					retryAt := d.send(sendCtx, m)
					<-slots
					if !retryAt.IsZero() {
						// Keep the chat's order: the rest waits for the retried one.
						for _, rest := range chat[i+1:] {
							d.retry(context.WithoutCancel(ctx), rest, retryAt, "waiting for an earlier message to this chat")
							<-slots
						}
						return
					}
				}
			}(chat)
		}
	}
}

// idle waits until woken, the next queued message is due, or the poll interval passes.
func (d *Dispatcher) idle(ctx context.Context) {
	wait := d.cfg.Poll
	if next, err := d.bot.Outbox.NextDue(ctx, d.bot.channelNames()); err == nil && !next.IsZero() {
		if until := time.Until(next); until < wait {
			wait = max(until, 10*time.Millisecond)
		}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-d.bot.wake:
	case <-t.C:
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// send delivers one claimed message and records the outcome; it returns
// when the message will be tried again, zero if it is done.
func (d *Dispatcher) send(ctx context.Context, m *convene.OutboxMessage) time.Time {
	log := d.bot.Logger
	ch := d.bot.Channel(m.Channel)
	if ch == nil {
		at := d.bot.Now().Add(time.Minute)
		d.retry(ctx, m, at, "channel not running")
		return at
	}
	if err := d.chatLimiter(m.Channel, m.ChatID).Wait(ctx); err != nil {
		at := d.bot.Now()
		d.retry(context.WithoutCancel(ctx), m, at, "not sent: stopping")
		return at
	}
	content := m.Content
	if !ch.Caps().Buttons && len(content.Buttons) > 0 {
		lang := d.bot.Lang
		if a, err := d.bot.People.FindAccountByID(ctx, m.AccountID); err == nil && a.Lang != "" {
			lang = a.Lang
		}
		content = d.bot.fit(ctx, m.AccountID, ch.Caps(), lang, content)
	}
	id, err := ch.Send(ctx, m.ChatID, content)
	store := context.WithoutCancel(ctx)
	if m.Batch != "" && m.NotifyAccount != 0 {
		d.mu.Lock()
		d.batches[m.Batch] = m.NotifyAccount
		d.mu.Unlock()
	}
	if err == nil {
		if err := d.bot.Outbox.MarkSent(store, m.ID, id); err != nil {
			log.Error("mark sent", "id", m.ID, "err", err)
		}
		d.cfg.Metrics.sent(m.Channel)
		return time.Time{}
	}
	switch KindOf(err) {
	case ErrRateLimited:
		wait := RetryAfterOf(err)
		if wait <= 0 {
			wait = time.Second
		}
		log.Warn("rate limited: pausing all sends", "channel", m.Channel, "retry_after", wait)
		d.pauseFor(wait)
		d.cfg.Metrics.rateLimited(m.Channel)
		at := d.bot.Now().Add(wait)
		d.retry(store, m, at, err.Error())
		return at
	case ErrUnreachable:
		log.Info("recipient unreachable", "channel", m.Channel, "chat", m.ChatID, "err", err)
		if err := d.bot.Outbox.MarkUnreachable(store, m.ID, err.Error()); err != nil {
			log.Error("mark unreachable", "id", m.ID, "err", err)
		}
		d.cfg.Metrics.unreachable(m.Channel)
	case ErrTemporary:
		if m.Attempts >= d.cfg.MaxAttempts {
			d.fail(store, m, err)
			return time.Time{}
		}
		backoff := min(d.cfg.MaxBackoff, d.cfg.Backoff<<min(m.Attempts-1, 20))
		backoff = backoff/2 + rand.N(backoff/2+1)
		log.Warn("temporary send failure: will retry", "id", m.ID, "attempt", m.Attempts, "in", backoff, "err", err)
		at := d.bot.Now().Add(backoff)
		d.retry(store, m, at, err.Error())
		return at
	default:
		d.fail(store, m, err)
	}
	return time.Time{}
}

func (d *Dispatcher) fail(ctx context.Context, m *convene.OutboxMessage, err error) {
	d.bot.Logger.Error("message failed", "id", m.ID, "key", m.Key, "attempts", m.Attempts, "err", err)
	if err := d.bot.Outbox.MarkFailed(ctx, m.ID, err.Error()); err != nil {
		d.bot.Logger.Error("mark failed", "id", m.ID, "err", err)
	}
	d.cfg.Metrics.failed(m.Channel)
}

// retry puts m back in the queue until at.
func (d *Dispatcher) retry(ctx context.Context, m *convene.OutboxMessage, at time.Time, why string) {
	if err := d.bot.Outbox.MarkRetry(ctx, m.ID, at, why); err != nil {
		d.bot.Logger.Error("requeue", "id", m.ID, "err", err)
	}
}

// checkBatches reports finished batches to whoever sent them, once.
func (d *Dispatcher) checkBatches(ctx context.Context) {
	d.mu.Lock()
	todo := d.batches
	d.batches = map[string]int64{}
	d.mu.Unlock()
	for batch, notify := range todo {
		st, err := d.bot.Outbox.BatchStats(ctx, batch)
		if err != nil {
			d.bot.Logger.Error("batch stats", "batch", batch, "err", err)
			continue
		}
		if !st.Done() {
			d.mu.Lock()
			d.batches[batch] = notify
			d.mu.Unlock()
			continue
		}
		first, err := d.bot.Outbox.FinishBatch(ctx, batch)
		if err != nil || !first {
			continue
		}
		if err := d.bot.reportBatch(ctx, st, notify); err != nil {
			d.bot.Logger.Error("report batch", "batch", batch, "err", err)
		}
	}
}
