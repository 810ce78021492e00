package telegramtest_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/bot/telegramtest"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func newBot(t *testing.T, opts telegramtest.Options) (*telegramtest.Server, *tgbotapi.BotAPI) {
	t.Helper()
	srv := telegramtest.NewServer(opts)
	t.Cleanup(srv.Close)
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.APIEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	return srv, api
}

func apiErr(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *tgbotapi.Error, got %T %v", err, err)
	}
	return e
}

func TestGetMeAndToken(t *testing.T) {
	srv, api := newBot(t, telegramtest.Options{Username: "hop_bot"})
	if api.Self.UserName != "hop_bot" || !api.Self.IsBot {
		t.Fatalf("self = %+v", api.Self)
	}
	if _, err := tgbotapi.NewBotAPIWithAPIEndpoint("wrong", srv.APIEndpoint()); err == nil {
		t.Fatal("a wrong token was accepted")
	}
}

func TestMessagesButtonsAndUpdates(t *testing.T) {
	srv, api := newBot(t, telegramtest.Options{})
	u := srv.NewUser(100, "Lan", "Nguyễn", "lan", "vi")
	u.Send("/start abc")

	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	if err != nil || len(ups) != 1 {
		t.Fatalf("updates %v %v", ups, err)
	}
	m := ups[0].Message
	if !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "abc" || m.From.ID != 100 {
		t.Fatalf("command not parsed by the client: %+v", m)
	}

	t.Run("SendWithInlineKeyboardAndEdit", func(t *testing.T) {
		msg := tgbotapi.NewMessage(100, "Giấy mời")
		msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("Tham dự", "rsvp:1:a"), tgbotapi.NewInlineKeyboardButtonData("Vắng", "rsvp:1:d")))
		sent, err := api.Send(msg)
		if err != nil {
			t.Fatal(err)
		}
		got := srv.Last(100)
		if got.Text != "Giấy mời" || !got.HasButton("rsvp:1:a") || got.Button("rsvp:1:d").Text != "Vắng" || got.ID != sent.MessageID {
			t.Fatalf("stored %+v", got)
		}
		edit := tgbotapi.NewEditMessageTextAndMarkup(100, sent.MessageID, "Đã trả lời", tgbotapi.NewInlineKeyboardMarkup(
			tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Đổi", "rsvp:1:d"))))
		if _, err := api.Send(edit); err != nil {
			t.Fatal(err)
		}
		got = srv.Message(100, sent.MessageID)
		if got.Text != "Đã trả lời" || got.Edits != 1 || got.HasButton("rsvp:1:a") {
			t.Fatalf("after edit %+v", got)
		}
		if _, err := api.Send(edit); apiErr(t, err).Code != 400 {
			t.Fatal("an identical edit must be 'not modified'")
		}

		t.Run("PressAndOffsets", func(t *testing.T) {
			_, cbID := u.Press(sent.MessageID, "rsvp:1:d")
			ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1, Timeout: 1})
			if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil {
				t.Fatalf("press: %+v %v", ups, err)
			}
			cq := ups[0].CallbackQuery
			if cq.Data != "rsvp:1:d" || cq.Message.MessageID != sent.MessageID || cq.From.ID != 100 || cq.ID != cbID {
				t.Fatalf("callback %+v", cq)
			}
			if _, err := api.Request(tgbotapi.NewCallback(cq.ID, "Đã ghi nhận")); err != nil {
				t.Fatal(err)
			}
			if !srv.Answered(cbID) {
				t.Fatal("answer not recorded")
			}
			// Confirming by offset drops the update; without it, it comes again.
			again, _ := api.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID, Timeout: 0})
			if len(again) != 1 {
				t.Fatalf("unconfirmed update not redelivered: %d", len(again))
			}
			after, _ := api.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1, Timeout: 0})
			if len(after) != 0 || srv.Pending() != 0 {
				t.Fatalf("confirmed update returned again: %d", len(after))
			}
		})
	})

	t.Run("LongPollWakesOnNewUpdate", func(t *testing.T) {
		start := time.Now()
		go func() { time.Sleep(200 * time.Millisecond); u.Send("xin chào") }()
		ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: 1000, Timeout: 10})
		if err == nil && len(ups) == 0 {
			t.Fatal("no update")
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("long poll did not wake")
		}
	})
}

func TestContactDocumentPhotoCommands(t *testing.T) {
	srv, api := newBot(t, telegramtest.Options{})
	u := srv.NewUser(7, "Bình", "", "", "")
	u.Send("hi")
	kb := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact("Chia sẻ số")))
	kb.OneTimeKeyboard = true
	msg := tgbotapi.NewMessage(7, "Số điện thoại?")
	msg.ReplyMarkup = kb
	if _, err := api.Send(msg); err != nil {
		t.Fatal(err)
	}
	if srv.Last(7).ContactButton != "Chia sẻ số" {
		t.Fatalf("contact button %+v", srv.Last(7))
	}
	u.ShareContact("+84912345678", 999)
	ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	c := ups[len(ups)-1].Message.Contact
	if c == nil || c.PhoneNumber != "+84912345678" || c.UserID != 999 {
		t.Fatalf("contact %+v", c)
	}
	doc := tgbotapi.NewDocument(7, tgbotapi.FileBytes{Name: "hop.ics", Bytes: []byte("BEGIN:VCALENDAR")})
	doc.Caption = "Lịch"
	if _, err := api.Send(doc); err != nil {
		t.Fatal(err)
	}
	if d := srv.Last(7).Document; d == nil || d.Name != "hop.ics" || string(d.Data) != "BEGIN:VCALENDAR" || srv.Last(7).Text != "Lịch" {
		t.Fatalf("document %+v", srv.Last(7))
	}
	if _, err := api.Send(tgbotapi.NewPhoto(7, tgbotapi.FileBytes{Name: "qr.png", Bytes: []byte{0x89, 'P'}})); err != nil {
		t.Fatal(err)
	}
	if p := srv.Last(7).Photo; p == nil || len(p.Data) != 2 {
		t.Fatalf("photo %+v", srv.Last(7))
	}
	cfg := tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "vi", tgbotapi.BotCommand{Command: "my", Description: "Của tôi"})
	if _, err := api.Request(cfg); err != nil {
		t.Fatal(err)
	}
	if cmds := srv.Commands("vi"); len(cmds) != 1 || cmds[0].Command != "my" || len(srv.Commands("en")) != 0 {
		t.Fatalf("commands %+v", cmds)
	}
}

