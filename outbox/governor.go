package outbox

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Tuning of the adaptive rate.
const (
	// minRate is the lowest rate the governor falls to, per second.
	minRate = 0.5
	// backOff is the share of the achieved rate kept after a 429.
	backOff = 0.9
	// recoverStep multiplies the rate each second while it is well under the
	// last estimate of the channel's limit (after halvings).
	recoverStep = 1.2
	// probeStep adds this share of the estimate each second near it.
	probeStep = 0.003
	// slot is the width of one bucket of the success counts.
	slot = 100 * time.Millisecond
)

// governor paces one channel: an adaptive bot-wide rate, the strict pause
// after a 429, a circuit breaker on temporary errors and the pause of a
// rejected token. Its methods are safe for concurrent use.
type governor struct {
	name string
	cfg  *Config
	lim  *rate.Limiter

	mu      sync.Mutex
	ceiling float64
	r       float64 // current rate
	est     float64 // estimate of the channel's real limit; 0 while unknown
	// The 429 pause: nothing is sent before pauseUntil; pauseStart tells
	// 429s of sends made before it (one episode) from a new one.
	pauseStart, pauseUntil time.Time
	activeSince            time.Time // end of the last pause
	// The breaker: opens after BreakerAfter consecutive temporary errors
	// until openUntil, then lets one probe through.
	fails     int
	open      bool
	openUntil time.Time
	backoff   time.Duration
	probing   bool
	// unauthorized is set while the channel rejects the token.
	unauthorized bool
	// Successes per slot over the last two seconds, for the achieved rate.
	counts     [20]int
	countsAt   [20]int64
	lastAdjust time.Time
}

func newGovernor(name string, cfg *Config, now time.Time) *governor {
	g := &governor{name: name, cfg: cfg, ceiling: cfg.Rate, r: cfg.Rate, activeSince: now, lastAdjust: now}
	g.lim = rate.NewLimiter(rate.Limit(g.r), burstOf(g.r))
	cfg.Metrics.setRate(name, g.r)
	cfg.Metrics.setBreaker(name, 0)
	return g
}

// burstOf is the limiter's burst at rate r: a twentieth of a second's worth.
func burstOf(r float64) int { return max(1, int(r/20)) }

// grant reserves up to n sends for the next lookahead and returns the
// reservations, with probe set when the one grant is the breaker's probe.
// With none granted, wait says when to ask again.
func (g *governor) grant(now time.Time, n int, lookahead time.Duration) (rs []*rate.Reservation, probe bool, wait time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if w := g.closedFor(now); w > 0 {
		return nil, false, w
	}
	if g.open || g.unauthorized {
		// Half open: one probe at a time.
		if g.probing {
			return nil, false, 100 * time.Millisecond
		}
		g.probing, n, probe = true, 1, true
	}
	for i := 0; i < n; i++ {
		r := g.lim.ReserveN(now, 1)
		if d := r.DelayFrom(now); d > lookahead {
			r.CancelAt(now)
			if i == 0 {
				if probe {
					g.probing = false
				}
				return nil, false, d - lookahead
			}
			break
		}
		rs = append(rs, r)
	}
	return rs, probe, 0
}

