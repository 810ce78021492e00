package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func postUpdate(t *testing.T, h http.Handler, secret string, u tgbotapi.Update) int {
	t.Helper()
	body, _ := json.Marshal(u)
	req := httptest.NewRequest(http.MethodPost, "/webhook/telegram", bytes.NewReader(body))
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the webhook took %s: it waited for the handler", d)
	}
	return rec.Code
}

func hello(id int) tgbotapi.Update {
	return tgbotapi.Update{UpdateID: id, Message: &tgbotapi.Message{MessageID: 1, Text: "xin chào",
		From: &tgbotapi.User{ID: 3}, Chat: &tgbotapi.Chat{ID: 3, Type: "private"}}}
}

func TestWebhook(t *testing.T) {
	srv, ch := newChannel(t)
	if err := ch.SetWebhook(context.Background(), "https://bot.example.org/webhook/telegram", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if url, secret := srv.Webhook(); url != "https://bot.example.org/webhook/telegram" || secret != "s3cret" {
		t.Fatalf("webhook %q %q", url, secret)
	}
	release := make(chan struct{})
	var c collector
	h := ch.WebhookHandler("s3cret", func(ctx context.Context, in *bot.Incoming) error {
		<-release // a slow handler
		return c.handle(ctx, in)
	})
	t.Run("WrongSecret", func(t *testing.T) {
		if code := postUpdate(t, h, "wrong", hello(5)); code != http.StatusUnauthorized {
			t.Fatalf("code %d", code)
		}
	})
	t.Run("NoSecret", func(t *testing.T) {
		if code := postUpdate(t, h, "", hello(6)); code != http.StatusUnauthorized {
			t.Fatalf("code %d", code)
		}
	})
	t.Run("RightSecretAnsweredBeforeHandled", func(t *testing.T) {
		if code := postUpdate(t, h, "s3cret", hello(7)); code != http.StatusOK {
			t.Fatalf("code %d", code)
		}
	})
	close(release)
	if !srv.WaitFor(2*time.Second, func() bool { return len(c.got()) == 1 }) {
		t.Fatalf("handled %d updates, want the authorized one", len(c.got()))
	}
	time.Sleep(50 * time.Millisecond)
	if got := c.got(); len(got) != 1 || got[0].Text != "xin chào" || got[0].UpdateID != "7" || got[0].Channel != "telegram" {
		t.Fatalf("got %+v", got)
	}
}

func TestWebhookFromConfig(t *testing.T) {
	srv, _ := newChannel(t)
	ch := connect(t, telegram.Config{Token: srv.Token(), APIURL: srv.URL,
		WebhookURL: "https://bot.example.org/hook", WebhookSecret: "cfg-secret"})
	t.Run("ReceiveRegistersInsteadOfPolling", func(t *testing.T) {
		stop := receive(t, ch, func(context.Context, *bot.Incoming) error { return nil })
		if !srv.WaitFor(2*time.Second, func() bool { url, _ := srv.Webhook(); return url != "" }) {
			t.Fatal("no webhook registered")
		}
		if url, secret := srv.Webhook(); url != "https://bot.example.org/hook" || secret != "cfg-secret" {
			t.Fatalf("webhook %q %q", url, secret)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if n := srv.Stats().Requests["getUpdates"]; n != 0 {
			t.Fatalf("polled %d times", n)
		}
	})
	t.Run("HandlerUsesConfiguredSecret", func(t *testing.T) {
		var c collector
		h := ch.WebhookHandler("", c.handle)
		if code := postUpdate(t, h, "", hello(1)); code != http.StatusUnauthorized {
			t.Fatalf("no secret: %d", code)
		}
		if code := postUpdate(t, h, "cfg-secret", hello(2)); code != http.StatusOK {
			t.Fatalf("configured secret: %d", code)
		}
		if !srv.WaitFor(2*time.Second, func() bool { return len(c.got()) == 1 }) || c.got()[0].UpdateID != "2" {
			t.Fatalf("got %+v", c.got())
		}
	})
	t.Run("NoSecretAnywhereRefusesAll", func(t *testing.T) {
		_, plain := newChannel(t)
		h := plain.WebhookHandler("", func(context.Context, *bot.Incoming) error { t.Error("handled"); return nil })
		if code := postUpdate(t, h, "", hello(3)); code != http.StatusUnauthorized {
			t.Fatalf("code %d", code)
		}
	})
}
