package zalo_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/zalo"
	"github.com/convene/convene/bot/zalotest"
)

func newChannel(t *testing.T, opts zalotest.Options, poll time.Duration) (*zalotest.Server, *zalo.Channel) {
	t.Helper()
	srv := zalotest.NewServer(opts)
	t.Cleanup(srv.Close)
	ch, err := zalo.New(context.Background(), zalo.Config{Token: srv.Token(), APIURL: srv.URL, PollTimeout: poll, Logger: slog.New(slog.DiscardHandler)})
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

// receive runs ch.Receive until the test ends; the returned channel yields its result.
func receive(t *testing.T, ch *zalo.Channel, handle func(context.Context, *bot.Incoming) error) (context.CancelFunc, chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done, stopped := make(chan error, 1), make(chan struct{})
	go func() {
		done <- ch.Receive(ctx, handle)
		close(stopped)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(2 * time.Second):
			t.Error("Receive did not stop")
		}
	})
	return cancel, done
}

func TestNew(t *testing.T) {
	t.Run("GetMe", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{AccountName: "bot.hop"}, 0)
		if me := ch.Me(); me.ID != srv.BotID() || me.AccountName != "bot.hop" {
			t.Fatalf("me %+v", me)
		}
		if ch.Name() != "zalo" {
			t.Fatalf("name %q", ch.Name())
		}
		if got := ch.Caps(); got != (bot.Caps{MaxText: 2000}) {
			t.Fatalf("caps %+v", got)
		}
		if srv.Stats().Requests["getMe"] != 1 {
			t.Fatal("getMe not called")
		}
	})
	t.Run("BadTokenIsUnauthorized", func(t *testing.T) {
		srv := zalotest.NewServer(zalotest.Options{})
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := zalo.New(ctx, zalo.Config{Token: "1:wrong", APIURL: srv.URL, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if ok, why := ch.Health(); ok || why != "unauthorized: the bot token was refused" {
			t.Fatalf("health %v %q", ok, why)
		}
		_, err = ch.Send(ctx, "u1", bot.Outgoing{Text: "x"})
		if bot.KindOf(err) != bot.ErrUnauthorized {
			t.Fatalf("send with a wrong token: %v", err)
		}
	})
	t.Run("UnreachableAPIIsNotReady", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := zalo.New(ctx, zalo.Config{Token: "1:secret-token", APIURL: "http://127.0.0.1:1", Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if ok, why := ch.Health(); ok || why != "starting: zalo unreachable (retrying)" {
			t.Fatalf("health %v %q", ok, why)
		}
	})
	t.Run("NoToken", func(t *testing.T) {
		if _, err := zalo.New(context.Background(), zalo.Config{}); err == nil {
			t.Fatal("no error without a token")
		}
	})
}

func TestReceive(t *testing.T) {
	t.Run("TextsAndCommands", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{}, time.Second)
		// A webhook left set would make getUpdates fail: Receive must remove it.
		if err := ch.SetWebhook(context.Background(), "https://example.com/webhook/zalo", "secret-123"); err != nil {
			t.Fatal(err)
		}
		lan := srv.NewUser("e4ea2cd5189df1c3a88c", "Trần Lan")
		id1 := lan.Send("/start tok_123")
		lan.SendSticker("0e078a2fb66a5f34067b")
		id2 := lan.Send("Lý do: đi công tác")
		id3 := lan.Send("/help")
		var c collector
		receive(t, ch, c.handle)
		if !srv.WaitFor(3*time.Second, func() bool { return len(c.got()) >= 3 }) {
			t.Fatalf("got %d updates", len(c.got()))
		}
		ins := c.got()
		want := []bot.Incoming{
			{Channel: "zalo", UpdateID: id1, UserID: lan.ID, ChatID: lan.ID, Name: "Trần Lan", Text: "/start tok_123", Command: "start", Args: "tok_123", Private: true},
			{Channel: "zalo", UpdateID: id2, UserID: lan.ID, ChatID: lan.ID, Name: "Trần Lan", Text: "Lý do: đi công tác", Private: true},
			{Channel: "zalo", UpdateID: id3, UserID: lan.ID, ChatID: lan.ID, Name: "Trần Lan", Text: "/help", Command: "help", Private: true},
		}
		if len(ins) != len(want) {
			t.Fatalf("got %d updates, want %d", len(ins), len(want))
		}
		for i := range want {
			if ins[i].BotID == "" {
				t.Errorf("update %d has no bot id to key it", i)
			}
			want[i].BotID = ins[i].BotID
			if *ins[i] != want[i] {
				t.Errorf("update %d:\n got %+v\nwant %+v", i, *ins[i], want[i])
			}
		}
		if url, _ := srv.Webhook(); url != "" {
			t.Fatalf("webhook still set: %s", url)
		}
	})

	t.Run("LoopsOn408WithoutBackoff", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{MaxPollWait: 50 * time.Millisecond}, time.Second)
		var c collector
		_, done := receive(t, ch, c.handle)
		// Empty polls end every 50ms; were 408 an error, the backoff (≥ 0.5 s) would allow one or two.
		if !srv.WaitFor(time.Second, func() bool { return srv.Stats().Timeouts >= 5 }) {
			t.Fatalf("only %d empty polls in 1s", srv.Stats().Timeouts)
		}
		select {
		case err := <-done:
			t.Fatalf("Receive returned %v", err)
		default:
		}
		srv.NewUser("u1", "An").Send("xin chào")
		if !srv.WaitFor(time.Second, func() bool { return len(c.got()) == 1 }) {
			t.Fatal("message after empty polls not delivered")
		}
	})

	t.Run("CancelStopsPromptly", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{}, 30*time.Second)
		var c collector
		cancel, done := receive(t, ch, c.handle)
		if !srv.WaitFor(time.Second, func() bool { return srv.Stats().Requests["getUpdates"] >= 1 }) {
			t.Fatal("no long poll started")
		}
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Receive: %v", err)
			}
		case <-time.After(time.Second):
			t.Fatal("Receive still running 1s after cancel")
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("stopped after %s", d)
		}
	})

	t.Run("BacksOffOnErrors", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{MaxPollWait: 50 * time.Millisecond}, time.Second)
		srv.FailFor(400*time.Millisecond, 502)
		srv.NewUser("u1", "An").Send("hi")
		var c collector
		receive(t, ch, c.handle)
		if !srv.WaitFor(3*time.Second, func() bool { return len(c.got()) == 1 }) {
			t.Fatal("not delivered after the outage")
		}
		// deleteWebhook, the first poll and perhaps one retry meet the outage.
		if f := srv.Stats().Failures; f > 3 {
			t.Fatalf("%d calls during a 400ms outage: no backoff", f)
		}
	})

	t.Run("HonoursRetryAfter", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{MaxPollWait: 50 * time.Millisecond}, time.Second)
		srv.Force429(1)
		srv.NewUser("u1", "An").Send("hi")
		var c collector
		receive(t, ch, c.handle)
		if !srv.WaitFor(3*time.Second, func() bool { return len(c.got()) == 1 }) {
			t.Fatal("not delivered after the rate limit")
		}
		// deleteWebhook and the first poll meet the 429; the next call must wait out retry_after.
		if n := srv.Stats().TooMany; n != 2 {
			t.Fatalf("%d calls answered 429: retry_after not honoured", n)
		}
	})
}

