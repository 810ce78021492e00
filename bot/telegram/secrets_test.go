package telegram_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
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

// TestTokenNeverShown cuts connections mid-call and answers 500 on every
// kind of call the adapter makes: neither the errors returned nor the log
// may show the token.
func TestTokenNeverShown(t *testing.T) {
	fastStart(t)
	srv := telegramtest.NewServer(telegramtest.Options{Token: "987654:AAH-very-secret_token"})
	t.Cleanup(srv.Close)
	secret := "AAH-very-secret_token"
	var logs logBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	shown := func(t *testing.T, what, s string) {
		t.Helper()
		if strings.Contains(s, secret) {
			t.Fatalf("the token is in %s: %s", what, s)
		}
	}

	srv.ResetNext("getMe", 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	ch, err := telegram.New(ctx, telegram.Config{Token: srv.Token(), APIURL: srv.URL, PollTimeout: time.Second, Logger: log,
		OnReady: func(ctx context.Context, c *telegram.Channel) { ready <- c.Username() }})
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ch.Health(); ok || why != "starting: telegram unreachable (retrying)" {
		t.Fatalf("health %v %q", ok, why)
	}
	select {
	case name := <-ready:
		if name != srv.Username() {
			t.Fatalf("OnReady saw username %q", name)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("never ready after getMe came back")
	}
	if ok, why := ch.Health(); !ok {
		t.Fatalf("not ready: %s", why)
	}
	if !strings.Contains(logs.String(), "bot<token>") {
		t.Fatalf("the failed getMe was not logged with its URL redacted: %s", logs.String())
	}
	srv.NewUser(5, "An", "", "", "").Send("hi")

	doc := bot.Outgoing{Text: "x", Document: &convene.File{Name: "a.ics", Data: bytes.Repeat([]byte("ICS"), 100_000)}}
	calls := []struct {
		name, method string
		call         func() error
	}{
		{"SendMessage", "sendMessage", func() error { _, err := ch.Send(ctx, "5", bot.Outgoing{Text: "x"}); return err }},
		{"SendDocument", "sendDocument", func() error { _, err := ch.Send(ctx, "5", doc); return err }},
		{"EditMessageText", "editMessageText", func() error { return ch.Edit(ctx, "5", "1", bot.Outgoing{Text: "y"}) }},
		{"SetWebhook", "setWebhook", func() error { return ch.SetWebhook(ctx, "https://example.com/hook", "secret-123") }},
		{"SetMyCommands", "setMyCommands", func() error {
			return ch.SetCommands(ctx, "", []bot.MenuCommand{{Name: "start", Description: "start"}})
		}},
		{"AnswerCallbackQuery", "answerCallbackQuery", func() error { return ch.Answer(ctx, "1", "ok") }},
	}
	for _, c := range calls {
		t.Run(c.name+"/ConnectionReset", func(t *testing.T) {
			srv.ResetNext(c.method, 1)
			err := c.call()
			if bot.KindOf(err) != bot.ErrTemporary {
				t.Fatalf("err %v", err)
			}
			shown(t, "the error", err.Error())
		})
		t.Run(c.name+"/ServerError", func(t *testing.T) {
			srv.FailNext(c.method, 500, "Internal Server Error")
			err := c.call()
			if bot.KindOf(err) != bot.ErrTemporary {
				t.Fatalf("err %v", err)
			}
			shown(t, "the error", err.Error())
		})
	}
	t.Run("GetUpdatesReset", func(t *testing.T) {
		srv.ResetNext("getUpdates", 1)
		before := strings.Count(logs.String(), "getUpdates failed")
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = ch.Receive(rctx, func(context.Context, *bot.Incoming) error { return nil })
		}()
		defer func() { stop(); <-done }()
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

// TestUnauthorized: Telegram's 401 and 404 on the token are ErrUnauthorized,
// at start (not ready, logged once) and on any call.
func TestUnauthorized(t *testing.T) {
	fastStart(t)
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	var logs logBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := telegram.New(ctx, telegram.Config{Token: "123456:wrong-secret", APIURL: srv.URL, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ch.Health(); ok || why != "unauthorized: the bot token was refused" {
		t.Fatalf("health %v %q", ok, why)
	}
	doc := bot.Outgoing{Text: "x", Document: &convene.File{Name: "a.ics", Data: []byte("ICS")}}
	for name, call := range map[string]func() error{
		"Send":        func() error { _, err := ch.Send(ctx, "5", bot.Outgoing{Text: "x"}); return err },
		"SendUpload":  func() error { _, err := ch.Send(ctx, "5", doc); return err },
		"SetWebhook":  func() error { return ch.SetWebhook(ctx, "https://example.com/hook", "secret-123") },
		"SetCommands": func() error { return ch.SetCommands(ctx, "", []bot.MenuCommand{{Name: "start", Description: "s"}}) },
	} {
		if err := call(); bot.KindOf(err) != bot.ErrUnauthorized {
			t.Fatalf("%s with a wrong token: %v", name, err)
		}
	}
	time.Sleep(300 * time.Millisecond) // retries every 50 ms here
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 {
		t.Fatalf("refusal logged %d times: %s", n, logs.String())
	}
	if strings.Contains(logs.String(), "wrong-secret") {
		t.Fatalf("the token is in the log: %s", logs.String())
	}

	t.Run("NotFoundOnToken", func(t *testing.T) {
		srv, ch := newChannel(t)
		srv.NewUser(5, "An", "", "", "").Send("hi")
		srv.FailNext("sendMessage", 404, "Not Found")
		if _, err := ch.Send(ctx, "5", bot.Outgoing{Text: "x"}); bot.KindOf(err) != bot.ErrUnauthorized {
			t.Fatalf("404: %v", err)
		}
	})

	t.Run("RefusedAfterStartThenAcceptedAgain", func(t *testing.T) {
		srv, ch := newChannel(t)
		srv.NewUser(5, "An", "", "", "").Send("hi")
		srv.FailNext("sendMessage", 401, "Unauthorized")
		if _, err := ch.Send(ctx, "5", bot.Outgoing{Text: "x"}); bot.KindOf(err) != bot.ErrUnauthorized {
			t.Fatalf("401: %v", err)
		}
		if ok, why := ch.Health(); ok || why != "unauthorized: the bot token was refused" {
			t.Fatalf("health after a 401: %v %q", ok, why)
		}
		if _, err := ch.Send(ctx, "5", bot.Outgoing{Text: "x"}); err != nil {
			t.Fatal(err)
		}
		if ok, why := ch.Health(); !ok {
			t.Fatalf("health once accepted again: %q", why)
		}
	})
}
