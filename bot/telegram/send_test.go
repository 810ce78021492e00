package telegram_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
)

func TestSend(t *testing.T) {
	srv, ch := newChannel(t)
	srv.NewUser(9, "B", "", "", "").Send("hi")
	ctx := context.Background()

	t.Run("ButtonsReturnMessageID", func(t *testing.T) {
		id, err := ch.Send(ctx, "9", bot.Outgoing{Text: "Mời họp", Buttons: [][]convene.Button{
			{{Text: "Tham dự", Data: "rsvp:1:a"}, {Text: "Vắng", Data: "rsvp:1:d"}},
			{{Text: "Bản đồ", URL: "https://maps.example.org/x"}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		m := srv.Last(9)
		if id != strconv.Itoa(m.ID) || m.Text != "Mời họp" {
			t.Fatalf("id %q, last %+v", id, m)
		}
		if len(m.Buttons) != 2 || len(m.Buttons[0]) != 2 || !m.HasButton("rsvp:1:d") || m.Buttons[1][0].URL != "https://maps.example.org/x" {
			t.Fatalf("buttons %+v", m.Buttons)
		}
	})
	t.Run("ContactKeyboardAndRemove", func(t *testing.T) {
		if _, err := ch.Send(ctx, "9", bot.Outgoing{Text: "Số điện thoại?", RequestContact: "📱 Chia sẻ"}); err != nil {
			t.Fatal(err)
		}
		if srv.Last(9).ContactButton != "📱 Chia sẻ" {
			t.Fatal("no contact button")
		}
		if _, err := ch.Send(ctx, "9", bot.Outgoing{Text: "ok", RemoveKeyboard: true}); err != nil {
			t.Fatal(err)
		}
		if !srv.Last(9).RemoveKeyboard {
			t.Fatal("keyboard not removed")
		}
	})
	t.Run("DocumentAndPhoto", func(t *testing.T) {
		id, err := ch.Send(ctx, "9", bot.Outgoing{Text: "Lịch", Document: &convene.File{Name: "a.ics", MIME: "text/calendar", Data: []byte("ICS")}})
		if err != nil {
			t.Fatal(err)
		}
		if m := srv.Last(9); m.Document == nil || m.Document.Name != "a.ics" || string(m.Document.Data) != "ICS" || m.Text != "Lịch" || id != strconv.Itoa(m.ID) {
			t.Fatalf("document %+v", m)
		}
		if _, err := ch.Send(ctx, "9", bot.Outgoing{Text: "QR", Photo: &convene.File{Name: "qr.png", Data: []byte{1, 2, 3}}}); err != nil {
			t.Fatal(err)
		}
		if m := srv.Last(9); m.Photo == nil || len(m.Photo.Data) != 3 || m.Text != "QR" {
			t.Fatalf("photo %+v", m)
		}
	})
	t.Run("LongCaptionGoesFirst", func(t *testing.T) {
		before := len(srv.Messages(9))
		text := strings.Repeat("ư", 1500)
		id, err := ch.Send(ctx, "9", bot.Outgoing{Text: text, Document: &convene.File{Name: "r.csv", Data: []byte("a,b")},
			Buttons: [][]convene.Button{{{Text: "OK", Data: "ok"}}}})
		if err != nil {
			t.Fatal(err)
		}
		ms := srv.Messages(9)[before:]
		if len(ms) != 2 || ms[0].Text != text || ms[0].Document != nil || ms[1].Document == nil || ms[1].Text != "" || !ms[1].HasButton("ok") || id != strconv.Itoa(ms[1].ID) {
			t.Fatalf("messages %+v", ms)
		}
	})
	t.Run("LongTextSplitAtLines", func(t *testing.T) {
		before := len(srv.Messages(9))
		line := strings.Repeat("ệ", 99) + "\n"
		text := strings.TrimSuffix(strings.Repeat(line, 100), "\n") // 9,999 characters
		id, err := ch.Send(ctx, "9", bot.Outgoing{Text: text, Buttons: [][]convene.Button{{{Text: "A", Data: "x"}}}})
		if err != nil {
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
		if strings.Join(joined, "\n") != text || !ms[2].HasButton("x") || ms[0].HasButton("x") || ms[1].HasButton("x") {
			t.Fatal("parts lost text or the buttons are not on the last part only")
		}
		if id != strconv.Itoa(ms[2].ID) {
			t.Fatalf("id %s, want the last part's %d", id, ms[2].ID)
		}
	})
	t.Run("BadChatIDIsPermanent", func(t *testing.T) {
		if _, err := ch.Send(ctx, "nine", bot.Outgoing{Text: "x"}); bot.KindOf(err) != bot.ErrPermanent {
			t.Fatalf("err %v", err)
		}
	})
}

func TestEdit(t *testing.T) {
	srv, ch := newChannel(t)
	srv.NewUser(9, "B", "", "", "").Send("hi")
	ctx := context.Background()
	id, err := ch.Send(ctx, "9", bot.Outgoing{Text: "v1", Buttons: [][]convene.Button{{{Text: "A", Data: "a"}}}})
	if err != nil {
		t.Fatal(err)
	}
	mid, _ := strconv.Atoi(id)
	t.Run("TextAndButtons", func(t *testing.T) {
		m := bot.Outgoing{Text: "v2", Buttons: [][]convene.Button{{{Text: "B", Data: "b"}}}}
		if err := ch.Edit(ctx, "9", id, m); err != nil {
			t.Fatal(err)
		}
		if got := srv.Message(9, mid); got.Text != "v2" || !got.HasButton("b") || got.HasButton("a") || got.Edits != 1 {
			t.Fatalf("edit %+v", got)
		}
		t.Run("NotModifiedIsFine", func(t *testing.T) {
			if err := ch.Edit(ctx, "9", id, m); err != nil {
				t.Fatalf("not modified: %v", err)
			}
		})
	})
	t.Run("WithoutButtonsRemovesThem", func(t *testing.T) {
		if err := ch.Edit(ctx, "9", id, bot.Outgoing{Text: "v3"}); err != nil {
			t.Fatal(err)
		}
		if got := srv.Message(9, mid); got.Text != "v3" || len(got.Buttons) != 0 {
			t.Fatalf("edit %+v", got)
		}
	})
	t.Run("UnknownMessageIsPermanent", func(t *testing.T) {
		if err := ch.Edit(ctx, "9", "9999", bot.Outgoing{Text: "x"}); bot.KindOf(err) != bot.ErrPermanent {
			t.Fatalf("err %v", err)
		}
	})
}

func TestAnswerActionCommands(t *testing.T) {
	srv, ch := newChannel(t)
	u := srv.NewUser(9, "B", "", "", "")
	u.Send("hi")
	ctx := context.Background()
	t.Run("Answer", func(t *testing.T) {
		id, _ := ch.Send(ctx, "9", bot.Outgoing{Text: "x", Buttons: [][]convene.Button{{{Text: "A", Data: "a"}}}})
		mid, _ := strconv.Atoi(id)
		_, cb := u.Press(mid, "a")
		if err := ch.Answer(ctx, cb, "Đã ghi nhận"); err != nil {
			t.Fatal(err)
		}
		if as := srv.Answers(); len(as) != 1 || as[0].ID != cb || as[0].Text != "Đã ghi nhận" {
			t.Fatalf("answers %+v", as)
		}
	})
	t.Run("ChatAction", func(t *testing.T) {
		if err := ch.SendChatAction(ctx, "9", "typing"); err != nil {
			t.Fatal(err)
		}
		if srv.Stats().Requests["sendChatAction"] != 1 {
			t.Fatal("no sendChatAction")
		}
		if err := ch.SendChatAction(ctx, "777", "typing"); bot.KindOf(err) != bot.ErrUnreachable {
			t.Fatalf("unknown chat: %v", err)
		}
	})
	t.Run("CommandsPerLanguage", func(t *testing.T) {
		if err := ch.SetCommands(ctx, "en", []bot.MenuCommand{{Name: "my", Description: "My meetings"}}); err != nil {
			t.Fatal(err)
		}
		if err := ch.SetCommands(ctx, "", []bot.MenuCommand{{Name: "my", Description: "Cuộc họp của tôi"}, {Name: "help", Description: "Trợ giúp"}}); err != nil {
			t.Fatal(err)
		}
		if cmds := srv.Commands("en"); len(cmds) != 1 || cmds[0].Command != "my" || cmds[0].Description != "My meetings" {
			t.Fatalf("en %+v", cmds)
		}
		if cmds := srv.Commands(""); len(cmds) != 2 || cmds[1].Command != "help" {
			t.Fatalf("default %+v", cmds)
		}
		if err := ch.SetChatCommands(ctx, "9", []bot.MenuCommand{{Name: "status", Description: "Tình hình"}}); err != nil {
			t.Fatal(err)
		}
		if cmds := srv.ChatCommands(9); len(cmds) != 1 || cmds[0].Command != "status" {
			t.Fatalf("chat 9 %+v", cmds)
		}
		if len(srv.ChatCommands(10)) != 0 || len(srv.Commands("en")) != 1 {
			t.Fatal("a chat's menu leaked")
		}
	})
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want int
	}{{"", 10, 1}, {"abc", 10, 1}, {strings.Repeat("a", 25), 10, 3}, {"ab\ncd\nef", 4, 3}, {strings.Repeat("ệ", 20), 10, 2}} {
		parts := telegram.Split(tc.in, tc.max)
		if len(parts) != tc.want {
			t.Errorf("Split(%q, %d) = %q", tc.in, tc.max, parts)
		}
		for _, p := range parts {
			if len([]rune(p)) > tc.max || !utf8.ValidString(p) {
				t.Errorf("part %q over %d or cut inside a character", p, tc.max)
			}
		}
	}
}