func TestSend(t *testing.T) {
	t.Run("SplitsLongTextInOrder", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{}, 0)
		u := srv.NewUser("u1", "An")
		var lines []string
		for i := range 90 {
			lines = append(lines, strings.Repeat(string(rune('a'+i%26)), 44)+" dòng") // 49 characters
		}
		text := strings.Join(lines, "\n")
		if n := utf8.RuneCountInString(text); n != 4499 {
			t.Fatalf("text has %d characters", n)
		}
		id, err := ch.Send(context.Background(), u.ID, bot.Outgoing{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		sent := srv.Sent(u.ID)
		if len(sent) != 3 {
			t.Fatalf("%d messages, want 3", len(sent))
		}
		var parts []string
		for _, m := range sent {
			if n := len(utf16.Encode([]rune(m.Text))); n > 2000 {
				t.Fatalf("part of %d characters", n)
			}
			parts = append(parts, m.Text)
		}
		if strings.Join(parts, "\n") != text {
			t.Fatal("parts do not rebuild the text in order")
		}
		if id != sent[2].MessageID {
			t.Fatalf("id %q, want the last part's %q", id, sent[2].MessageID)
		}
	})

	t.Run("SplitsWithoutLineBreaks", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{}, 0)
		u := srv.NewUser("u1", "An")
		text := strings.Repeat("ạ", 4500)
		if _, err := ch.Send(context.Background(), u.ID, bot.Outgoing{Text: text}); err != nil {
			t.Fatal(err)
		}
		got := srv.Messages(u.ID)
		if len(got) != 3 || strings.Join(got, "") != text || utf8.RuneCountInString(got[2]) != 500 {
			t.Fatalf("got %d parts", len(got))
		}
	})

	t.Run("NamesFilesInText", func(t *testing.T) {
		srv, ch := newChannel(t, zalotest.Options{}, 0)
		u := srv.NewUser("u1", "An")
		ctx := context.Background()
		if _, err := ch.Send(ctx, u.ID, bot.Outgoing{Text: "Báo cáo tuần", Document: &convene.File{Name: "report.xlsx", Data: []byte("x")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ch.Send(ctx, u.ID, bot.Outgoing{Photo: &convene.File{Name: "qr.png", Data: []byte("x")}}); err != nil {
			t.Fatal(err)
		}
		got, err := srv.WaitMessages(time.Second, u.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got[0], "Báo cáo tuần") || !strings.Contains(got[0], "report.xlsx") || !strings.Contains(got[1], "qr.png") {
			t.Fatalf("got %q", got)
		}
	})

	t.Run("EditAndAnswer", func(t *testing.T) {
		_, ch := newChannel(t, zalotest.Options{}, 0)
		err := ch.Edit(context.Background(), "u1", "m1", bot.Outgoing{Text: "x"})
		if err == nil || bot.KindOf(err) != bot.ErrPermanent {
			t.Fatalf("edit: %v", err)
		}
		if err := ch.Answer(context.Background(), "cb", "ok"); err != nil {
			t.Fatalf("answer: %v", err)
		}
	})
}

func TestSendErrors(t *testing.T) {
	cases := []struct {
		name  string
		fault func(srv *zalotest.Server)
		chat  string
		kind  bot.ErrorKind
		wait  time.Duration
	}{
		{"Blocked", func(srv *zalotest.Server) { srv.Block("u1") }, "u1", bot.ErrUnreachable, 0},
		{"UnknownChat", func(srv *zalotest.Server) {}, "nobody", bot.ErrUnreachable, 0},
		{"ServerError", func(srv *zalotest.Server) { srv.FailFor(time.Minute, 502) }, "u1", bot.ErrTemporary, 0},
		{"RateLimited", func(srv *zalotest.Server) { srv.Force429(3) }, "u1", bot.ErrRateLimited, 3 * time.Second},
		{"BadRequest", func(srv *zalotest.Server) { srv.FailNext("sendMessage", 400, "Bad Request: invalid text") }, "u1", bot.ErrPermanent, 0},
		{"Unauthorized", func(srv *zalotest.Server) { srv.FailNext("sendMessage", 401, "Unauthorized") }, "u1", bot.ErrUnauthorized, 0},
		{"Closed", func(srv *zalotest.Server) { srv.Close() }, "u1", bot.ErrTemporary, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, ch := newChannel(t, zalotest.Options{}, 0)
			srv.NewUser("u1", "An")
			tc.fault(srv)
			_, err := ch.Send(context.Background(), tc.chat, bot.Outgoing{Text: "xin chào"})
			var be *bot.Error
			if !errors.As(err, &be) {
				t.Fatalf("err %v is no *bot.Error", err)
			}
			if be.Kind != tc.kind || bot.KindOf(err) != tc.kind {
				t.Fatalf("kind %s, want %s (%v)", be.Kind, tc.kind, err)
			}
			if got := bot.RetryAfterOf(err); got != tc.wait {
				t.Fatalf("retry after %s, want %s", got, tc.wait)
			}
			if strings.Contains(err.Error(), srv.Token()) {
				t.Fatalf("token in error: %v", err)
			}
		})
	}
}
