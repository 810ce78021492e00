package telegramtest

import (
	"time"
)

// Block makes userID block the bot: sends answer 403 "bot was blocked by the user".
func (s *Server) Block(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[userID] = "bot was blocked by the user"
}

// Deactivate makes sends to userID answer 403 "user is deactivated".
func (s *Server) Deactivate(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[userID] = "user is deactivated"
}

// Unblock lets the bot write to userID again.
func (s *Server) Unblock(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, userID)
}

// FailFor answers every send with code (e.g. 502) for d.
func (s *Server) FailFor(d time.Duration, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failUntil, s.failCode = time.Now().Add(d), code
}

// Force429 answers sends with 429 and retry_after for the next retryAfter
// seconds, as Telegram does when a bot floods.
func (s *Server) Force429(retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pauseTill = time.Now().Add(time.Duration(retryAfter) * time.Second)
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// TooManyOnSend answers the nth sendMessage from now (1: the next) with a
// 429 asking to wait retryAfter seconds, as if the bot had flooded.
func (s *Server) TooManyOnSend(n, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tooManyOn, s.tooManyAfter = s.stats.Requests["sendMessage"]+n, retryAfter
}
