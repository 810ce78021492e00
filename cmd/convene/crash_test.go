package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/storage"
)

// TestCrashLosesNothing builds the binary, runs serve as a child process,
// kills it with SIGKILL at random points of a batch several times, restarts
// it, and checks that every message was delivered with duplicates bounded by
// the sends in flight at each kill.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "convene")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	srv.SetLatency(3 * time.Millisecond)
	dbPath := filepath.Join(dir, "crash.db")
	db := storage.NewDB(dbPath)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const users, count, inFlight = 50, 600, 16
	people := storage.NewPersonService(db)
	var msgs []*convene.OutboxMessage
	var accs []*convene.Account
	for i := 0; i < users; i++ {
		id := int64(5000 + i)
		srv.NewUser(id, "U", "", "", "").Send("hi")
		a, err := people.TouchAccount(context.Background(), &convene.Account{Channel: "telegram", UserID: fmt.Sprint(id), ChatID: fmt.Sprint(id)})
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, a)
	}
	for i := 0; i < count; i++ {
		a := accs[i%users]
		msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: "telegram", ChatID: a.ChatID, Key: fmt.Sprint("crash:", i),
			Batch: "crash", Content: convene.Content{Text: fmt.Sprint("crash ", i)}})
	}
	if _, err := storage.NewOutboxService(db).Enqueue(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--db", dbPath, "--telegram-token", srv.Token(), "--telegram-api", srv.URL, "--send-rate", "200", "--log-level", "error")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	delivered := func() (distinct, total int) {
		seen := map[string]bool{}
		for i := 0; i < users; i++ {
			for _, m := range srv.Messages(int64(5000 + i)) {
				if len(m.Text) > 6 && m.Text[:6] == "crash " {
					total++
					seen[m.Text] = true
				}
			}
		}
		return len(seen), total
	}
	const kills = 4
	for k := 0; k < kills; k++ {
		cmd := start()
		time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		d, _ := delivered()
		t.Logf("kill %d: %d of %d delivered", k+1, d, count)
	}
	cmd := start()
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	if !srv.WaitFor(60*time.Second, func() bool { d, _ := delivered(); return d == count }) {
		d, _ := delivered()
		t.Fatalf("%d of %d delivered after the restarts", d, count)
	}
	d, total := delivered()
	dups := total - d
	t.Logf("%d messages delivered, %d duplicates after %d kills (bound %d)", d, dups, kills, kills*inFlight)
	if dups > kills*inFlight {
		t.Fatalf("%d duplicates exceed the bound %d", dups, kills*inFlight)
	}
	st, _ := storage.NewOutboxService(db).BatchStats(context.Background(), "crash")
	if !srv.WaitFor(5*time.Second, func() bool {
		st, _ = storage.NewOutboxService(db).BatchStats(context.Background(), "crash")
		return st.Sent == count
	}) {
		t.Fatalf("outbox %+v", st)
	}
}
