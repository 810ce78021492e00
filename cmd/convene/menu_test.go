package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/convene/convene/bot/telegramtest"
)

// TestDelegateMenuHasAgenda: serve registers the delegates' command menus
// (the default one and the vi and en ones) with /agenda, described in the
// menu's language, as the fake Telegram records them.
func TestDelegateMenuHasAgenda(t *testing.T) {
	env := seeded(t)
	srv := telegramtest.NewServer(telegramtest.Options{Username: "convene_hop_bot"})
	defer srv.Close()
	env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_URL"] = srv.Token(), srv.URL
	m := NewMain()
	var logs syncBuffer
	m.Stdout, m.Stderr, m.Getenv = io.Discard, &logs, func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	defer func() { cancel(); <-done; m.Close() }()
	want := map[string]string{
		"":   "Chương trình hội nghị: /agenda [MÃ]", // the bot's language, vi by default
		"vi": "Chương trình hội nghị: /agenda [MÃ]",
		"en": "Meeting program: /agenda [CODE]",
	}
	if !srv.WaitFor(5*time.Second, func() bool {
		return len(srv.Commands("en")) > 0 && len(srv.Commands("")) > 0 && len(srv.Commands("vi")) > 0
	}) {
		t.Fatalf("serve set no menus; logs:\n%s", logs.String())
	}
	for lang, desc := range want {
		var got string
		var names []string
		for _, c := range srv.Commands(lang) {
			names = append(names, c.Command)
			if c.Command == "agenda" {
				got = c.Description
			}
		}
		if got != desc {
			t.Fatalf("menu %q: /agenda described %q, want %q (commands %v)", lang, got, desc, names)
		}
		for _, n := range names {
			if n == "pending" || n == "grant" || n == "report" {
				t.Fatalf("menu %q shows the organizer command /%s to delegates", lang, n)
			}
		}
	}
}
