package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits on what one account may ask of the bot, so that one account
// flooding it slows nobody else. Someone answering questions stays far
// below them.
var (
	// updateRate and updateBurst bound the updates of one account handled.
	updateRate  = rate.Every(2 * time.Second)
	updateBurst = 20
	// costlyRate and costlyBurst bound the expensive commands (reports,
	// exports) of one account.
	costlyRate  = rate.Every(20 * time.Second)
	costlyBurst = 2
	// slowNotice is how often a limited account is told to slow down.
	slowNotice = time.Minute
)

// throttle keeps a token bucket per account and kind, in memory: the limits
// restart with the process, which is fine for what they are for.
type throttle struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim    *rate.Limiter
	told   time.Time // when the account was last told to slow down
	seenAt time.Time
}

// allow reports whether the account key may do one more of kind now, and
// whether it should be told to slow down (once per slowNotice).
func (t *throttle) allow(key string, every rate.Limit, burst int, now time.Time) (ok, tell bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buckets == nil {
		t.buckets = map[string]*bucket{}
	}
	if now.Sub(t.swept) > 10*time.Minute {
		// Forget accounts quiet long enough for their bucket to be full again.
		for k, b := range t.buckets {
			if now.Sub(b.seenAt) > 10*time.Minute {
				delete(t.buckets, k)
			}
		}
		t.swept = now
	}
	b := t.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(every, burst)}
		t.buckets[key] = b
	}
	b.seenAt = now
	if b.lim.AllowN(now, 1) {
		return true, false
	}
	if now.Sub(b.told) < slowNotice {
		return false, false
	}
	b.told = now
	return false, true
}
