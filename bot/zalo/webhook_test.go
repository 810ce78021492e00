package zalo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/zalotest"
)

const secret = "s3cret-webhook-token"

func TestSetWebhook(t *testing.T) {
	srv, ch := newChannel(t, zalotest.Options{}, 0)
	ctx := context.Background()
	if err := ch.SetWebhook(ctx, "https://bot.example.com/webhook/zalo", secret); err != nil {
		t.Fatal(err)
	}
	if url, sec := srv.Webhook(); url != "https://bot.example.com/webhook/zalo" || sec != secret {
		t.Fatalf("webhook %q %q", url, sec)
	}
	if url, err := ch.WebhookInfo(ctx); err != nil || url != "https://bot.example.com/webhook/zalo" {
		t.Fatalf("info %q %v", url, err)
	}
	if err := ch.SetWebhook(ctx, "https://bot.example.com/webhook/zalo", "short"); bot.KindOf(err) != bot.ErrPermanent {
		t.Fatalf("short secret: %v", err)
	}
	if err := ch.DeleteWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	if url, _ := srv.Webhook(); url != "" {
		t.Fatalf("webhook %q after delete", url)
	}
}

func TestWebhookHandler(t *testing.T) {
	srv, ch := newChannel(t, zalotest.Options{}, 0)
	lan := srv.NewUser("6ede9afa66b88fe6d6a9", "Ted")

	t.Run("RightSecret", func(t *testing.T) {
		var c collector
		hook := httptest.NewServer(ch.WebhookHandler(secret, c.handle))
		defer hook.Close()
		code, err := srv.PostWebhook(hook.URL, secret, lan.Text("/rsvp yes"))
		if err != nil || code != http.StatusOK {
			t.Fatalf("code %d err %v", code, err)
		}
		if !srv.WaitFor(time.Second, func() bool { return len(c.got()) == 1 }) {
			t.Fatal("update not handled")
		}
		in := c.got()[0]
		if in.Channel != "zalo" || in.UserID != lan.ID || in.ChatID != lan.ID || in.Name != "Ted" ||
			in.Command != "rsvp" || in.Args != "yes" || !in.Private || in.UpdateID == "" {
			t.Fatalf("incoming %+v", in)
		}
	})

	t.Run("BareUpdate", func(t *testing.T) {
		var c collector
		hook := httptest.NewServer(ch.WebhookHandler(secret, c.handle))
		defer hook.Close()
		body := `{"event_name":"message.text.received","message":{"from":{"id":"u9","display_name":"Mai","is_bot":false},` +
			`"chat":{"id":"u9","chat_type":"PRIVATE"},"text":"có","message_id":"m9","date":1750316131602}}`
		req, _ := http.NewRequest(http.MethodPost, hook.URL, strings.NewReader(body))
		req.Header.Set("X-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("code %d", resp.StatusCode)
		}
		if !srv.WaitFor(time.Second, func() bool { return len(c.got()) == 1 }) {
			t.Fatal("update not handled")
		}
		if in := c.got()[0]; in.Text != "có" || in.UpdateID != "m9" || in.Name != "Mai" {
			t.Fatalf("incoming %+v", in)
		}
	})

	for _, tc := range []struct{ name, secret string }{{"WrongSecret", "s3cret-webhook-tokeN"}, {"MissingSecret", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			var c collector
			hook := httptest.NewServer(ch.WebhookHandler(secret, c.handle))
			defer hook.Close()
			code, err := srv.PostWebhook(hook.URL, tc.secret, lan.Text("/start"))
			if err != nil || code != http.StatusUnauthorized {
				t.Fatalf("code %d err %v", code, err)
			}
			time.Sleep(50 * time.Millisecond)
			if n := len(c.got()); n != 0 {
				t.Fatalf("%d updates handled", n)
			}
		})
	}

	t.Run("AnswersOnlyOnceStored", func(t *testing.T) {
		release := make(chan struct{})
		stored := make(chan struct{})
		store := func(ctx context.Context, in *bot.Incoming) error {
			<-release
			close(stored)
			return nil
		}
		hook := httptest.NewServer(ch.WebhookHandler(secret, store))
		defer hook.Close()
		type answer struct {
			code int
			err  error
		}
		answered := make(chan answer, 1)
		go func() {
			code, err := srv.PostWebhook(hook.URL, secret, lan.Text("xin chào"))
			answered <- answer{code, err}
		}()
		select {
		case <-answered:
			t.Fatal("answered before the update was stored")
		case <-time.After(200 * time.Millisecond):
		}
		close(release)
		select {
		case a := <-answered:
			if a.err != nil || a.code != http.StatusOK {
				t.Fatalf("code %d err %v", a.code, a.err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no answer after the update was stored")
		}
		<-stored
	})

	t.Run("NotStoredIs503ForZaloToRetry", func(t *testing.T) {
		fail := func(ctx context.Context, in *bot.Incoming) error { return errors.New("database is locked") }
		hook := httptest.NewServer(ch.WebhookHandler(secret, fail))
		defer hook.Close()
		if code, err := srv.PostWebhook(hook.URL, secret, lan.Text("x")); err != nil || code != http.StatusServiceUnavailable {
			t.Fatalf("code %d err %v", code, err)
		}
	})
}
