package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/storage"
)

// dispatchEnv is a dispatcher on a real database sending through the real
// client to telegramtest, with n users who wrote to the bot.
type dispatchEnv struct {
	srv    *telegramtest.Server
	db     *storage.DB
	bot    *bot.Bot
	outbox *storage.OutboxService
	accs   []*convene.Account
	cancel func()
	done   chan struct{}
}

func newDispatchEnv(tb testing.TB, n int, limits telegramtest.Limits, cfg bot.DispatchConfig) *dispatchEnv {
	tb.Helper()
	e := &dispatchEnv{srv: telegramtest.NewServer(telegramtest.Options{Limits: limits})}
	tb.Cleanup(e.srv.Close)
	e.db = storage.NewDB(filepath.Join(tb.TempDir(), "d.db"))
	if err := e.db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.db.Close() })
	e.outbox = storage.NewOutboxService(e.db)
	people := storage.NewPersonService(e.db)
	svc := bot.Services{People: people, Outbox: e.outbox, State: storage.NewStateService(e.db)}
	texts, _ := bot.NewCatalog()
	e.bot = bot.New(svc, bot.Config{}, texts)
	e.bot.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ch, err := telegram.New(context.Background(), telegram.Config{Token: e.srv.Token(), APIURL: e.srv.URL, Logger: e.bot.Logger})
	if err != nil {
		tb.Fatal(err)
	}
	e.bot.AddChannel(ch)
	for i := 1; i <= n; i++ {
		id := int64(1000 + i)
		e.srv.NewUser(id, "U", "", "", "").Send("hi")
		a, err := people.TouchAccount(context.Background(), &convene.Account{Channel: "telegram", UserID: fmt.Sprint(id), ChatID: fmt.Sprint(id)})
		if err != nil {
			tb.Fatal(err)
		}
		e.accs = append(e.accs, a)
	}
	if cfg.Poll == 0 {
		cfg.Poll = 20 * time.Millisecond
	}
	d := bot.NewDispatcher(e.bot, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go func() { defer close(e.done); _ = d.Run(ctx) }()
	tb.Cleanup(e.stop)
	return e
}

func (e *dispatchEnv) stop() {
	e.cancel()
	<-e.done
}

// enqueue queues count messages spread over the accounts, as one batch.
func (e *dispatchEnv) enqueue(tb testing.TB, count int, batch string, notify int64) {
	tb.Helper()
	msgs := make([]*convene.OutboxMessage, count)
	for i := range msgs {
		a := e.accs[i%len(e.accs)]
		msgs[i] = &convene.OutboxMessage{AccountID: a.ID, Channel: "telegram", ChatID: a.ChatID, Key: fmt.Sprintf("%s:%d", batch, i),
			Batch: batch, NotifyAccount: notify, Content: convene.Content{Text: fmt.Sprintf("%s %d", batch, i)}}
	}
	if _, err := e.outbox.Enqueue(context.Background(), msgs); err != nil {
		tb.Fatal(err)
	}
	e.bot.Wake()
}

// delivered counts the distinct batch messages the server stored, and duplicates.
func (e *dispatchEnv) delivered(batch string, count int) (distinct, dups int) {
	seen := map[string]int{}
	for i := 1; i <= len(e.accs); i++ {
		for _, m := range e.srv.Messages(int64(1000 + i)) {
			seen[m.Text]++
		}
	}
	for i := 0; i < count; i++ {
		if n := seen[fmt.Sprintf("%s %d", batch, i)]; n > 0 {
			distinct++
			dups += n - 1
		}
	}
	return distinct, dups
}

func (e *dispatchEnv) waitDelivered(tb testing.TB, batch string, count int, timeout time.Duration) {
	tb.Helper()
	if !e.srv.WaitFor(timeout, func() bool { n, _ := e.delivered(batch, count); return n == count }) {
		n, _ := e.delivered(batch, count)
		tb.Fatalf("%d of %d delivered", n, count)
	}
	if _, dups := e.delivered(batch, count); dups > 0 {
		tb.Fatalf("%d duplicates", dups)
	}
}

