package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/bot/telegramtest"
)

// TestLinkingUpdatesLiveCounts: a delegate linking her account through
// chat changes the "linked" count on an open meeting page's event stream
// within a second.
func TestLinkingUpdatesLiveCounts(t *testing.T) {
	env := seeded(t)
	srv := telegramtest.NewServer(telegramtest.Options{Username: "convene_hop_bot"})
	defer srv.Close()
	addr := freeAddr(t)
	env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_URL"], env["CONVENE_HTTP"], env["CONVENE_ADMINS"] = srv.Token(), srv.URL, addr, "telegram:42"
	m := NewMain()
	base, began := time.Date(2024, 3, 25, 2, 0, 0, 0, time.UTC), time.Now()
	m.Now = func() time.Time { return base.Add(time.Since(began)) }
	var logs syncBuffer
	m.Stdout, m.Stderr, m.Getenv = io.Discard, &logs, func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	defer func() { cancel(); <-done; m.Close() }()
	if !srv.WaitFor(5*time.Second, func() bool { return len(srv.Commands("vi")) > 0 }) {
		t.Fatalf("serve did not start; logs:\n%s", logs.String())
	}

	// The admin signs in by the link /web sends.
	admin := srv.NewUser(42, "Văn phòng", "", "", "vi")
	admin.Send("/web")
	var link string
	if !srv.WaitFor(5*time.Second, func() bool {
		for _, msg := range srv.Messages(42) {
			if link = regexp.MustCompile(`http://\S+/login/[A-Za-z0-9_-]+`).FindString(msg.Text); link != "" {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no sign-in link; logs:\n%s", logs.String())
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Post(link, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "convene" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatalf("sign-in: %d, no session cookie", resp.StatusCode)
	}

	sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
	defer scancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", "http://"+addr+"/m/chi-bo-01/events", nil)
	req.AddCookie(cookie)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- d
			}
		}
		close(events)
	}()
	linked := regexp.MustCompile(`"total":\{[^}]*"linked":(\d+)`)
	first := linked.FindStringSubmatch(<-events)
	if first == nil {
		t.Fatal("first event has no linked count")
	}

	out, _, _ := run(t, env, "links", "--meeting", "chi-bo-01", "--format", "csv")
	token := regexp.MustCompile(`Lê Thị Thu Hà,[^\n]*?,'?([A-Za-z0-9_-]{22,64}),`).FindStringSubmatch(out)
	if token == nil {
		t.Fatalf("no token for Hà: %s", out)
	}
	srv.NewUser(77, "Hà", "", "", "vi").Send("/start " + token[1])
	if !srv.WaitFor(5*time.Second, func() bool { return len(srv.Messages(77)) >= 1 }) {
		t.Fatal("no reply to /start")
	}
	start := time.Now()
	timeout := time.After(time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("event stream ended")
			}
			if got := linked.FindStringSubmatch(ev); got != nil && got[1] != first[1] {
				t.Logf("linked %s → %s, %v after the reply", first[1], got[1], time.Since(start))
				return
			}
		case <-timeout:
			t.Fatalf("linked count still %s 1 s after the link", first[1])
		}
	}
}
