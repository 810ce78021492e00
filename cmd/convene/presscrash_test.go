package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/bot/zalotest"
	"github.com/convene/convene/storage"
)

// buildBinary builds convene as CI would (CGO_ENABLED=0) into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "convene")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// TestCrashDuringPressesLosesNone runs serve as a child process while
// delegates press Attend on their invitations all at once, kills it with
// SIGKILL twice and stops it with SIGTERM once (which must take under 2 s)
// in the middle of the rush, restarts it each time, and checks that every
// press was recorded and every invitation edited to show it — with long
// polling and with webhooks, against a fake Telegram with Telegram's limits
// on.
func TestCrashDuringPressesLosesNone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := buildBinary(t, t.TempDir())
	for _, mode := range []string{"Polling", "Webhook"} {
		t.Run(mode, func(t *testing.T) { pressCrash(t, bin, mode == "Webhook") })
	}
}

func pressCrash(t *testing.T, bin string, webhook bool) {
	const n = 60
	env := map[string]string{"CONVENE_DB": filepath.Join(t.TempDir(), "c.db")}
	day := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
	planFile := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(planFile, []byte(fmt.Sprintf(`organization: Đảng ủy Sở Giáo dục và Đào tạo
meetings:
  - code: chi-bo-01
    title: Hội nghị sinh hoạt chi bộ thường kỳ mẫu
    starts_at: %sT08:00
    ends_at: %sT11:30
    categories:
      - code: dang-vien
        name: Đảng viên chi bộ
`, day, day)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, e, code := run(t, env, "plan", "apply", planFile); code != 0 {
		t.Fatalf("plan apply: %s", e)
	}
	srv := telegramtest.NewServer(telegramtest.Options{Username: "hop_bot", Limits: telegramtest.Limits{PerSecond: 30, PerChat: 1, PerGroupMinute: 20}})
	defer srv.Close()
	db := storage.NewDB(env["CONVENE_DB"])
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// n delegates, linked to their Telegram accounts, invited.
	var csv strings.Builder
	csv.WriteString("full_name,category,phone\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&csv, "Đại biểu Số %d,dang-vien,09%08d\n", i, 10000000+i)
	}
	roster := filepath.Join(t.TempDir(), "rush.csv")
	if err := os.WriteFile(roster, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, e, code := run(t, env, "roster", "import", "--meeting", "chi-bo-01", roster); code != 0 {
		t.Fatalf("roster import: %s", e)
	}
	people := storage.NewPersonService(db)
	users := make([]*telegramtest.User, n)
	for i := range users {
		id := int64(7000 + i)
		users[i] = srv.NewUser(id, fmt.Sprint("Số ", i), "", "", "vi")
		users[i].Send("xin chào")
		p, err := people.FindPersonByPhone(ctx, fmt.Sprintf("+849%08d", 10000000+i))
		if err != nil {
			t.Fatal(err)
		}
		a, err := people.TouchAccount(ctx, &convene.Account{Channel: "telegram", UserID: fmt.Sprint(id), ChatID: fmt.Sprint(id)})
		if err != nil {
			t.Fatal(err)
		}
		if err := people.LinkAccount(ctx, a.ID, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, e, code := run(t, env, "invite", "--meeting", "chi-bo-01"); code != 0 {
		t.Fatalf("invite: %s", e)
	}
	addr := freeAddr(t)
	start := func() *exec.Cmd {
		args := []string{"serve", "--db", env["CONVENE_DB"], "--telegram-token", srv.Token(), "--telegram-api", srv.URL, "--log-level", logLevel()}
		if webhook {
			args = append(args, "--http", addr, "--public-url", "https://bot.example.org/", "--webhook-secret", "w-secret-123")
		}
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	if webhook {
		srv.DeliverWebhooks("http://" + addr + "/webhook/telegram")
	}
	invitation := func(u *telegramtest.User) *telegramtest.Message {
		for _, m := range srv.Messages(u.ID) {
			for _, row := range m.Buttons {
				for _, b := range row {
					if strings.HasPrefix(b.Data, "rsvp:") && strings.HasSuffix(b.Data, ":a") {
						return &m
					}
				}
			}
		}
		return nil
	}
	cmd := start()
	if !srv.WaitFor(60*time.Second, func() bool {
		for _, u := range users {
			if invitation(u) == nil {
				return false
			}
		}
		return true
	}) {
		t.Fatal("invitations not delivered")
	}
	before := map[int64]string{}
	for _, u := range users {
		m := invitation(u)
		before[u.ID] = m.Text
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.HasSuffix(b.Data, ":a") {
					u.Press(m.ID, b.Data)
				}
			}
		}
	}
	for k, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM, syscall.SIGKILL} {
		time.Sleep(time.Duration(150+rand.IntN(400)) * time.Millisecond)
		stopped := time.Now()
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if d := time.Since(stopped); sig == syscall.SIGTERM && d > 2*time.Second {
			t.Errorf("shutdown on SIGTERM took %s, want under 2 s", d)
		}
		t.Logf("%s %d: %d of %d presses recorded", sig, k+1, attending(t, db), n)
		cmd = start()
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	edited := func() int {
		k := 0
		for _, u := range users {
			if m := invitation(u); m != nil && m.Text != before[u.ID] && m.Edits > 0 {
				k++
			}
		}
		return k
	}
	if !srv.WaitFor(90*time.Second, func() bool { return attending(t, db) == n && edited() == n }) {
		t.Fatalf("after the kills: %d of %d presses recorded, %d of %d invitations edited", attending(t, db), n, edited(), n)
	}
	st := srv.Stats()
	t.Logf("all %d presses recorded and shown; 429s from the fake: %d, webhook posts sent again: %d", n, st.TooMany, st.WebhookRetries)
}

// attending counts the rush's delegates whose answer is attending.
func attending(t *testing.T, db *storage.DB) int {
	t.Helper()
	invs, _, err := storage.NewInvitationService(db).FindInvitees(context.Background(), convene.InvitationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for _, inv := range invs {
		if strings.HasPrefix(inv.Person.FullName, "Đại biểu Số ") && inv.RSVP == convene.RSVPAttending {
			k++
		}
	}
	return k
}

// logLevel is the child serve's log level: error, or CONVENE_TEST_LOG.
func logLevel() string {
	if l := os.Getenv("CONVENE_TEST_LOG"); l != "" {
		return l
	}
	return "error"
}

// TestCrashZaloLosesAtMostInFlight runs serve on Zalo as a child process
// while delegates write, kills it with SIGKILL three times, and checks that
// every message but at most one per kill (the one Zalo handed over and
// forgot while it was being stored: Zalo's getUpdates has no offset to
// confirm with) was answered.
func TestCrashZaloLosesAtMostInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := buildBinary(t, t.TempDir())
	zsrv := zalotest.NewServer(zalotest.Options{MaxPollWait: 300 * time.Millisecond})
	defer zsrv.Close()
	db := filepath.Join(t.TempDir(), "z.db")
	const n, kills = 120, 3
	users := make([]*zalotest.User, n)
	for i := range users {
		users[i] = zsrv.NewUser(fmt.Sprintf("z%03d", i), fmt.Sprint("Người ", i))
	}
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--db", db, "--zalo-token", zsrv.Token(), "--zalo-api", zsrv.URL, "--log-level", logLevel())
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	cmd := start()
	go func() {
		for _, u := range users {
			u.Send("/help")
			time.Sleep(5 * time.Millisecond)
		}
	}()
	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(100+rand.IntN(200)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		cmd = start()
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	answered := func() int {
		k := 0
		for _, u := range users {
			if len(zsrv.Messages(u.ID)) > 0 {
				k++
			}
		}
		return k
	}
	zsrv.WaitFor(60*time.Second, func() bool { return answered() == n })
	// Give the last ones time; then count.
	zsrv.WaitFor(3*time.Second, func() bool { return false })
	got := answered()
	t.Logf("%d of %d answered after %d kills", got, n, kills)
	if n-got > kills {
		t.Fatalf("%d messages lost in %d kills: more than the one in flight per kill", n-got, kills)
	}
}
