package zalotest

import (
	"net/http"
	"time"
)

// Zalo documents no error codes for these cases; the fake answers as
// Telegram does, which the adapter classifies:
//
//	blocked user:     403 "Forbidden: bot was blocked by the user"
//	unknown chat:     400 "Bad Request: chat not found"
//	rate limit:       429 "Too Many Requests", parameters.retry_after and a Retry-After header
//	long poll empty:  408 "Request timeout" (documented by Zalo's SDKs)
type faults struct {
	failUntil time.Time
	failCode  int
	pauseTill time.Time // a forced 429 window
	next      map[string][]*apiError
	resets    map[string]int // ResetNext, by method ("" any)
}

// ResetNext makes the next n calls of method ("" for any method) end with
// the connection closed before an answer, as a connection reset does: the
// client sees a network error, not an HTTP status.
func (s *Server) ResetNext(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.resets == nil {
		s.faults.resets = map[string]int{}
	}
	s.faults.resets[method] += n
}

// reset applies ResetNext to a call of method; it reports whether the
// connection was closed.
func (s *Server) reset(w http.ResponseWriter, method string) bool {
	s.mu.Lock()
	cut := false
	for _, m := range []string{method, ""} {
		if s.faults.resets[m] > 0 {
			s.faults.resets[m]--
			s.stats.Failures++
			cut = true
			break
		}
	}
	s.mu.Unlock()
	if !cut {
		return false
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
	}
	panic(http.ErrAbortHandler) // closes the connection all the same
}

// Block makes userID block the bot: sends to them answer 403.
func (s *Server) Block(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[userID] = true
}

// Unblock lets the bot write to userID again.
func (s *Server) Unblock(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, userID)
}

// FailFor answers every call but getMe with code (e.g. 502) for d.
// (FailNext applies to getMe too.)
func (s *Server) FailFor(d time.Duration, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.failUntil, s.faults.failCode = time.Now().Add(d), code
}

// Force429 answers every call but getMe with 429 and retry_after for the
// next retryAfter seconds.
func (s *Server) Force429(retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.pauseTill = time.Now().Add(time.Duration(retryAfter) * time.Second)
}

// FailNext makes the next call of method answer code with description.
func (s *Server) FailNext(method string, code int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.next == nil {
		s.faults.next = map[string][]*apiError{}
	}
	s.faults.next[method] = append(s.faults.next[method], &apiError{code: code, desc: description})
}

// admit applies the injected faults to a call of method.
func (s *Server) admit(method string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.faults.next[method]; len(q) > 0 {
		s.faults.next[method] = q[1:]
		s.stats.Failures++
		return q[0]
	}
	if method == "getMe" {
		return nil
	}
	now := time.Now()
	if now.Before(s.faults.failUntil) {
		s.stats.Failures++
		return errorf(s.faults.failCode, "%s", http.StatusText(s.faults.failCode))
	}
	if now.Before(s.faults.pauseTill) {
		s.stats.TooMany++
		secs := int(s.faults.pauseTill.Sub(now).Seconds() + 0.999)
		return &apiError{code: 429, desc: "Too Many Requests", retryAfter: secs}
	}
	return nil
}

// reachable returns Zalo's error if the bot may not write to chatID.
func (s *Server) reachable(chatID string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[chatID] {
		return errorf(403, "Forbidden: bot was blocked by the user")
	}
	if !s.chats[chatID] {
		return errorf(400, "Bad Request: chat not found")
	}
	return nil
}
