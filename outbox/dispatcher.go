// Package outbox is the dispatcher: it drains the outbox through the
// running channels, one governor per channel (an adaptive bot-wide rate,
// the strict pause after a 429, a circuit breaker, the pause of a rejected
// token), one send in flight per chat, replies before bulk.
//
// The loop is plain: each channel's loop asks its governor for the sends
// it may make in the next moment, claims that many chats' next messages
// (committed as sending), and hands each to a goroutine that sends it and
// records the outcome. Nothing is dropped: what cannot go now is
// postponed, what failed is retried until MaxAttempts.
package outbox

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
)

// Config configures a Dispatcher. Outbox, Channel and Channels are required.
type Config struct {
	Outbox convene.OutboxService
	// Tx runs the end of a batch and its report in one transaction; nil
	// runs them one after the other.
	Tx convene.Transactor
	// Channel returns the running channel of that name, nil if not running.
	Channel func(name string) bot.Channel
	// Channels returns the names of the running channels.
	Channels func() []string
	// Render adapts a message to a channel's caps (numbered choices where
	// there are no buttons); nil sends the content as it is.
	Render func(ctx context.Context, m *convene.OutboxMessage, caps bot.Caps) bot.Outgoing
	// OnBatchDone enqueues the report of a finished batch; it runs inside
	// Tx together with Outbox.FinishBatch.
	OnBatchDone func(ctx context.Context, st *convene.BatchStats, notify int64) error
	// Wake is nudged when something was enqueued.
	Wake <-chan struct{}

	// Rate is the ceiling of each channel's send rate, messages/s; default 25.
	Rate float64
	// PerChat is the rate per private chat, per second; default 1, burst ChatBurst (2).
	PerChat   float64
	ChatBurst int
	// PerGroupMinute is the rate per group chat (a negative chat id), per
	// minute; default 20, kept 5% under so clock jitter never trips Telegram's.
	PerGroupMinute float64
	// InFlight bounds each channel's claimed messages; default 64.
	InFlight int
	// ClaimBatch bounds one claim, so a reply queued during a broadcast is
	// picked up at the next claim; default 16.
	ClaimBatch int
	// Lookahead is how far ahead a claim books the rate; default 50ms.
	Lookahead time.Duration
	// MaxChatWait is the longest a claimed message waits for its chat's
	// limiter; longer, it is postponed; default 200ms.
	MaxChatWait time.Duration
	// SendTimeout bounds one message's delivery; sends claimed longer ago
	// are requeued while running; default 2m.
	SendTimeout time.Duration
	// StaleEvery is how often stuck sends are requeued; default 30s.
	StaleEvery time.Duration
	// Grace bounds how long sends in flight may finish after shutdown; default 1s.
	Grace time.Duration
	// Poll is how often the queue is checked when nothing wakes the
	// dispatcher (another process may have queued); default 500ms.
	Poll time.Duration
	// MaxAttempts bounds sends that failed (temporary errors) before a
	// message fails; default 6.
	MaxAttempts int
	// Backoff is the first retry delay of a message after a temporary
	// error, doubling with jitter up to MaxBackoff; defaults 2s and 5m.
	Backoff, MaxBackoff time.Duration
	// BreakerAfter temporary errors in a row open the channel's breaker for
	// BreakerBackoff, doubling on each failed probe up to BreakerMax;
	// defaults 5, 2s, 1m.
	BreakerAfter               int
	BreakerBackoff, BreakerMax time.Duration
	// UnauthorizedRetry is how long a channel whose token was rejected
	// waits before trying again; default 1m.
	UnauthorizedRetry time.Duration
	// OrphanEvery is how often messages queued for channels not running
	// are reported; default 1m.
	OrphanEvery time.Duration

	Logger  *slog.Logger
	Metrics *Metrics
	// Now is the clock of due times; default time.Now.
	Now func() time.Time
}

func (c *Config) defaults() {
	def := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Rate, 25)
	def(&c.PerChat, 1)
	def(&c.PerGroupMinute, 20)
	defInt(&c.ChatBurst, 2)
	defInt(&c.InFlight, 64)
	defInt(&c.ClaimBatch, 16)
	defInt(&c.MaxAttempts, 6)
	defInt(&c.BreakerAfter, 5)
	defDur(&c.Lookahead, 50*time.Millisecond)
	defDur(&c.MaxChatWait, 200*time.Millisecond)
	defDur(&c.SendTimeout, 2*time.Minute)
	defDur(&c.StaleEvery, 30*time.Second)
	defDur(&c.Grace, time.Second)
	defDur(&c.Poll, 500*time.Millisecond)
	defDur(&c.Backoff, 2*time.Second)
	defDur(&c.MaxBackoff, 5*time.Minute)
	defDur(&c.BreakerBackoff, 2*time.Second)
	defDur(&c.BreakerMax, time.Minute)
	defDur(&c.UnauthorizedRetry, time.Minute)
	defDur(&c.OrphanEvery, time.Minute)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Render == nil {
		c.Render = func(_ context.Context, m *convene.OutboxMessage, _ bot.Caps) bot.Outgoing { return m.Content }
	}
}

