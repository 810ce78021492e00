package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func newChannel(t *testing.T) (*telegramtest.Server, *telegram.Channel) {
	t.Helper()
	srv := telegramtest.NewServer(telegramtest.Options{Username: "hop_bot"})
	t.Cleanup(srv.Close)
	ch, err := telegram.New(context.Background(), telegram.Config{Token: srv.Token(), APIURL: srv.URL, PollTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return srv, ch
}

// collector records handled updates.
type collector struct {
	mu  sync.Mutex
	ins []*bot.Incoming
}

func (c *collector) handle(ctx context.Context, in *bot.Incoming) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ins = append(c.ins, in)
	return nil
}

func (c *collector) got() []*bot.Incoming {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*bot.Incoming(nil), c.ins...)
}

func TestNewReadsUsername(t *testing.T) {
	_, ch := newChannel(t)
	if ch.Username() != "hop_bot" || ch.Name() != "telegram" || !ch.Caps().Buttons {
		t.Fatalf("username %q", ch.Username())
	}
	if _, err := telegram.New(context.Background(), telegram.Config{Token: "bad", APIURL: "http://127.0.0.1:1"}); err == nil {
		t.Fatal("unreachable API accepted")
	}
}

func TestReceive(t *testing.T) {
	srv, ch := newChannel(t)
	u := srv.NewUser(42, "Lan", "Trần", "", "vi")
	u.Send("/start tok_123")
	u.Send("Lý do: đi công tác")
	u.ShareContact("+84912345678", 42)
	if _, err := ch.Send(context.Background(), "42", bot.Outgoing{Text: "x", Buttons: [][]convene.Button{{{Text: "A", Data: "rsvp:1:a"}}}}); err != nil {
		t.Fatal(err)
	}
	u.Press(srv.Last(42).ID, "rsvp:1:a")

	ctx, cancel := context.WithCancel(context.Background())
	var c collector
	done := make(chan error)
	go func() { done <- ch.Receive(ctx, c.handle) }()
	if !srv.WaitFor(5*time.Second, func() bool { return len(c.got()) == 4 }) {
		t.Fatalf("got %d updates", len(c.got()))
	}
	ins := c.got()
	if ins[0].Command != "start" || ins[0].Args != "tok_123" || ins[0].UserID != "42" || ins[0].ChatID != "42" || ins[0].Name != "Lan Trần" {
		t.Fatalf("command: %+v", ins[0])
	}
	if ins[1].Text != "Lý do: đi công tác" || ins[1].Command != "" {
		t.Fatalf("text: %+v", ins[1])
	}
	if ins[2].Contact == nil || ins[2].Contact.Phone != "+84912345678" || ins[2].Contact.UserID != "42" {
		t.Fatalf("contact: %+v", ins[2])
	}
	if ins[3].CallbackData != "rsvp:1:a" || ins[3].CallbackID == "" || ins[3].MessageID == "" {
		t.Fatalf("press: %+v", ins[3])
	}
	if !srv.WaitFor(3*time.Second, func() bool { return srv.Pending() == 0 }) {
		t.Fatal("handled updates not confirmed")
	}

	t.Run("CancelStopsLongPollPromptly", func(t *testing.T) {
		time.Sleep(100 * time.Millisecond) // inside a long poll now
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("Receive did not stop")
		}
		if time.Since(start) > time.Second {
			t.Fatalf("stopping took %s", time.Since(start))
		}
	})
}

func TestOffsetAdvancesOnlyAfterHandle(t *testing.T) {
	srv, ch := newChannel(t)
	u := srv.NewUser(5, "A", "", "", "")
	u.Send("một")
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = ch.Receive(ctx, func(ctx context.Context, in *bot.Incoming) error {
			close(started)
			<-ctx.Done() // crash mid-handle
			return ctx.Err()
		})
	}()
	<-started
	cancel()
	<-done
	if srv.Pending() != 1 {
		t.Fatalf("an update whose handler never finished was confirmed (pending %d)", srv.Pending())
	}
	var c collector
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go func() { _ = ch.Receive(ctx2, c.handle) }()
	if !srv.WaitFor(3*time.Second, func() bool { return len(c.got()) == 1 }) || c.got()[0].Text != "một" {
		t.Fatal("the update was not delivered again after the crash")
	}
}

