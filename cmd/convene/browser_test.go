package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/convene/convene/bot/telegramtest"
)

// browserEnv names the variable that makes TestBrowser required: the
// README's test command (./test) sets it after installing Chromium.
const browserEnv = "CONVENE_BROWSER_TEST"

func chromiumPath() string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives the web desk in headless Chromium against a running
// serve and the fake Telegram: sign in by the link /web sent in chat, see
// the attending count change when a delegate presses Attend, mark someone
// present at the desk and see it in a second tab, download the report PDF;
// switch the venue screen to rotating codes: one scanned in time checks in,
// one older than its validity is refused.
// Screenshots go to .artifacts/browser (ignored by git).
func TestBrowser(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		if os.Getenv(browserEnv) != "" {
			t.Fatal("Chromium is missing and " + browserEnv + " is set: install it (apt-get install -y chromium) or run ./test")
		}
		t.Skip("Chromium not installed: run ./test, which installs it and runs this test")
	}
	env := seeded(t)
	srv := telegramtest.NewServer(telegramtest.Options{Username: "convene_hop_bot"})
	defer srv.Close()
	addr := freeAddr(t)
	env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_URL"], env["CONVENE_HTTP"], env["CONVENE_ADMINS"] = srv.Token(), srv.URL, addr, "telegram:42"
	m := NewMain()
	// Three days before the meeting, the clock running on; a subtest may
	// move it on by shift.
	base, began := time.Date(2024, 3, 25, 2, 0, 0, 0, time.UTC), time.Now()
	var shift atomic.Int64
	m.Now = func() time.Time { return base.Add(time.Since(began) + time.Duration(shift.Load())) }
	var logs syncBuffer
	m.Stdout, m.Stderr, m.Getenv = io.Discard, &logs, func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	defer func() { cancel(); <-done; m.Close() }()
	if !srv.WaitFor(5*time.Second, func() bool { return len(srv.Commands("vi")) > 0 }) {
		t.Fatalf("serve did not start; logs:\n%s", logs.String())
	}
	wait := func(chat int64, what string, re *regexp.Regexp) telegramtest.Message {
		t.Helper()
		var got telegramtest.Message
		if !srv.WaitFor(5*time.Second, func() bool {
			for _, msg := range srv.Messages(chat) {
				if re.MatchString(msg.Text) {
					got = msg
					return true
				}
			}
			return false
		}) {
			t.Fatalf("no %s in chat %d; logs:\n%s", what, chat, logs.String())
		}
		return got
	}

	// The delegate links her account and gets the invitation.
	ha := srv.NewUser(77, "Hà", "", "", "vi")
	out, stderr, _ := run(t, env, "links", "--meeting", "chi-bo-01", "--format", "csv")
	token := regexp.MustCompile(`Lê Thị Thu Hà,[^\n]*?,'?([A-Za-z0-9_-]{22,64}),`).FindStringSubmatch(out)
	if token == nil {
		t.Fatalf("no token for Hà: %s %s", out, stderr)
	}
	ha.Send("/start " + token[1])
	if !srv.WaitFor(5*time.Second, func() bool { return len(srv.Messages(77)) >= 1 }) {
		t.Fatal("no reply to /start")
	}
	cli := NewMain()
	cli.Now, cli.Stdout, cli.Stderr, cli.Stdin = m.Now, io.Discard, io.Discard, strings.NewReader("")
	cli.Getenv = func(k string) string { return env[k] }
	if err := cli.Run(ctx, []string{"invite", "--meeting", "chi-bo-01"}); err != nil {
		t.Fatal(err)
	}
	cli.Close()
	invitation := wait(77, "invitation", regexp.MustCompile("GIẤY MỜI"))

	// The admin asks for a sign-in link.
	admin := srv.NewUser(42, "Văn phòng", "", "", "vi")
	admin.Send("/web")
	link := regexp.MustCompile(`http://\S+/login/[A-Za-z0-9_-]+`).FindString(wait(42, "sign-in link", regexp.MustCompile("/login/")).Text)

	shots := repo(".artifacts", "browser")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	// Chromium's helper processes may still write its profile for a moment
	// after the browser is gone: remove it patiently, not with t.TempDir's
	// single try.
	profile, err := os.MkdirTemp("", "convene-browser-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; os.RemoveAll(profile) != nil && i < 50; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	tab1, cancel1 := chromedp.NewContext(actx)
	defer cancel1()
	tab1, cancelT := context.WithTimeout(tab1, 40*time.Second)
	defer cancelT()
	shot := func(t *testing.T, tab context.Context, name string) {
		var buf []byte
		if err := chromedp.Run(tab, chromedp.FullScreenshot(&buf, 100)); err != nil {
			t.Logf("screenshot %s: %v", name, err)
			return
		}
		_ = os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
	}
	poll := func(t *testing.T, tab context.Context, what, expr string) {
		t.Helper()
		var ok bool
		if err := chromedp.Run(tab, chromedp.Poll(expr, &ok, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(3*time.Second))); err != nil || !ok {
			shot(t, tab, "failed")
			t.Fatalf("%s: %v", what, err)
		}
	}
	web := "http://" + addr

	t.Run("SignInByChatLink", func(t *testing.T) {
		if err := chromedp.Run(tab1, chromedp.Navigate(link)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Run(tab1, chromedp.Click("#login", chromedp.ByID)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Run(tab1, chromedp.WaitVisible(".meetings", chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		shot(t, tab1, "1-meetings")
	})

	t.Run("CountChangesWhenDelegateAttends", func(t *testing.T) {
		var before string
		if err := chromedp.Run(tab1, chromedp.Navigate(web+"/m/chi-bo-01"),
			chromedp.Text(`[data-c="total.attending"]`, &before, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // the event stream is open
		ha.Press(invitation.ID, invitation.Buttons[0][0].Data)
		poll(t, tab1, "attending count", fmt.Sprintf(`document.querySelector('[data-c="total.attending"]').textContent !== %q`, before))
		shot(t, tab1, "2-meeting")
	})

	t.Run("DeskMarkSeenInSecondTab", func(t *testing.T) {
		tab2, cancel2 := chromedp.NewContext(tab1)
		defer cancel2()
		desk := web + "/m/chi-bo-01/desk?q=thu+ha"
		if err := chromedp.Run(tab2, chromedp.Navigate(desk), chromedp.WaitVisible(".desk-rows", chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Run(tab1, chromedp.Navigate(desk)); err != nil {
			t.Fatal(err)
		}

		time.Sleep(300 * time.Millisecond)
		// A script click: tab1 is in the background now, where mouse input waits.
		if err := chromedp.Run(tab1, chromedp.Evaluate(`document.querySelector('button.present').click()`, nil)); err != nil {
			t.Fatal(err)
		}
		poll(t, tab1, "marked in this tab", `document.querySelector('.desk-rows li.in') !== null`)
		poll(t, tab2, "mark seen in the second tab", `document.querySelector('.desk-rows li.in') !== null && document.querySelector('[data-c="here"]').textContent === "1"`)
		shot(t, tab2, "3-desk-second-tab")
	})

	t.Run("DownloadPDFs", func(t *testing.T) {
		for _, f := range []string{"report.pdf", "letters.pdf"} {
			var got string
			err := chromedp.Run(tab1, chromedp.Evaluate(`fetch('/m/chi-bo-01/files/`+f+`').then(r => r.arrayBuffer().then(b =>
				r.status + ' ' + r.headers.get('content-type') + ' ' + String.fromCharCode(...new Uint8Array(b.slice(0, 5)))))`, &got,
				func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
			if err != nil || got != "200 application/pdf %PDF-" {
				t.Errorf("%s: %q %v", f, got, err)
			}
		}
	})

	t.Run("RotatingCodeInTimeChecksInOlderRefused", func(t *testing.T) {
		bao := srv.NewUser(78, "Bảo", "", "", "vi")
		tok := regexp.MustCompile(`Phạm Quốc Bảo,[^\n]*?,'?([A-Za-z0-9_-]{22,64}),`).FindStringSubmatch(out)
		if tok == nil {
			t.Fatalf("no token for Bảo: %s", out)
		}
		bao.Send("/start " + tok[1])
		wait(78, "link reply", regexp.MustCompile("Phạm Quốc Bảo"))
		// The organizer chooses rotating codes on the meeting page.
		if err := chromedp.Run(tab1, chromedp.Navigate(web+"/m/chi-bo-01"),
			chromedp.Click(`#checkin-mode input[value="rotating"]`, chromedp.ByQuery),
			chromedp.Submit(`#checkin-mode`, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		// The page navigates (POST, then the redirect back): ask until it has.
		saved := false
		for end := time.Now().Add(5 * time.Second); !saved && time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			_ = chromedp.Run(tab1, chromedp.Evaluate(`location.hash === "#files" && document.readyState === "complete" &&
				document.querySelector('#checkin-mode input[value="rotating"]').checked`, &saved))
		}
		if !saved {
			shot(t, tab1, "failed")
			t.Fatal("the rotating mode was not saved")
		}
		// The meeting's morning, 07:50, check-in open: the 12-hour session
		// has expired, so the admin signs in again.
		shift.Store(int64(time.Date(2024, 3, 28, 0, 50, 0, 0, time.UTC).Sub(m.Now())))
		before := len(srv.Messages(42))
		admin.Send("/web")
		if !srv.WaitFor(5*time.Second, func() bool { return len(srv.Messages(42)) > before }) {
			t.Fatal("no second sign-in link")
		}
		msgs := srv.Messages(42)
		relink := regexp.MustCompile(`http://\S+/login/[A-Za-z0-9_-]+`).FindString(msgs[len(msgs)-1].Text)
		if err := chromedp.Run(tab1, chromedp.Navigate(relink), chromedp.Click("#login", chromedp.ByID),
			chromedp.WaitVisible(".meetings", chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Run(tab1, chromedp.Navigate(web+"/m/chi-bo-01/venue"),
			chromedp.WaitVisible(`#venue-qr[data-mode="rotating"]`, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		shot(t, tab1, "4-venue-rotating")
		code := func() string {
			t.Helper()
			var link string
			err := chromedp.Run(tab1, chromedp.Evaluate(`fetch('/m/chi-bo-01/venue/code').then(r => r.json()).then(c => c.link)`, &link,
				func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
			if err != nil || !strings.Contains(link, "start=ci-") {
				t.Fatalf("venue code %q: %v", link, err)
			}
			return link[strings.Index(link, "start=")+6:]
		}
		old := code()
		shift.Add(int64(95 * time.Second)) // older than its 90 s
		bao.Send("/start " + old)
		wait(78, "refusal of an old code", regexp.MustCompile("Mã điểm danh đã hết hạn"))
		fresh := code()
		if fresh == old {
			t.Fatal("the code did not rotate")
		}
		bao.Send("/start " + fresh)
		wait(78, "check-in", regexp.MustCompile("Đã điểm danh: đồng chí Phạm Quốc Bảo"))
		poll(t, tab1, "venue count", `document.querySelector('[data-c="here"]').textContent === "2"`)
		shot(t, tab1, "5-venue-checked-in")
	})
}
