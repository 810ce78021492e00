package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/bot/zalotest"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestServeWebhooks(t *testing.T) {
	env := seeded(t)
	// Updates come by webhook, not through the fake, so let the bot answer users the fake never saw write.
	srv := telegramtest.NewServer(telegramtest.Options{Username: "hop_bot", AllowUnknownChats: true})
	defer srv.Close()
	addr := freeAddr(t)
	env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_URL"], env["CONVENE_HTTP"] = srv.Token(), srv.URL, addr
	env["CONVENE_PUBLIC_URL"], env["CONVENE_WEBHOOK_SECRET"] = "https://bot.example.org/", "w-secret"
	m := NewMain()
	m.Stdout, m.Stderr, m.Getenv = io.Discard, io.Discard, func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	defer func() { cancel(); <-done; m.Close() }()

	if !srv.WaitFor(5*time.Second, func() bool { u, _ := srv.Webhook(); return u != "" }) {
		t.Fatal("webhook not registered")
	}
	if u, s := srv.Webhook(); u != "https://bot.example.org/webhook/telegram" || s != "w-secret" {
		t.Fatalf("webhook %q %q", u, s)
	}
	srv.NewUser(321, "Hà", "", "", "vi")
	body, _ := json.Marshal(tgbotapi.Update{UpdateID: 900, Message: &tgbotapi.Message{MessageID: 5, Text: "/help",
		Entities: []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: 5}},
		From:     &tgbotapi.User{ID: 321, FirstName: "Hà"}, Chat: &tgbotapi.Chat{ID: 321, Type: "private"}}})
	post := func(secret string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook/telegram", bytes.NewReader(body))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if post("wrong") != 401 || post("") != 401 {
		t.Fatal("a wrong or missing secret was accepted")
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(srv.Messages(321)); n != 0 {
		t.Fatalf("refused calls were processed: %d replies", n)
	}
	if post("w-secret") != 200 || post("w-secret") != 200 {
		t.Fatal("right secret refused")
	}
	if !srv.WaitFor(5*time.Second, func() bool { return len(srv.Messages(321)) >= 1 }) {
		t.Fatal("no reply to the webhook update")
	}
	time.Sleep(300 * time.Millisecond)
	ms := srv.Messages(321)
	if len(ms) != 1 || !strings.Contains(ms[0].Text, "/my") {
		t.Fatalf("the replayed update was processed %d times: %+v", len(ms), ms)
	}
	if srv.Stats().Requests["getUpdates"] != 0 {
		t.Fatal("long polling ran although a webhook is set")
	}
}

func TestServeZalo(t *testing.T) {
	env := seeded(t)
	zsrv := zalotest.NewServer(zalotest.Options{MaxPollWait: 300 * time.Millisecond})
	defer zsrv.Close()
	env["ZALO_BOT_TOKEN"], env["ZALO_API_URL"] = zsrv.Token(), zsrv.URL
	m := NewMain()
	m.Stdout, m.Stderr, m.Getenv = io.Discard, io.Discard, func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	out, _, _ := run(t, env, "links", "--meeting", "chi-bo-01", "--format", "json")
	var rows []struct {
		FullName string `json:"full_name"`
		Token    string `json:"token"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("links: %v", err)
	}
	u := zsrv.NewUser("z-77", rows[0].FullName)
	u.Send(rows[0].Token)
	if !zsrv.WaitFor(5*time.Second, func() bool {
		for _, msg := range zsrv.Messages("z-77") {
			if strings.Contains(msg, "Đã liên kết thành công") {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no link reply over Zalo: %q", zsrv.Messages("z-77"))
	}
	start := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("shutdown took %s", d)
	}
}