func TestSend(t *testing.T) {
	srv, ch := newChannel(t)
	srv.NewUser(9, "B", "", "", "").Send("hi")
	ctx := context.Background()

	t.Run("ContactKeyboardAndRemove", func(t *testing.T) {
		if _, err := ch.Send(ctx, "9", bot.Outgoing{Text: "Số điện thoại?", RequestContact: "📱 Chia sẻ"}); err != nil {
			t.Fatal(err)
		}
		if srv.Last(9).ContactButton != "📱 Chia sẻ" {
			t.Fatal("no contact button")
		}
		_, _ = ch.Send(ctx, "9", bot.Outgoing{Text: "ok", RemoveKeyboard: true})
		if !srv.Last(9).RemoveKeyboard {
			t.Fatal("keyboard not removed")
		}
	})
	t.Run("DocumentAndPhoto", func(t *testing.T) {
		if _, err := ch.Send(ctx, "9", bot.Outgoing{Text: "Lịch", Document: &convene.File{Name: "a.ics", Data: []byte("ICS")}}); err != nil {
			t.Fatal(err)
		}
		if d := srv.Last(9).Document; d == nil || d.Name != "a.ics" || string(d.Data) != "ICS" || srv.Last(9).Text != "Lịch" {
			t.Fatalf("document %+v", srv.Last(9))
		}
		if _, err := ch.Send(ctx, "9", bot.Outgoing{Text: "QR", Photo: &convene.File{Name: "qr.png", Data: []byte{1, 2, 3}}}); err != nil {
			t.Fatal(err)
		}
		if p := srv.Last(9).Photo; p == nil || len(p.Data) != 3 {
			t.Fatal("photo")
		}
	})
	t.Run("LongTextSplitAtLines", func(t *testing.T) {
		before := len(srv.Messages(9))
		line := strings.Repeat("ệ", 99) + "\n"
		text := strings.TrimSuffix(strings.Repeat(line, 100), "\n") // 9,999 characters
		if _, err := ch.Send(ctx, "9", bot.Outgoing{Text: text, Buttons: [][]convene.Button{{{Text: "A", Data: "x"}}}}); err != nil {
			t.Fatal(err)
		}
		ms := srv.Messages(9)[before:]
		if len(ms) != 3 {
			t.Fatalf("%d parts, want 3", len(ms))
		}
		var joined []string
		for i, m := range ms {
			if len([]rune(m.Text)) > 4096 || !strings.HasSuffix(m.Text, "ệ") {
				t.Fatalf("part %d: %d chars, cut mid-line", i, len([]rune(m.Text)))
			}
			joined = append(joined, m.Text)
		}
		if strings.Join(joined, "\n") != text || !ms[2].HasButton("x") || ms[0].HasButton("x") {
			t.Fatal("parts lost text or the buttons are not on the last part")
		}
	})
	t.Run("EditNotModifiedIsFine", func(t *testing.T) {
		id, _ := ch.Send(ctx, "9", bot.Outgoing{Text: "v1", Buttons: [][]convene.Button{{{Text: "A", Data: "a"}}}})
		m := bot.Outgoing{Text: "v2", Buttons: [][]convene.Button{{{Text: "B", Data: "b"}}}}
		if err := ch.Edit(ctx, "9", id, m); err != nil {
			t.Fatal(err)
		}
		if err := ch.Edit(ctx, "9", id, m); err != nil {
			t.Fatalf("not modified: %v", err)
		}
		if got := srv.Last(9); got.Text != "v2" || !got.HasButton("b") {
			t.Fatalf("edit %+v", got)
		}
	})
	t.Run("CommandsPerLanguage", func(t *testing.T) {
		if err := ch.SetCommands(ctx, "en", []bot.MenuCommand{{Name: "my", Description: "My meetings"}}); err != nil {
			t.Fatal(err)
		}
		if cmds := srv.Commands("en"); len(cmds) != 1 || cmds[0].Description != "My meetings" {
			t.Fatalf("%+v", cmds)
		}
	})
}

