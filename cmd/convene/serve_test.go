package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/bot/telegramtest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer is a goroutine-safe buffer for a running Main's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServe(t *testing.T) {
	env := seeded(t)
	srv := telegramtest.NewServer(telegramtest.Options{Username: "convene_hop_bot"})
	defer srv.Close()
	addr := freeAddr(t)
	env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_URL"], env["CONVENE_HTTP"], env["CONVENE_ADMINS"] = srv.Token(), srv.URL, addr, "telegram:42"
	m := NewMain()
	var logs syncBuffer
	m.Stdout, m.Stderr, m.Getenv = io.Discard, &logs, func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	defer func() { cancel(); <-done; m.Close() }()

	if !srv.WaitFor(5*time.Second, func() bool {
		return len(srv.Commands("vi")) > 0 && len(srv.Commands("en")) > 0 && len(srv.Commands("")) > 0
	}) {
		t.Fatalf("command menus not registered; logs:\n%s", logs.String())
	}
	if cmds := srv.Commands("vi"); cmds[0].Command != "start" || !strings.Contains(cmds[0].Description, "liên kết") {
		t.Fatalf("vi menu %+v", cmds)
	}

	t.Run("SecondServeRefused", func(t *testing.T) {
		_, stderr, code := run(t, env, "serve")
		if code != 1 || !strings.Contains(stderr, "another convene serve") || !strings.Contains(stderr, "stop it first") {
			t.Fatalf("a second serve on the same database: exit %d, %q", code, stderr)
		}
		if strings.Contains(stderr, srv.Token()) {
			t.Fatal("the token is in the error")
		}
	})

	t.Run("LinksUseUsernameFromGetMe", func(t *testing.T) {
		out, _, _ := run(t, env, "links", "--meeting", "chi-bo-01")
		if !strings.Contains(out, "https://t.me/convene_hop_bot?start=") {
			t.Fatalf("links %q", out[:200])
		}
	})

	t.Run("CLIQueuedInvitationSentWithinASecond", func(t *testing.T) {
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
		if _, stderr, code := run(t, env, "invite", "--meeting", "chi-bo-01"); code != 0 {
			t.Fatal(stderr)
		}
		start := time.Now()
		if !srv.WaitFor(5*time.Second, func() bool {
			for _, m := range srv.Messages(77) {
				if strings.Contains(m.Text, "GIẤY MỜI") {
					return true
				}
			}
			return false
		}) {
			t.Fatal("the invitation queued by the CLI was not sent")
		}
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Fatalf("picked up after %s", d)
		}
	})

	t.Run("HealthzAndMetrics", func(t *testing.T) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		hb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(hb), `"database":"ok"`) || !strings.Contains(string(hb), `"telegram":"ok"`) {
			t.Fatalf("healthz %d %s", resp.StatusCode, hb)
		}
		// The fake shows a message before the bot records it sent: poll briefly.
		var body []byte
		srv.WaitFor(3*time.Second, func() bool {
			resp, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				return false
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			return regexp.MustCompile(`convene_messages_sent_total\{channel="telegram"\} [1-9]`).Match(body)
		})
		for _, want := range []string{"convene_messages_sent_total", "convene_messages_failed_total", "convene_messages_unreachable_total",
			"convene_rate_limited_total{channel=\"telegram\"} 0", "convene_outbox_queue_depth"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if !regexp.MustCompile(`convene_messages_sent_total\{channel="telegram"\} [1-9]`).Match(body) {
			t.Errorf("sent counter not counting:\n%s", grep(string(body), "convene_"))
		}
	})

	t.Run("ShutdownUnderFiveSeconds", func(t *testing.T) {
		time.Sleep(200 * time.Millisecond) // inside a long poll
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			done <- nil
		case <-time.After(5 * time.Second):
			t.Fatal("serve did not stop within 5 s")
		}
		t.Logf("stopped in %s", time.Since(start))
	})
}

func grep(s, sub string) string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.Contains(sc.Text(), sub) {
			out = append(out, sc.Text())
		}
	}
	return strings.Join(out, "\n")
}

// trySession is `convene try` run in the test, read and typed into as a
// person would in the terminal.
type trySession struct {
	t    *testing.T
	out  syncBuffer
	pw   *io.PipeWriter
	done chan error
}

// startTry starts `convene try` and waits for its banner.
func startTry(t *testing.T) *trySession {
	t.Helper()
	s := &trySession{t: t, done: make(chan error, 1)}
	m := NewMain()
	pr, pw := io.Pipe()
	s.pw = pw
	m.Stdin, m.Stdout, m.Stderr = pr, &s.out, io.Discard
	m.Getenv = func(k string) string {
		return map[string]string{"CONVENE_LOG_LEVEL": "error", "CONVENE_DB": filepath.Join(t.TempDir(), "unused.db")}[k]
	}
	go func() { s.done <- m.Run(context.Background(), []string{"try"}); m.Close() }()
	s.waitFor("Ctrl+D")
	return s
}

// waitFor waits until the output holds text.
func (s *trySession) waitFor(text string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.out.String(), text) {
		if time.Now().After(deadline) {
			s.t.Fatalf("never printed %q; output:\n%s", text, s.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// say types line.
func (s *trySession) say(line string) { fmt.Fprintln(s.pw, line) }

// code returns the personal code the banner prints, in its groups.
func (s *trySession) code() string {
	s.t.Helper()
	code := regexp.MustCompile(`\n  ([A-Za-z0-9_ -]{22,64})\n`).FindStringSubmatch(s.out.String())
	if code == nil {
		s.t.Fatalf("no personal code in the banner:\n%s", s.out.String())
	}
	return code[1]
}

// end closes the input and waits for try to end.
func (s *trySession) end() {
	s.t.Helper()
	s.pw.Close()
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		s.t.Fatal("try did not end at end of input")
	}
}

func TestTry(t *testing.T) {
	s := startTry(t)
	s.say(strings.ToLower(s.code())) // typed by hand, as printed in groups
	s.waitFor("Đã liên kết thành công")
	s.waitFor("1. ✅ Tham dự")
	s.waitFor("Thời gian: 08:00, ") // the example keeps its time of day
	s.say("1")
	s.waitFor("Đã ghi nhận đồng chí tham dự")
	s.say("/as organizer")
	s.waitFor("Vai hiện tại: cán bộ Văn phòng Đảng ủy")
	s.say("/status chi-bo-01")
	s.waitFor("Tổng: mời 26 · đã kết nối 1 · tham dự 1")
	s.end()
}

func TestTryShiftKeepsTimeOfDay(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	start := time.Date(2024, 3, 28, 8, 0, 0, 0, loc)
	for _, now := range []time.Time{
		time.Date(2025, 6, 1, 0, 30, 0, 0, loc),
		time.Date(2025, 6, 1, 23, 59, 0, 0, loc),
		time.Date(2025, 6, 1, 20, 0, 0, 0, time.UTC), // already 2 June in Hanoi
	} {
		got := start.Add(tryShift(now, start, loc)).In(loc)
		want := now.In(loc).AddDate(0, 0, 3)
		if got.Hour() != 8 || got.Minute() != 0 || got.Day() != want.Day() {
			t.Errorf("now %v: moved to %v, want 08:00 on day %d", now, got, want.Day())
		}
	}
}
