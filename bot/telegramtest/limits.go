package telegramtest

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// TelegramLimits are Telegram's own limits, which a Server enforces unless
// its Options say otherwise: about 30 messages a second for the whole bot
// with a small burst, one a second per private chat (a short burst is
// tolerated), 20 a minute per group.
var TelegramLimits = Limits{PerSecond: 30, Burst: 5, PerChat: 1, ChatBurst: 3, PerGroupMinute: 20}

// Limits are Telegram-like send limits; zero fields are off.
type Limits struct {
	// PerSecond bounds sends of the whole bot per second (Telegram: about 30),
	// with a burst of Burst (default one second's worth).
	PerSecond float64
	Burst     int
	// PerChat bounds sends to one private chat per second (Telegram: about 1),
	// with a burst of ChatBurst (default 3).
	PerChat   float64
	ChatBurst int
	// PerGroupMinute bounds sends to one group chat per minute (Telegram: 20).
	PerGroupMinute float64
}

// limiter applies Limits with token buckets; calls are under the server's lock.
type limiter struct {
	l     Limits
	bot   *rate.Limiter
	chats map[int64]*rate.Limiter
}

func newLimiter(l Limits) *limiter {
	lim := &limiter{l: l, chats: map[int64]*rate.Limiter{}}
	if l.PerSecond > 0 {
		burst := l.Burst
		if burst <= 0 {
			burst = int(math.Max(1, l.PerSecond))
		}
		lim.bot = rate.NewLimiter(rate.Limit(l.PerSecond), burst)
	}
	return lim
}

// take reserves a send to chatID now, or returns how long to wait.
func (l *limiter) take(chatID int64, now time.Time) time.Duration {
	var chat *rate.Limiter
	switch {
	case chatID < 0 && l.l.PerGroupMinute > 0:
		if chat = l.chats[chatID]; chat == nil {
			chat = rate.NewLimiter(rate.Limit(l.l.PerGroupMinute/60), 1)
			l.chats[chatID] = chat
		}
	case chatID > 0 && l.l.PerChat > 0:
		if chat = l.chats[chatID]; chat == nil {
			burst := l.l.ChatBurst
			if burst <= 0 {
				burst = 3
			}
			chat = rate.NewLimiter(rate.Limit(l.l.PerChat), burst)
			l.chats[chatID] = chat
		}
	}
	var wait time.Duration
	var rb, rc *rate.Reservation
	if l.bot != nil {
		rb = l.bot.ReserveN(now, 1)
		wait = rb.DelayFrom(now)
	}
	if chat != nil {
		rc = chat.ReserveN(now, 1)
		wait = max(wait, rc.DelayFrom(now))
	}
	if wait > 0 {
		if rb != nil {
			rb.CancelAt(now)
		}
		if rc != nil {
			rc.CancelAt(now)
		}
	}
	return wait
}

// SetLimits replaces the limits.
func (s *Server) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Limits = l
	s.limiter = newLimiter(l)
}