func TestErrorClassification(t *testing.T) {
	srv, ch := newChannel(t)
	for _, id := range []int64{1, 2, 3, 6} {
		srv.NewUser(id, "U", "", "", "").Send("hi")
	}
	srv.NewUser(4, "Silent", "", "", "")
	srv.Block(1)
	srv.Deactivate(2)
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func()
		chat  string
		m     bot.Outgoing
		kind  bot.ErrorKind
		wait  time.Duration
	}{
		{"Blocked", nil, "1", bot.Outgoing{Text: "x"}, bot.ErrUnreachable, 0},
		{"Deactivated", nil, "2", bot.Outgoing{Text: "x"}, bot.ErrUnreachable, 0},
		{"NeverWrote", nil, "4", bot.Outgoing{Text: "x"}, bot.ErrUnreachable, 0},
		{"ChatNotFound", nil, "777", bot.Outgoing{Text: "x"}, bot.ErrUnreachable, 0},
		{"BadRequestIsPermanent", nil, "3", bot.Outgoing{Text: "x", Buttons: [][]convene.Button{{{Text: "A", Data: strings.Repeat("d", 80)}}}}, bot.ErrPermanent, 0},
		{"ServerErrorIsTemporary", func() { srv.FailFor(time.Second, http.StatusBadGateway) }, "3", bot.Outgoing{Text: "x"}, bot.ErrTemporary, 0},
		{"TooManyRequests", func() { srv.FailFor(0, 0); srv.Force429(3) }, "6", bot.Outgoing{Text: "x"}, bot.ErrRateLimited, 3 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			_, err := ch.Send(ctx, tc.chat, tc.m)
			if err == nil {
				t.Fatal("no error")
			}
			if bot.KindOf(err) != tc.kind {
				t.Fatalf("kind %v, want %v (%v)", bot.KindOf(err), tc.kind, err)
			}
			if bot.RetryAfterOf(err) != tc.wait {
				t.Fatalf("retry after %v, want %v", bot.RetryAfterOf(err), tc.wait)
			}
		})
	}
	t.Run("NetworkErrorIsTemporary", func(t *testing.T) {
		srv.Close()
		_, err := ch.Send(ctx, "3", bot.Outgoing{Text: "x"})
		if bot.KindOf(err) != bot.ErrTemporary {
			t.Fatalf("kind %v (%v)", bot.KindOf(err), err)
		}
	})
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
	body, _ := json.Marshal(tgbotapi.Update{UpdateID: 7, Message: &tgbotapi.Message{MessageID: 1, Text: "xin chào",
		From: &tgbotapi.User{ID: 3}, Chat: &tgbotapi.Chat{ID: 3, Type: "private"}}})
	post := func(secret string) int {
		req := httptest.NewRequest(http.MethodPost, "/webhook/telegram", bytes.NewReader(body))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		if time.Since(start) > time.Second {
			t.Fatal("the webhook waited for the handler")
		}
		return rec.Code
	}
	if code := post("wrong"); code != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d", code)
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Fatalf("no secret: %d", code)
	}
	if code := post("s3cret"); code != http.StatusOK {
		t.Fatalf("right secret: %d", code)
	}
	close(release)
	if !srv.WaitFor(2*time.Second, func() bool { return len(c.got()) == 1 }) {
		t.Fatalf("handled %d updates, want exactly the authorized one", len(c.got()))
	}
	time.Sleep(50 * time.Millisecond)
	if got := c.got(); len(got) != 1 || got[0].Text != "xin chào" || got[0].UpdateID != "7" {
		t.Fatalf("got %+v", got)
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want int
	}{{"", 10, 1}, {"abc", 10, 1}, {strings.Repeat("a", 25), 10, 3}, {"ab\ncd\nef", 4, 3}} {
		parts := telegram.Split(tc.in, tc.max)
		if len(parts) != tc.want {
			t.Errorf("Split(%q, %d) = %q", tc.in, tc.max, parts)
		}
		for _, p := range parts {
			if len([]rune(p)) > tc.max {
				t.Errorf("part %q over %d", p, tc.max)
			}
		}
	}
}