func TestFaults(t *testing.T) {
	srv, api := newBot(t, telegramtest.Options{})
	for _, id := range []int64{1, 2, 3} {
		srv.NewUser(id, "U", "", "", "").Send("hi")
	}
	srv.NewUser(4, "Silent", "", "", "")
	srv.Block(1)
	srv.Deactivate(2)
	cases := []struct {
		name string
		chat int64
		code int
		desc string
	}{
		{"Blocked", 1, 403, "Forbidden: bot was blocked by the user"},
		{"Deactivated", 2, 403, "Forbidden: user is deactivated"},
		{"NeverWrote", 4, 403, "Forbidden: bot can't initiate conversation with a user"},
		{"ChatNotFound", 555, 400, "Bad Request: chat not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := api.Send(tgbotapi.NewMessage(tc.chat, "x"))
			e := apiErr(t, err)
			if e.Code != tc.code || e.Message != tc.desc {
				t.Fatalf("got %d %q", e.Code, e.Message)
			}
		})
	}
	t.Run("Force429WithRetryAfter", func(t *testing.T) {
		srv.Force429(2)
		_, err := api.Send(tgbotapi.NewMessage(3, "x"))
		if e := apiErr(t, err); e.Code != 429 || e.RetryAfter != 2 {
			t.Fatalf("got %+v", e)
		}
	})
	t.Run("FailWindowThenRecovery", func(t *testing.T) {
		srv2, api2 := newBot(t, telegramtest.Options{})
		srv2.NewUser(3, "U", "", "", "").Send("hi")
		srv2.FailFor(300*time.Millisecond, http.StatusBadGateway)
		if _, err := api2.Send(tgbotapi.NewMessage(3, "x")); apiErr(t, err).Code != 502 {
			t.Fatal("no 502 in the window")
		}
		time.Sleep(350 * time.Millisecond)
		if _, err := api2.Send(tgbotapi.NewMessage(3, "x")); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		if srv2.Stats().Failures != 1 {
			t.Fatalf("failures %d", srv2.Stats().Failures)
		}
	})
	t.Run("WebhookConflict", func(t *testing.T) {
		wh, _ := tgbotapi.NewWebhook("https://example.org/hook")
		if _, err := api.Request(wh); err != nil {
			t.Fatal(err)
		}
		if _, err := api.GetUpdates(tgbotapi.UpdateConfig{}); apiErr(t, err).Code != 409 {
			t.Fatal("getUpdates with a webhook set must conflict")
		}
		if _, err := api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLimits(t *testing.T) {
	t.Run("AtTheRateNo429", func(t *testing.T) {
		srv, api := newBot(t, telegramtest.Options{Limits: telegramtest.Limits{PerSecond: 50}})
		for i := int64(1); i <= 20; i++ {
			srv.NewUser(i, "U", "", "", "").Send("hi")
		}
		tick := time.NewTicker(time.Second / 45)
		defer tick.Stop()
		for i := 0; i < 90; i++ {
			<-tick.C
			if _, err := api.Send(tgbotapi.NewMessage(int64(i%20+1), "x")); err != nil {
				t.Fatalf("send %d under the limit: %v", i, err)
			}
		}
	})
	t.Run("OverTheRate429", func(t *testing.T) {
		srv, api := newBot(t, telegramtest.Options{Limits: telegramtest.Limits{PerSecond: 10}})
		for i := int64(1); i <= 5; i++ {
			srv.NewUser(i, "U", "", "", "").Send("hi")
		}
		var mu sync.Mutex
		var tooMany int
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := api.Send(tgbotapi.NewMessage(int64(i%5+1), "x"))
				var e *tgbotapi.Error
				if errors.As(err, &e) && e.Code == 429 && e.RetryAfter >= 1 {
					mu.Lock()
					tooMany++
					mu.Unlock()
				}
			}(i)
		}
		wg.Wait()
		if tooMany < 25 || srv.Stats().TooMany != tooMany {
			t.Fatalf("%d answered 429 (server counted %d), want ≥ 25 of 40 at 10/s", tooMany, srv.Stats().TooMany)
		}
	})
	t.Run("PerChat", func(t *testing.T) {
		srv, api := newBot(t, telegramtest.Options{Limits: telegramtest.Limits{PerChat: 1, ChatBurst: 2}})
		srv.NewUser(9, "U", "", "", "").Send("hi")
		var codes []int
		for i := 0; i < 3; i++ {
			_, err := api.Send(tgbotapi.NewMessage(9, "x"))
			var e *tgbotapi.Error
			if errors.As(err, &e) {
				codes = append(codes, e.Code)
			} else {
				codes = append(codes, 200)
			}
		}
		if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
			t.Fatalf("codes %v, want 200 200 429", codes)
		}
	})
}
