package zalo_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/zalo"
	"github.com/convene/convene/bot/zalotest"
)

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fastStart shortens the start-up retries for the test.
func fastStart(t *testing.T) {
	first, unauthorized := bot.StartBackoffFirst, bot.StartUnauthorizedRetry
	bot.StartBackoffFirst, bot.StartUnauthorizedRetry = 20*time.Millisecond, 50*time.Millisecond
	t.Cleanup(func() { bot.StartBackoffFirst, bot.StartUnauthorizedRetry = first, unauthorized })
}

// secretOf returns the token's secret part, after the bot id.
func secretOf(token string) string { _, s, _ := strings.Cut(token, ":"); return s }

func TestTokenNeverShown(t *testing.T) {
	fastStart(t)
	srv := zalotest.NewServer(zalotest.Options{})
	t.Cleanup(srv.Close)
	var logs logBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	shown := func(t *testing.T, what, s string) {
		t.Helper()
		if strings.Contains(s, srv.Token()) || strings.Contains(s, secretOf(srv.Token())) {
			t.Fatalf("the token is in %s: %s", what, s)
		}
	}
	// getMe's connection is reset twice: New returns a channel that is not
	// ready, which becomes ready in the background.
	srv.ResetNext("getMe", 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan struct{})
	ch, err := zalo.New(ctx, zalo.Config{Token: srv.Token(), APIURL: srv.URL, PollTimeout: time.Second, Logger: log,
		OnReady: func(ctx context.Context, c *zalo.Channel) { close(ready) }})
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ch.Health(); ok || why != "starting: zalo unreachable (retrying)" {
		t.Fatalf("health %v %q", ok, why)
	}
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatal("never ready after getMe came back")
	}
	if ok, _ := ch.Health(); !ok || ch.Me().ID != srv.BotID() {
		t.Fatalf("not ready: %+v", ch.Me())
	}
	if !strings.Contains(logs.String(), "connection") && !strings.Contains(logs.String(), "EOF") {
		t.Fatalf("the reset was not logged: %s", logs.String())
	}
	srv.NewUser("u1", "An").Send("hi")

	t.Run("ConnectionReset", func(t *testing.T) {
		srv.ResetNext("sendMessage", 1)
		_, err := ch.Send(ctx, "u1", bot.Outgoing{Text: "x"})
		if err == nil || bot.KindOf(err) != bot.ErrTemporary {
			t.Fatalf("err %v", err)
		}
		if !strings.Contains(err.Error(), "<token>") {
			t.Fatalf("the URL is not in the error, redacted: %v", err)
		}
		shown(t, "the error", err.Error())
	})
	t.Run("ServerError", func(t *testing.T) {
		srv.FailNext("sendMessage", 500, "Internal Server Error")
		_, err := ch.Send(ctx, "u1", bot.Outgoing{Text: "x"})
		if err == nil || bot.KindOf(err) != bot.ErrTemporary {
			t.Fatalf("err %v", err)
		}
		shown(t, "the error", err.Error())
	})
	t.Run("PollReset", func(t *testing.T) {
		srv.ResetNext("getUpdates", 1)
		before := strings.Count(logs.String(), "getUpdates failed")
		receive(t, ch, func(context.Context, *bot.Incoming) error { return nil })
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(logs.String(), "getUpdates failed") == before {
			if time.Now().After(deadline) {
				t.Fatal("the failed poll was not logged")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	shown(t, "the log", logs.String())
}

func TestUnauthorized(t *testing.T) {
	fastStart(t)
	srv := zalotest.NewServer(zalotest.Options{})
	t.Cleanup(srv.Close)
	var logs logBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	token := "1459232241454765289:wrong-secret"
	ch, err := zalo.New(ctx, zalo.Config{Token: token, APIURL: srv.URL, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ch.Health(); ok || why != "unauthorized: the bot token was refused" {
		t.Fatalf("health %v %q", ok, why)
	}
	for _, call := range []func() error{
		func() error { _, err := ch.Send(ctx, "u1", bot.Outgoing{Text: "x"}); return err },
		func() error { return ch.SetWebhook(ctx, "https://example.com/webhook/zalo", "secret-123") },
	} {
		if err := call(); bot.KindOf(err) != bot.ErrUnauthorized {
			t.Fatalf("a call with a wrong token: %v", err)
		}
	}
	// Retries go on (every 50 ms here), and the refusal is logged once.
	time.Sleep(300 * time.Millisecond)
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 {
		t.Fatalf("refusal logged %d times: %s", n, logs.String())
	}
	if strings.Contains(logs.String(), "wrong-secret") {
		t.Fatalf("the token is in the log: %s", logs.String())
	}

	t.Run("RefusedAfterStartThenAcceptedAgain", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{}, 0)
		srv.NewUser("u1", "An").Send("hi")
		srv.FailNext("sendMessage", 401, "Unauthorized")
		if _, err := ch.Send(ctx, "u1", bot.Outgoing{Text: "x"}); bot.KindOf(err) != bot.ErrUnauthorized {
			t.Fatalf("401: %v", err)
		}
		if ok, why := ch.Health(); ok || why != "unauthorized: the bot token was refused" {
			t.Fatalf("health after a 401: %v %q", ok, why)
		}
		if _, err := ch.Send(ctx, "u1", bot.Outgoing{Text: "x"}); err != nil {
			t.Fatal(err)
		}
		if ok, why := ch.Health(); !ok {
			t.Fatalf("health once accepted again: %q", why)
		}
	})
}
