package telegram_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestReceive(t *testing.T) {
	srv, ch := newChannel(t)
	u := srv.NewUser(42, "Lan", "Trần", "", "vi")
	u.Send("/start tok_123")
	u.Send("Lý do: đi công tác")
	u.ShareContact("+84912345678", 42)
	msgID, err := ch.Send(context.Background(), "42", bot.Outgoing{Text: "x", Buttons: [][]convene.Button{{{Text: "A", Data: "rsvp:1:a"}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, cbID := u.Press(srv.Last(42).ID, "rsvp:1:a")

	var c collector
	stop := receive(t, ch, c.handle)
	if !srv.WaitFor(5*time.Second, func() bool { return len(c.got()) == 4 }) {
		t.Fatalf("got %d updates", len(c.got()))
	}
	ins := c.got()
	t.Run("Command", func(t *testing.T) {
		in := ins[0]
		if in.Channel != "telegram" || in.Command != "start" || in.Args != "tok_123" || in.UserID != "42" || in.ChatID != "42" ||
			in.Name != "Lan Trần" || in.LangCode != "vi" || !in.Private || in.UpdateID == "" {
			t.Fatalf("%+v", in)
		}
	})
	t.Run("Text", func(t *testing.T) {
		if in := ins[1]; in.Text != "Lý do: đi công tác" || in.Command != "" || in.Args != "" {
			t.Fatalf("%+v", in)
		}
	})
	t.Run("Contact", func(t *testing.T) {
		if in := ins[2]; in.Contact == nil || in.Contact.Phone != "+84912345678" || in.Contact.UserID != "42" {
			t.Fatalf("%+v", in)
		}
	})
	t.Run("ButtonPress", func(t *testing.T) {
		if in := ins[3]; in.CallbackData != "rsvp:1:a" || in.CallbackID != cbID || in.MessageID != msgID || in.ChatID != "42" || in.UserID != "42" {
			t.Fatalf("%+v (message %s, callback %s)", in, msgID, cbID)
		}
	})
	t.Run("HandledUpdatesConfirmed", func(t *testing.T) {
		if !srv.WaitFor(3*time.Second, func() bool { return srv.Pending() == 0 }) {
			t.Fatalf("pending %d", srv.Pending())
		}
		if got := srv.Stats().Requests["deleteWebhook"]; got != 1 {
			t.Fatalf("deleteWebhook called %d times", got)
		}
	})
	t.Run("CancelStops", func(t *testing.T) {
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
}

// group and private build raw messages the fake's users cannot send.
func group(from int64, text string, isBot bool) *tgbotapi.Message {
	m := &tgbotapi.Message{MessageID: 1, Text: text, From: &tgbotapi.User{ID: from, FirstName: "G", IsBot: isBot},
		Chat: &tgbotapi.Chat{ID: -100, Type: "group"}}
	return withCommand(m)
}

func private(from int64, text string, isBot bool) *tgbotapi.Message {
	m := &tgbotapi.Message{MessageID: 1, Text: text, From: &tgbotapi.User{ID: from, FirstName: "P", IsBot: isBot},
		Chat: &tgbotapi.Chat{ID: from, Type: "private"}}
	return withCommand(m)
}

func withCommand(m *tgbotapi.Message) *tgbotapi.Message {
	if len(m.Text) > 0 && m.Text[0] == '/' {
		n := len(m.Text)
		for i, r := range m.Text {
			if r == ' ' {
				n = i
				break
			}
		}
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Length: n}}
	}
	return m
}

func TestReceiveFilters(t *testing.T) {
	srv, ch := newChannel(t)
	malformed := private(7, "/x", false)
	malformed.Entities[0].Length = 50
	srv.Inject(tgbotapi.Update{Message: group(7, "chào cả nhóm", false)})                     // group chatter: ignored
	srv.Inject(tgbotapi.Update{Message: group(7, "/status@hop_bot chi-bo-01", false)})        // kept
	srv.Inject(tgbotapi.Update{Message: group(7, "/status@other_bot", false)})                // another bot's: ignored
	srv.Inject(tgbotapi.Update{Message: private(8, "/start@HOP_BOT abc", false)})             // kept
	srv.Inject(tgbotapi.Update{Message: private(9, "hello", true)})                           // from a bot: ignored
	srv.Inject(tgbotapi.Update{EditedMessage: private(7, "sửa", false)})                      // an edit: ignored
	srv.Inject(tgbotapi.Update{ChannelPost: &tgbotapi.Message{Chat: &tgbotapi.Chat{ID: -5}}}) // ignored
	srv.Inject(tgbotapi.Update{Message: malformed})                                           // kept, as text
	srv.Inject(tgbotapi.Update{Message: private(8, "end", false)})

	var c collector
	receive(t, ch, c.handle)
	if !srv.WaitFor(3*time.Second, func() bool { return srv.Pending() == 0 && len(c.got()) > 0 }) {
		t.Fatalf("pending %d", srv.Pending())
	}
	got := c.got()
	if len(got) != 4 {
		for _, in := range got {
			t.Logf("%+v", in)
		}
		t.Fatalf("got %d updates, want 4", len(got))
	}
	byText := map[string]*bot.Incoming{}
	for _, in := range got {
		byText[in.Text] = in
	}
	if in := byText["/status@hop_bot chi-bo-01"]; in == nil || in.Command != "status" || in.Args != "chi-bo-01" || in.ChatID != "-100" || in.Private {
		t.Fatalf("group command %+v", in)
	}
	if in := byText["/start@HOP_BOT abc"]; in == nil || in.Command != "start" || in.Args != "abc" || !in.Private {
		t.Fatalf("addressed command %+v", in)
	}
	if in := byText["/x"]; in == nil || in.Command != "" {
		t.Fatalf("malformed entity %+v", in)
	}
}

func TestOffsetAdvancesOnlyAfterHandle(t *testing.T) {
	t.Run("NotWhileHandling", func(t *testing.T) {
		srv, ch := newChannel(t)
		srv.NewUser(5, "A", "", "", "").Send("một")
		started, release := make(chan struct{}), make(chan struct{})
		receive(t, ch, func(ctx context.Context, in *bot.Incoming) error {
			close(started)
			<-release
			return nil
		})
		<-started
		time.Sleep(200 * time.Millisecond)
		pending := srv.Pending()
		close(release)
		if pending != 1 {
			t.Fatalf("confirmed while the handler runs (pending %d)", pending)
		}
		if !srv.WaitFor(3*time.Second, func() bool { return srv.Pending() == 0 }) {
			t.Fatal("not confirmed after the handler returned")
		}
	})
	t.Run("CrashMidHandleRedelivers", func(t *testing.T) {
		srv, ch := newChannel(t)
		srv.NewUser(5, "A", "", "", "").Send("một")
		started := make(chan struct{})
		stop := receive(t, ch, func(ctx context.Context, in *bot.Incoming) error {
			close(started)
			<-ctx.Done() // cut short by shutdown
			return ctx.Err()
		})
		<-started
		_ = stop()
		if srv.Pending() != 1 {
			t.Fatalf("an update whose handler never finished was confirmed (pending %d)", srv.Pending())
		}
		var c collector
		receive(t, ch, c.handle)
		if !srv.WaitFor(3*time.Second, func() bool { return len(c.got()) == 1 }) || c.got()[0].Text != "một" {
			t.Fatal("the update was not delivered again")
		}
	})
}

func TestNotStoredFetchedAgain(t *testing.T) {
	srv, ch := newChannel(t)
	u := srv.NewUser(5, "A", "", "", "")
	u.Send("error")
	u.Send("panic")
	u.Send("ok")
	var c collector
	var mu sync.Mutex
	fails := map[string]int{"error": 2, "panic": 1}
	receive(t, ch, func(ctx context.Context, in *bot.Incoming) error {
		mu.Lock()
		n := fails[in.Text]
		fails[in.Text] = n - 1
		mu.Unlock()
		if n > 0 && in.Text == "panic" {
			panic("boom")
		}
		if n > 0 {
			return errors.New("database is locked")
		}
		return c.handle(ctx, in)
	})
	if !srv.WaitFor(10*time.Second, func() bool { return srv.Pending() == 0 }) {
		t.Fatalf("pending %d: the updates were not all stored and confirmed", srv.Pending())
	}
	// A batch fetched again hands over what was stored before its failure
	// once more: the core drops such repeats by update id.
	var got []*bot.Incoming
	seen := map[string]bool{}
	for _, in := range c.got() {
		if !seen[in.UpdateID] {
			seen[in.UpdateID] = true
			got = append(got, in)
		}
	}
	if len(got) != 3 {
		t.Fatalf("stored %d distinct updates, want 3", len(got))
	}
	for i, want := range []string{"error", "panic", "ok"} {
		if got[i].Text != want {
			t.Fatalf("update %d is %q, want %q: order lost", i, got[i].Text, want)
		}
	}
}

func TestCancelStopsLongPollPromptly(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	ch := connect(t, telegram.Config{Token: srv.Token(), APIURL: srv.URL, PollTimeout: 50 * time.Second})
	stop := receive(t, ch, func(context.Context, *bot.Incoming) error { return nil })
	srv.WaitFor(time.Second, func() bool { return srv.Stats().Requests["getUpdates"] > 0 })
	time.Sleep(100 * time.Millisecond) // inside the 50 s poll now
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("stopping took %s", d)
	}
}