// Dispatcher drains the outbox through the channels at their limits.
type Dispatcher struct {
	cfg Config

	mu        sync.Mutex
	governors map[string]*governor
	chats     map[string]*chatLimiter
	// batches touched since the last check, with whom to tell.
	batches map[string]int64
}

// New returns a dispatcher; run it with Run.
func New(cfg Config) *Dispatcher {
	cfg.defaults()
	return &Dispatcher{cfg: cfg, governors: map[string]*governor{}, chats: map[string]*chatLimiter{}, batches: map[string]int64{}}
}

// governor returns the channel's governor, made on first use.
func (d *Dispatcher) governor(name string) *governor {
	d.mu.Lock()
	defer d.mu.Unlock()
	g, ok := d.governors[name]
	if !ok {
		g = newGovernor(name, &d.cfg, time.Now())
		d.governors[name] = g
	}
	return g
}

// Health says, per channel that has sent, what holds it back: "ok",
// "rate limited", "breaker open" or "unauthorized".
func (d *Dispatcher) Health() map[string]string {
	d.mu.Lock()
	gs := make([]*governor, 0, len(d.governors))
	for _, g := range d.governors {
		gs = append(gs, g)
	}
	d.mu.Unlock()
	out := map[string]string{}
	now := time.Now()
	for _, g := range gs {
		out[g.name] = g.health(now)
	}
	return out
}

// Rate returns the channel's current send rate, 0 if it has not sent.
func (d *Dispatcher) Rate(channel string) float64 {
	d.mu.Lock()
	g := d.governors[channel]
	d.mu.Unlock()
	if g == nil {
		return 0
	}
	return g.currentRate()
}

// Run drains the outbox until ctx ends, then lets sends in flight finish
// within Grace and postpones the rest. Messages left sending by an
// earlier process are sent again first (they may arrive twice).
func (d *Dispatcher) Run(ctx context.Context) error {
	log := d.cfg.Logger
	store := context.WithoutCancel(ctx)
	// No send of this process is in flight yet: every row sending was left.
	requeued, err := d.cfg.Outbox.RequeueSending(store, time.Unix(0, math.MaxInt64))
	if err != nil {
		return err
	}
	for _, m := range requeued {
		log.Warn("resending a message left in flight; it may arrive twice", "id", m.ID, "key", m.Key, "channel", m.Channel, "chat", m.ChatID)
	}
	// Sends run on their own context, cancelled Grace after ctx ends.
	sendCtx, cancelSends := context.WithCancel(store)
	defer cancelSends()
	var wg sync.WaitGroup
	defer func() {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		t := time.NewTimer(d.cfg.Grace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			log.Warn("shutdown: cancelling sends still in flight; they are postponed")
			cancelSends()
			<-done
		}
		d.checkBatches(store)
	}()

	loops := map[string]chan struct{}{}
	startLoops := func() {
		for _, name := range d.cfg.Channels() {
			if _, ok := loops[name]; ok {
				continue
			}
			wake := make(chan struct{}, 1)
			wake <- struct{}{}
			loops[name] = wake
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.channelLoop(ctx, sendCtx, name, wake, &wg)
			}()
		}
	}
	startLoops()
	tick := time.NewTicker(min(d.cfg.Poll, time.Second))
	defer tick.Stop()
	var lastBatch, lastStale, lastOrphan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.cfg.Wake:
			for _, w := range loops {
				nudge(w)
			}
			continue
		case <-tick.C:
		}
		startLoops()
		now := time.Now()
		if now.Sub(lastBatch) >= time.Second {
			lastBatch = now
			d.checkBatches(ctx)
		}
		if now.Sub(lastStale) >= d.cfg.StaleEvery {
			lastStale = now
			d.requeueStale(ctx)
			d.pruneChats(now)
		}
		if now.Sub(lastOrphan) >= d.cfg.OrphanEvery {
			lastOrphan = now
			d.reportOrphans(ctx)
		}
	}
}

func nudge(w chan struct{}) {
	select {
	case w <- struct{}{}:
	default:
	}
}