// release gives back a probe grant that sent nothing.
func (g *governor) release(probe bool) {
	if !probe {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.probing = false
}

// closedFor returns how long nothing may be sent: the 429 pause, an open
// breaker, a rejected token. Called with mu held.
func (g *governor) closedFor(now time.Time) time.Duration {
	var until time.Time
	if g.pauseUntil.After(now) {
		until = g.pauseUntil
	}
	if (g.open || g.unauthorized) && g.openUntil.After(until) {
		until = g.openUntil
	}
	if until.IsZero() {
		return 0
	}
	return until.Sub(now)
}

// mayCall reports whether a send may go now, right before its HTTP call,
// and if not until when to wait. The probe of a half-open breaker may go.
func (g *governor) mayCall(now time.Time, probe bool) (bool, time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pauseUntil.After(now) {
		return false, g.pauseUntil
	}
	if (g.open || g.unauthorized) && !probe {
		return false, maxTime(g.openUntil, now.Add(time.Second))
	}
	return true, time.Time{}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// succeeded records an answer from the channel that was not an error of the
// channel itself (delivered, or refused for the recipient): the breaker
// closes and the rate may probe upwards.
func (g *governor) succeeded(now time.Time, delivered, probe bool) (recovered bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fails = 0
	if probe {
		g.probing = false
	}
	if g.open || g.unauthorized {
		recovered = true
		g.open, g.unauthorized, g.backoff = false, false, 0
		g.cfg.Metrics.setBreaker(g.name, 0)
	}
	if delivered {
		i := now.UnixNano() / int64(slot) % int64(len(g.counts))
		if g.countsAt[i] != now.UnixNano()/int64(slot) {
			g.counts[i], g.countsAt[i] = 0, now.UnixNano()/int64(slot)
		}
		g.counts[i]++
	}
	if now.Sub(g.lastAdjust) >= time.Second {
		g.lastAdjust = now
		if g.achieved(now, time.Second) >= 0.8*g.r && g.r < g.ceiling {
			switch {
			case g.est == 0:
				g.setRate(now, g.r*recoverStep)
			case g.r < backOff*g.est:
				g.setRate(now, math.Min(g.r*recoverStep, backOff*g.est))
			default:
				g.setRate(now, g.r+math.Max(probeStep*g.est, 0.1))
			}
		}
	}
	return recovered
}

// achieved returns the deliveries per second over the last d (at most 2 s).
func (g *governor) achieved(now time.Time, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	cur := now.UnixNano() / int64(slot)
	n := 0
	for k := int64(0); k < int64(d/slot); k++ {
		i := (cur - k) % int64(len(g.counts))
		if g.countsAt[i] == cur-k {
			n += g.counts[i]
		}
	}
	return float64(n) / d.Seconds()
}

func (g *governor) setRate(now time.Time, r float64) {
	g.r = math.Max(minRate, math.Min(g.ceiling, r))
	g.lim.SetLimitAt(now, rate.Limit(g.r))
	g.lim.SetBurstAt(now, burstOf(g.r))
	g.cfg.Metrics.setRate(g.name, g.r)
}

// rateLimited records a 429 on a send made at sentAt: the channel pauses
// until now+wait, strictly. The first 429 of an episode also lowers the
// rate: to backOff of what was achieved when that is a fair measure (a
// second or more of sending at the rate), else to half. It returns whether
// this 429 began a new episode.
func (g *governor) rateLimited(now, sentAt time.Time, wait time.Duration) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until := now.Add(wait); until.After(g.pauseUntil) {
		g.pauseUntil = until
	}
	if g.probing {
		g.probing = false
	}
	if sentAt.Before(g.pauseStart) {
		// In flight when the episode began: already counted.
		g.activeSince = g.pauseUntil
		return false
	}
	g.pauseStart = now
	active := now.Sub(g.activeSince)
	window := min(active, 2*time.Second)
	ach := g.achieved(now, window.Truncate(slot))
	old := g.r
	if active >= time.Second && ach >= 0.7*g.r {
		g.est = ach
		g.setRate(now, backOff*ach)
	} else {
		if g.est == 0 || g.est > old {
			g.est = old
		}
		g.setRate(now, old/2)
	}
	g.activeSince = g.pauseUntil
	g.cfg.Logger.Warn("rate limited: channel paused", "channel", g.name, "retry_after", wait, "rate", math.Round(old*10)/10, "new_rate", math.Round(g.r*10)/10)
	return true
}

// temporary records a 5xx or network error; after BreakerAfter in a row,
// or when the probe fails, the breaker opens for a backoff that doubles up
// to BreakerMax. It returns whether the breaker opened now.
func (g *governor) temporary(now time.Time, probe bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fails++
	if probe {
		g.probing = false
	}
	if !probe && (g.open || g.fails < g.cfg.BreakerAfter) {
		return false
	}
	if g.backoff == 0 {
		g.backoff = g.cfg.BreakerBackoff
	} else {
		g.backoff = min(2*g.backoff, g.cfg.BreakerMax)
	}
	g.open, g.openUntil = true, now.Add(g.backoff)
	g.cfg.Metrics.setBreaker(g.name, 1)
	return true
}

// rejected records that the channel refused the token: the channel pauses
// for UnauthorizedRetry, then probes. It returns whether this began an
// episode.
func (g *governor) rejected(now time.Time, probe bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if probe {
		g.probing = false
	}
	first := !g.unauthorized
	g.unauthorized, g.openUntil = true, now.Add(g.cfg.UnauthorizedRetry)
	g.cfg.Metrics.setBreaker(g.name, 2)
	return first
}

// health says what holds the channel back, "ok" if nothing.
func (g *governor) health(now time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.unauthorized:
		return "unauthorized"
	case g.open:
		return "breaker open"
	case g.pauseUntil.After(now):
		return "rate limited"
	}
	return "ok"
}

// currentRate returns the rate now.
func (g *governor) currentRate() float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.r
}
