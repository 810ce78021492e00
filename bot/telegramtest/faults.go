package telegramtest

import (
	"net/http"
	"time"
)

// ResetNext makes the next n calls of method ("" for any method) end with
// the connection closed before an answer, as a connection reset does: the
// client sees a network error, not an HTTP status.
func (s *Server) ResetNext(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resets[method] += n
}

// FailNext makes the next call of method answer code with description
// (e.g. 500 "Internal Server Error"), whatever the method.
func (s *Server) FailNext(method string, code int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext[method] = append(s.failNext[method], errorf(code, "%s", description))
}

// injected applies ResetNext and FailNext to a call of method; it reports
// whether the call was answered (or cut) here.
func (s *Server) injected(w http.ResponseWriter, method string) bool {
	s.mu.Lock()
	reset := false
	for _, m := range []string{method, ""} {
		if s.resets[m] > 0 {
			s.resets[m]--
			reset = true
			break
		}
	}
	var fail *apiError
	if q := s.failNext[method]; !reset && len(q) > 0 {
		fail, s.failNext[method] = q[0], q[1:]
	}
	if reset || fail != nil {
		s.stats.Failures++
	}
	s.mu.Unlock()
	switch {
	case reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // closes the connection all the same
	case fail != nil:
		writeJSON(w, fail.code, apiResponse{ErrorCode: fail.code, Description: fail.desc})
		return true
	}
	return false
}

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