func TestDispatcher(t *testing.T) {
	t.Run("WithinLimitsNo429", func(t *testing.T) {
		e := newDispatchEnv(t, 40, telegramtest.Limits{PerSecond: 30, PerChat: 1, ChatBurst: 3}, bot.DispatchConfig{Rate: 25, PerChat: 1})
		e.enqueue(t, 100, "bulk", 0)
		e.waitDelivered(t, "bulk", 100, 15*time.Second)
		if st := e.srv.Stats(); st.TooMany != 0 {
			t.Fatalf("%d answers were 429 at or under the limit", st.TooMany)
		}
		var st *convene.BatchStats
		e.srv.WaitFor(2*time.Second, func() bool { st, _ = e.outbox.BatchStats(context.Background(), "bulk"); return st.Sent == 100 })
		if st.Sent != 100 {
			t.Fatalf("outbox says %+v", st)
		}
	})

	t.Run("RetryAfterPausesWholeBot", func(t *testing.T) {
		e := newDispatchEnv(t, 10, telegramtest.Limits{}, bot.DispatchConfig{Rate: 50})
		e.srv.Force429(3)
		forcedAt := time.Now()
		e.enqueue(t, 30, "flood", 0)
		e.waitDelivered(t, "flood", 30, 15*time.Second)
		times := e.srv.SendTimes()
		st := e.srv.Stats()
		// The first send met the 429; once its answer came back (allow 300 ms),
		// no sending call may arrive until retry_after has passed.
		first := times[0]
		var during int
		for _, at := range times {
			if at.After(first.Add(300*time.Millisecond)) && at.Before(forcedAt.Add(2900*time.Millisecond)) {
				during++
			}
		}
		if during != 0 || st.TooMany == 0 || st.TooMany > 16 {
			t.Fatalf("%d sending calls inside the retry_after window, %d 429s", during, st.TooMany)
		}
	})

	t.Run("ServerErrorWindowThenDelivered", func(t *testing.T) {
		e := newDispatchEnv(t, 10, telegramtest.Limits{}, bot.DispatchConfig{Rate: 20, Backoff: 500 * time.Millisecond, MaxBackoff: 4 * time.Second, MaxAttempts: 12})
		e.enqueue(t, 20, "first", 0)
		e.waitDelivered(t, "first", 20, 10*time.Second)
		e.srv.FailFor(10*time.Second, 502)
		e.enqueue(t, 40, "mid", 0)
		e.waitDelivered(t, "mid", 40, 30*time.Second)
		if e.srv.Stats().Failures == 0 {
			t.Fatal("the 5xx window was never hit")
		}
	})

	t.Run("UnreachableFlaggedNeverRetriedReported", func(t *testing.T) {
		e := newDispatchEnv(t, 4, telegramtest.Limits{}, bot.DispatchConfig{Rate: 50})
		silent := e.srv.NewUser(2000, "Silent", "", "", "")
		sa, _ := storage.NewPersonService(e.db).TouchAccount(context.Background(), &convene.Account{Channel: "telegram", UserID: "2000", ChatID: "2000"})
		_ = silent
		e.srv.Block(1001)
		e.accs = append(e.accs, sa)
		e.enqueue(t, 5, "bc", e.accs[1].ID) // 1001 blocked, 2000 never wrote
		report := func() bool {
			for _, m := range e.srv.Messages(1002) {
				if m.Text != "" && len(m.Text) > 10 && m.Text[:4] == "📬" {
					return true
				}
			}
			return false
		}
		if !e.srv.WaitFor(10*time.Second, report) {
			t.Fatalf("no delivery report; 1002 got %v", e.srv.Messages(1002))
		}
		st, _ := e.outbox.BatchStats(context.Background(), "bc")
		if st.Sent != 3 || st.Unreachable != 2 {
			t.Fatalf("stats %+v", st)
		}
		for _, id := range []int64{e.accs[0].ID, sa.ID} {
			a, _ := storage.NewPersonService(e.db).FindAccountByID(context.Background(), id)
			if a.Reachable {
				t.Fatalf("account %s not flagged unreachable", a.UserID)
			}
		}
		calls := e.srv.Stats().Requests["sendMessage"]
		time.Sleep(500 * time.Millisecond)
		if e.srv.Stats().Requests["sendMessage"] != calls {
			t.Fatal("unreachable recipients were retried")
		}
		var text string
		for _, m := range e.srv.Messages(1002) {
			text = m.Text
		}
		if want := "📬 Kết quả gửi: thành công 3, không liên lạc được 2, lỗi 0."; text != want {
			t.Fatalf("report %q, want %q", text, want)
		}
	})

	t.Run("PicksUpWhatAnotherProcessQueued", func(t *testing.T) {
		e := newDispatchEnv(t, 3, telegramtest.Limits{}, bot.DispatchConfig{Rate: 50, Poll: 500 * time.Millisecond})
		other := storage.NewDB(e.db.DSN)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		a := e.accs[0]
		start := time.Now()
		if _, err := storage.NewOutboxService(other).Enqueue(context.Background(), []*convene.OutboxMessage{{AccountID: a.ID, Channel: "telegram",
			ChatID: a.ChatID, Key: "cli:0", Content: convene.Content{Text: "cli 0"}}}); err != nil {
			t.Fatal(err)
		}
		e.waitDelivered(t, "cli", 1, 2*time.Second)
		if time.Since(start) > time.Second {
			t.Fatalf("picked up after %s", time.Since(start))
		}
	})

	t.Run("ShutdownIsPrompt", func(t *testing.T) {
		e := newDispatchEnv(t, 5, telegramtest.Limits{}, bot.DispatchConfig{Rate: 5})
		e.srv.SetLatency(200 * time.Millisecond)
		e.enqueue(t, 50, "slow", 0)
		time.Sleep(300 * time.Millisecond)
		start := time.Now()
		e.stop()
		if d := time.Since(start); d > 4*time.Second {
			t.Fatalf("shutdown took %s", d)
		}
		st, _ := e.outbox.BatchStats(context.Background(), "slow")
		if st.Sending != 0 || st.Sent+st.Queued != 50 {
			t.Fatalf("after shutdown %+v: nothing may be left sending or lost", st)
		}
	})
}
