package telegram

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegramtest"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestClassifyTelegramErrorValue(t *testing.T) {
	// v5.5.1 returns *tgbotapi.Error; a value is classified the same.
	for _, err := range []error{
		fmt.Errorf("send: %w", tgbotapi.Error{Code: 429, Message: "Too Many Requests: retry after 3", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 3}}),
		fmt.Errorf("send: %w", &tgbotapi.Error{Code: 429, Message: "Too Many Requests: retry after 3", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 3}}),
	} {
		if got := classify(err); bot.KindOf(got) != bot.ErrRateLimited || bot.RetryAfterOf(got) != 3*time.Second {
			t.Errorf("%v → %v", err, got)
		}
	}
	if got := classify(tgbotapi.Error{Code: 400, Message: "Bad Request: PEER_ID_INVALID"}); bot.KindOf(got) != bot.ErrUnreachable {
		t.Errorf("PEER_ID_INVALID → %v", got)
	}
	if !notModified(tgbotapi.Error{Code: 400, Message: "Bad Request: message is not modified: same"}) {
		t.Error("not modified value")
	}
}

// TestReceiveRetries runs Receive through a proxy whose getUpdates fails.
func TestReceiveRetries(t *testing.T) {
	defer func(f time.Duration) { backoffFirst = f }(backoffFirst)
	backoffFirst = 20 * time.Millisecond
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	var mu sync.Mutex
	var polls []time.Time
	var fail func(n int, w http.ResponseWriter) bool
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getUpdates") {
			mu.Lock()
			polls = append(polls, time.Now())
			n := len(polls)
			mu.Unlock()
			if fail(n, w) {
				return
			}
		}
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	ch, err := New(context.Background(), Config{Token: srv.Token(), APIURL: proxy.URL, PollTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T) (got chan string, stop func()) {
		mu.Lock()
		polls = nil
		mu.Unlock()
		got = make(chan string, 10)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = ch.Receive(ctx, func(_ context.Context, in *bot.Incoming) error { got <- in.Text; return nil })
		}()
		return got, func() { cancel(); <-done }
	}
	wait := func(t *testing.T, got chan string, want string) {
		t.Helper()
		select {
		case s := <-got:
			if s != want {
				t.Fatalf("got %q", s)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("update not delivered after failing polls")
		}
	}
	u := srv.NewUser(1, "A", "", "", "")

	t.Run("ErrorPagesBackOffAndRetry", func(t *testing.T) {
		fail = func(n int, w http.ResponseWriter) bool {
			if n > 3 {
				return false
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>502</html>"))
			return true
		}
		u.Send("một")
		got, stop := run(t)
		defer stop()
		wait(t, got, "một")
		if !srv.WaitFor(3*time.Second, func() bool { return srv.Pending() == 0 }) {
			t.Fatal("not confirmed")
		}
	})
	t.Run("RetryAfterHonoured", func(t *testing.T) {
		fail = func(n int, w http.ResponseWriter) bool {
			if n > 1 {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`))
			return true
		}
		u.Send("hai")
		got, stop := run(t)
		defer stop()
		wait(t, got, "hai")
		mu.Lock()
		defer mu.Unlock()
		if len(polls) < 2 || polls[1].Sub(polls[0]) < time.Second {
			t.Fatalf("polled again %s after a 429 asking for 1s", polls[1].Sub(polls[0]))
		}
	})
}
