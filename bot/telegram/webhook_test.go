package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	h.ServeHTTP(rec, req)
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
	var c collector
	h := ch.WebhookHandler("s3cret", c.handle)
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
	t.Run("RightSecretAnsweredOnceStored", func(t *testing.T) {
		if code := postUpdate(t, h, "s3cret", hello(7)); code != http.StatusOK {
			t.Fatalf("code %d", code)
		}
		if n := len(c.got()); n != 1 {
			t.Fatalf("answered 200 with %d updates handed over, want 1", n)
		}
	})
	t.Run("NotStoredIs503ForTelegramToRetry", func(t *testing.T) {
		fail := ch.WebhookHandler("s3cret", func(ctx context.Context, in *bot.Incoming) error { return errors.New("database is locked") })
		if code := postUpdate(t, fail, "s3cret", hello(8)); code != http.StatusServiceUnavailable {
			t.Fatalf("code %d", code)
		}
	})
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
