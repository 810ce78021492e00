package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegramtest"
)

// healthOf reads /healthz.
func healthOf(t *testing.T, addr string) (int, map[string]string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var status map[string]string
	if err := json.Unmarshal(body, &status); err != nil {
		t.Fatalf("healthz body %q: %v", body, err)
	}
	return resp.StatusCode, status
}

// startServe runs serve with env until the test ends; it returns its log
// and a channel that yields serve's result if it stops early.
func startServe(t *testing.T, env map[string]string) (*syncBuffer, chan error) {
	t.Helper()
	m := NewMain()
	var logs syncBuffer
	m.Stdout, m.Stderr, m.Getenv = io.Discard, &logs, func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("serve did not stop")
		}
		m.Close()
	})
	return &logs, done
}

// TestServeWhileTelegramUnreachable starts serve while Telegram cuts every
// connection: serve stays up, /healthz answers 503 with the reason, and once
// Telegram answers the bot becomes ready (menus set, username stored) and
// /healthz answers 200. The token is in no log line.
func TestServeWhileTelegramUnreachable(t *testing.T) {
	first := bot.StartBackoffFirst
	bot.StartBackoffFirst = 100 * time.Millisecond
	t.Cleanup(func() { bot.StartBackoffFirst = first })
	env := seeded(t)
	srv := telegramtest.NewServer(telegramtest.Options{Token: "424242:AAF-secret-part", Username: "convene_late_bot"})
	t.Cleanup(srv.Close) // after serve stops: cleanups run last first
	var down atomic.Bool
	down.Store(true)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	addr := freeAddr(t)
	env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_URL"], env["CONVENE_HTTP"] = srv.Token(), proxy.URL, addr
	logs, done := startServe(t, env)

	var code int
	var status map[string]string
	deadline := time.Now().Add(10 * time.Second)
	for code == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		code, status = healthOf(t, addr)
	}
	if code != http.StatusServiceUnavailable || status["status"] != "degraded" ||
		status["telegram"] != "starting: telegram unreachable (retrying)" || status["database"] != "ok" {
		t.Fatalf("healthz while unreachable: %d %v\n%s", code, status, logs.String())
	}
	time.Sleep(500 * time.Millisecond) // a few retries
	select {
	case err := <-done:
		t.Fatalf("serve stopped while Telegram was unreachable: %v\n%s", err, logs.String())
	default:
	}

	down.Store(false)
	deadline = time.Now().Add(10 * time.Second)
	for code != http.StatusOK && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		code, status = healthOf(t, addr)
	}
	if code != http.StatusOK || status["telegram"] != "ok" || status["status"] != "ok" {
		t.Fatalf("healthz once reachable: %d %v\n%s", code, status, logs.String())
	}
	if !srv.WaitFor(5*time.Second, func() bool { return len(srv.Commands("vi")) > 0 }) {
		t.Fatalf("menus not set once ready:\n%s", logs.String())
	}
	if out, _, _ := run(t, env, "links", "--meeting", "chi-bo-01"); !strings.Contains(out, "https://t.me/convene_late_bot?start=") {
		t.Fatalf("username not stored once ready: %.200s", out)
	}
	t.Run("ResetSendLeavesNoTokenInDatabaseOrBackup", func(t *testing.T) {
		u := srv.NewUser(77, "Hà", "", "", "vi")
		out, _, _ := run(t, env, "links", "--meeting", "chi-bo-01", "--format", "csv")
		token := regexp.MustCompile(`Lê Thị Thu Hà,[^\n]*?,'?([A-Za-z0-9_-]{22,64}),`).FindStringSubmatch(out)
		if token == nil {
			t.Fatalf("no token for Hà in %q", out)
		}
		u.Send("/start " + token[1])
		if !srv.WaitFor(5*time.Second, func() bool { return len(srv.Messages(77)) >= 1 }) {
			t.Fatal("no reply to /start")
		}
		srv.ResetNext("sendMessage", 1)
		if _, stderr, code := run(t, env, "invite", "--meeting", "chi-bo-01"); code != 0 {
			t.Fatal(stderr)
		}
		if !srv.WaitFor(15*time.Second, func() bool {
			for _, m := range srv.Messages(77) {
				if strings.Contains(m.Text, "GIẤY MỜI") {
					return true
				}
			}
			return false
		}) {
			t.Fatalf("the invitation was not sent after the reset:\n%s", logs.String())
		}
		if srv.Stats().Failures == 0 {
			t.Fatal("no send was cut")
		}
		backup := filepath.Join(t.TempDir(), "backup.db")
		if _, stderr, code := run(t, env, "backup", backup); code != 0 {
			t.Fatal(stderr)
		}
		for _, f := range []string{env["CONVENE_DB"], env["CONVENE_DB"] + "-wal", backup} {
			data, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte("AAF-secret-part")) {
				t.Fatalf("the token is in %s", f)
			}
		}
	})
	if !strings.Contains(logs.String(), "telegram not ready") {
		t.Fatalf("the outage was not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "AAF-secret-part") {
		t.Fatalf("the token is in the log:\n%s", logs.String())
	}
}

