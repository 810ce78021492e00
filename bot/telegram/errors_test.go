package telegram_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestErrorClassification(t *testing.T) {
	srv, ch := newChannel(t)
	for _, id := range []int64{1, 2, 3, 6} {
		srv.NewUser(id, "U", "", "", "").Send("hi")
	}
	srv.NewUser(4, "Silent", "", "", "")
	srv.Block(1)
	srv.Deactivate(2)
	ctx := context.Background()
	tooLong := bot.Outgoing{Text: "x", Buttons: [][]convene.Button{{{Text: "A", Data: strings.Repeat("d", 80)}}}}
	cases := []struct {
		name  string
		setup func()
		chat  string
		m     bot.Outgoing
		kind  bot.ErrorKind
		wait  time.Duration
	}{
		{"Blocked403", nil, "1", bot.Outgoing{Text: "x"}, bot.ErrUnreachable, 0},
		{"Deactivated403", nil, "2", bot.Outgoing{Text: "x"}, bot.ErrUnreachable, 0},
		{"NeverWrote403", nil, "4", bot.Outgoing{Text: "x"}, bot.ErrUnreachable, 0},
		{"ChatNotFound400", nil, "777", bot.Outgoing{Text: "x"}, bot.ErrUnreachable, 0},
		{"OtherBadRequestIsPermanent", nil, "3", tooLong, bot.ErrPermanent, 0},
		{"ServerErrorIsTemporary", func() { srv.FailFor(time.Minute, http.StatusBadGateway) }, "3", bot.Outgoing{Text: "x"}, bot.ErrTemporary, 0},
		{"TooManyRequests", func() { srv.FailFor(0, 0); srv.Force429(3) }, "6", bot.Outgoing{Text: "x"}, bot.ErrRateLimited, 3 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			_, err := ch.Send(ctx, tc.chat, tc.m)
			var be *bot.Error
			if !errors.As(err, &be) {
				t.Fatalf("not a *bot.Error: %v", err)
			}
			if be.Kind != tc.kind || bot.KindOf(err) != tc.kind {
				t.Fatalf("kind %v, want %v (%v)", be.Kind, tc.kind, err)
			}
			if be.RetryAfter != tc.wait || bot.RetryAfterOf(err) != tc.wait {
				t.Fatalf("retry after %v, want %v", be.RetryAfter, tc.wait)
			}
			var te *tgbotapi.Error
			if !errors.As(err, &te) {
				t.Fatalf("Telegram's error is not kept in the chain: %v", err)
			}
		})
	}
	t.Run("NetworkErrorIsTemporary", func(t *testing.T) {
		srv.Close()
		_, err := ch.Send(ctx, "3", bot.Outgoing{Text: "x"})
		var be *bot.Error
		if !errors.As(err, &be) || be.Kind != bot.ErrTemporary {
			t.Fatalf("err %v", err)
		}
	})
}

// TestErrorPages covers answers that are not Telegram's JSON, from a proxy
// in front of Telegram.
func TestErrorPages(t *testing.T) {
	srv, _ := newChannel(t)
	srv.NewUser(3, "U", "", "", "").Send("hi")
	cases := []struct {
		name   string
		code   int
		header map[string]string
		kind   bot.ErrorKind
		wait   time.Duration
	}{
		{"BadGatewayPage", http.StatusBadGateway, nil, bot.ErrTemporary, 0},
		{"UnavailableEmpty", http.StatusServiceUnavailable, map[string]string{"Content-Type": ""}, bot.ErrTemporary, 0},
		{"NotFoundPage", http.StatusNotFound, nil, bot.ErrPermanent, 0},
		{"ProxyForbiddenIsNotTheRecipient", http.StatusForbidden, nil, bot.ErrPermanent, 0},
		{"TooManyWithRetryAfterHeader", http.StatusTooManyRequests, map[string]string{"Retry-After": "7"}, bot.ErrRateLimited, 7 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := faulty(t, srv, func(method string, w http.ResponseWriter) bool {
				if method != "sendMessage" {
					return false
				}
				w.Header().Set("Content-Type", "text/html")
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.code)
				_, _ = w.Write([]byte("<html><body>" + http.StatusText(tc.code) + "</body></html>"))
				return true
			})
			ch := connect(t, telegram.Config{Token: srv.Token(), APIURL: p.URL})
			_, err := ch.Send(context.Background(), "3", bot.Outgoing{Text: "x"})
			if bot.KindOf(err) != tc.kind || bot.RetryAfterOf(err) != tc.wait {
				t.Fatalf("kind %v retry %v, want %v %v (%v)", bot.KindOf(err), bot.RetryAfterOf(err), tc.kind, tc.wait, err)
			}
		})
	}
}