// channelLoop claims the channel's messages as fast as its governor lets
// them go, and delivers each on its own goroutine.
func (d *Dispatcher) channelLoop(ctx, sendCtx context.Context, name string, wake chan struct{}, wg *sync.WaitGroup) {
	g := d.governor(name)
	slots := make(chan struct{}, d.cfg.InFlight)
	channels := []string{name}
	for ctx.Err() == nil {
		if d.cfg.Channel(name) == nil {
			d.idle(ctx, wake, d.cfg.Poll)
			continue
		}
		// Wait for a free slot, then take up to ClaimBatch.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		n := 1
		for n < d.cfg.ClaimBatch && len(slots) < cap(slots) {
			slots <- struct{}{}
			n++
		}
		grants, probe, wait := g.grant(time.Now(), n, d.cfg.Lookahead)
		var msgs []*convene.OutboxMessage
		if len(grants) > 0 {
			var err error
			if msgs, err = d.cfg.Outbox.ClaimDue(ctx, channels, len(grants)); err != nil && ctx.Err() == nil {
				d.cfg.Logger.Error("claim outbox", "channel", name, "err", err)
			}
		}
		for i := len(msgs); i < n; i++ {
			<-slots
		}
		for _, r := range grants[len(msgs):] {
			r.Cancel()
		}
		if probe && len(msgs) == 0 {
			g.release(true)
		}
		for i, m := range msgs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				// A chat's next message may be claimed once this one is done.
				defer nudge(wake)
				d.deliver(ctx, sendCtx, g, m, grants[i], probe)
			}()
		}
		switch {
		case wait > 0:
			sleep(ctx, min(wait, d.cfg.Poll))
		case len(msgs) < len(grants):
			d.idleUntilDue(ctx, name, wake)
		}
	}
}

// idleUntilDue waits until woken, the channel's next queued message is
// due, or the poll interval passes.
func (d *Dispatcher) idleUntilDue(ctx context.Context, name string, wake chan struct{}) {
	wait := d.cfg.Poll
	if next, err := d.cfg.Outbox.NextDue(ctx, []string{name}); err == nil && !next.IsZero() {
		if until := next.Sub(d.cfg.Now()); until < wait {
			wait = max(until, 5*time.Millisecond)
		}
	}
	d.idle(ctx, wake, wait)
}

func (d *Dispatcher) idle(ctx context.Context, wake chan struct{}, wait time.Duration) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-wake:
	case <-t.C:
	}
}

// sleep waits for d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// requeueStale puts back sends claimed more than SendTimeout ago.
func (d *Dispatcher) requeueStale(ctx context.Context) {
	ms, err := d.cfg.Outbox.RequeueSending(ctx, d.cfg.Now().Add(-d.cfg.SendTimeout))
	if err != nil {
		if ctx.Err() == nil {
			d.cfg.Logger.Error("requeue stuck sends", "err", err)
		}
		return
	}
	for _, m := range ms {
		d.cfg.Logger.Warn("requeued a send stuck past the send timeout; it may arrive twice", "id", m.ID, "key", m.Key, "channel", m.Channel, "chat", m.ChatID)
	}
}

// reportOrphans warns about messages queued for channels not running.
func (d *Dispatcher) reportOrphans(ctx context.Context) {
	counts, err := d.cfg.Outbox.QueuedByChannel(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.cfg.Logger.Error("count queued messages", "err", err)
		}
		return
	}
	running := map[string]bool{}
	for _, n := range d.cfg.Channels() {
		running[n] = true
		d.cfg.Metrics.setOrphaned(n, 0)
	}
	for ch, n := range counts {
		if running[ch] {
			continue
		}
		d.cfg.Metrics.setOrphaned(ch, n)
		d.cfg.Logger.Warn("messages queued for a channel that is not running", "channel", ch, "queued", n)
	}
}

// touch remembers a batch whose message reached an end, to report it once done.
func (d *Dispatcher) touch(m *convene.OutboxMessage) {
	if m.Batch == "" || m.NotifyAccount == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.batches[m.Batch] = m.NotifyAccount
}

// checkBatches reports finished batches to whoever sent them, once: the
// report is enqueued in the transaction that marks the batch finished.
func (d *Dispatcher) checkBatches(ctx context.Context) {
	d.mu.Lock()
	todo := d.batches
	d.batches = map[string]int64{}
	d.mu.Unlock()
	for batch, notify := range todo {
		st, err := d.cfg.Outbox.BatchStats(ctx, batch)
		if err != nil {
			d.cfg.Logger.Error("batch stats", "batch", batch, "err", err)
			continue
		}
		if !st.Done() {
			d.mu.Lock()
			d.batches[batch] = notify
			d.mu.Unlock()
			continue
		}
		finish := func(ctx context.Context) error {
			first, err := d.cfg.Outbox.FinishBatch(ctx, batch)
			if err != nil || !first || d.cfg.OnBatchDone == nil {
				return err
			}
			return d.cfg.OnBatchDone(ctx, st, notify)
		}
		if d.cfg.Tx != nil {
			err = d.cfg.Tx.InTx(ctx, finish)
		} else {
			err = finish(ctx)
		}
		if err != nil {
			d.cfg.Logger.Error("report batch", "batch", batch, "err", err)
		}
	}
}