// TestServeWithRefusedToken: a 401 at start keeps serve up, reports
// unauthorized on /healthz and logs the refusal once, without the token.
func TestServeWithRefusedToken(t *testing.T) {
	env := seeded(t)
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close) // after serve stops: cleanups run last first
	addr := freeAddr(t)
	env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_URL"], env["CONVENE_HTTP"] = "111:refused-secret", srv.URL, addr
	logs, done := startServe(t, env)
	var code int
	var status map[string]string
	deadline := time.Now().Add(10 * time.Second)
	for code == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		code, status = healthOf(t, addr)
	}
	if code != http.StatusServiceUnavailable || status["telegram"] != "unauthorized: the bot token was refused" {
		t.Fatalf("healthz: %d %v\n%s", code, status, logs.String())
	}
	time.Sleep(time.Second)
	select {
	case err := <-done:
		t.Fatalf("serve stopped on a refused token: %v\n%s", err, logs.String())
	default:
	}
	if n := strings.Count(logs.String(), `msg="telegram bot token refused`); n != 1 {
		t.Fatalf("refusal logged %d times:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "refused-secret") {
		t.Fatalf("the token is in the log:\n%s", logs.String())
	}
}

// TestUsageHidesSecrets: the usage text shows flag defaults, which the
// environment sets; the tokens and the webhook secret are not among them.
func TestUsageHidesSecrets(t *testing.T) {
	env := map[string]string{"CONVENE_DB": filepath.Join(t.TempDir(), "c.db"), "TELEGRAM_BOT_TOKEN": "5:tg-secret-part",
		"ZALO_BOT_TOKEN": "6:zalo-secret-part", "CONVENE_WEBHOOK_SECRET": "hook-secret-part", "CONVENE_LANG": "en"}
	stdout, _, code := run(t, env, "serve", "-h")
	if code != 0 || !strings.Contains(stdout, "telegram-token") || !strings.Contains(stdout, "(default en)") {
		t.Fatalf("exit %d, usage %q", code, stdout)
	}
	for _, secret := range []string{"tg-secret-part", "zalo-secret-part", "hook-secret-part"} {
		if strings.Contains(stdout, secret) {
			t.Fatalf("usage shows %s:\n%s", secret, stdout)
		}
	}
}

// TestHealthWhileSendsFail has Telegram answer every send with 502 while
// serve has messages to send: the dispatcher's circuit breaker opens and
// /healthz says so (503, "sends paused: breaker open"); once Telegram
// answers again, the breaker closes and /healthz answers 200.
func TestHealthWhileSendsFail(t *testing.T) {
	env := seeded(t)
	srv := telegramtest.NewServer(telegramtest.Options{Username: "hop_bot"})
	defer srv.Close()
	addr := freeAddr(t)
	env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_URL"], env["CONVENE_HTTP"] = srv.Token(), srv.URL, addr
	logs, _ := startServe(t, env)
	if !srv.WaitFor(5*time.Second, func() bool { code, _ := healthOf(t, addr); return code == 200 }) {
		t.Fatalf("serve not healthy; logs:\n%s", logs.String())
	}
	srv.FailFor(time.Minute, 502)
	for i := 0; i < 8; i++ {
		srv.NewUser(int64(77+i), "Hà", "", "", "vi").Send("/help")
	}
	var status map[string]string
	if !srv.WaitFor(20*time.Second, func() bool {
		var code int
		code, status = healthOf(t, addr)
		return code == 503 && status["telegram"] == "sends paused: breaker open"
	}) {
		t.Fatalf("healthz while every send fails: %v", status)
	}
	srv.FailFor(0, 0)
	if !srv.WaitFor(90*time.Second, func() bool { code, _ := healthOf(t, addr); return code == 200 }) {
		t.Fatalf("healthz after Telegram recovered: %v", status)
	}
	if !srv.WaitFor(60*time.Second, func() bool {
		for i := 0; i < 8; i++ {
			if len(srv.Messages(int64(77+i))) == 0 {
				return false
			}
		}
		return true
	}) {
		t.Fatal("the replies were not all sent after recovery")
	}
}
