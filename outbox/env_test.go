package outbox_test

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
	"github.com/convene/convene/outbox"
	"github.com/convene/convene/storage"
)

// telegramLimits are Telegram's: 30/s bot-wide with a burst of 5, 1/s per
// chat, 20/min per group.
var telegramLimits = telegramtest.Limits{PerSecond: 30, Burst: 5, PerChat: 1, ChatBurst: 3, PerGroupMinute: 20}

// env is a dispatcher on a real database sending through the real client
// to telegramtest, with n users who wrote to the bot.
type env struct {
	srv    *telegramtest.Server
	db     *storage.DB
	outbox *storage.OutboxService
	ch     bot.Channel
	accs   []*convene.Account
	d      *outbox.Dispatcher
	wake   chan struct{}
	cancel func()
	done   chan struct{}
}

func newEnv(tb testing.TB, n int, limits telegramtest.Limits) *env {
	tb.Helper()
	e := &env{srv: telegramtest.NewServer(telegramtest.Options{Limits: limits}), wake: make(chan struct{}, 1)}
	tb.Cleanup(e.srv.Close)
	e.db = storage.NewDB(filepath.Join(tb.TempDir(), "d.db"))
	if err := e.db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.db.Close() })
	e.outbox = storage.NewOutboxService(e.db)
	ch, err := telegram.New(context.Background(), telegram.Config{Token: e.srv.Token(), APIURL: e.srv.URL, Logger: quiet()})
	if err != nil {
		tb.Fatal(err)
	}
	e.ch = ch
	people := storage.NewPersonService(e.db)
	for i := 1; i <= n; i++ {
		id := int64(1000 + i)
		e.srv.NewUser(id, "U", "", "", "").Send("hi")
		a, err := people.TouchAccount(context.Background(), &convene.Account{Channel: "telegram", UserID: fmt.Sprint(id), ChatID: fmt.Sprint(id)})
		if err != nil {
			tb.Fatal(err)
		}
		e.accs = append(e.accs, a)
	}
	return e
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// config is the dispatcher's configuration on e, to adjust before start.
func (e *env) config() outbox.Config {
	return outbox.Config{
		Outbox: e.outbox, Tx: e.db, Wake: e.wake, Logger: quiet(),
		Channel:  func(name string) bot.Channel { return map[string]bot.Channel{"telegram": e.ch}[name] },
		Channels: func() []string { return []string{"telegram"} },
		Poll:     20 * time.Millisecond, Backoff: 50 * time.Millisecond,
	}
}

func (e *env) start(tb testing.TB, cfg outbox.Config) {
	e.d = outbox.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go func() { defer close(e.done); _ = e.d.Run(ctx) }()
	tb.Cleanup(e.stop)
}

// stop ends the dispatcher and fails if that takes 2 s or more.
func (e *env) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	select {
	case <-e.done:
	case <-time.After(2 * time.Second):
		panic("dispatcher still running 2 s after shutdown")
	}
	e.cancel = nil
}

// message is a bulk text to account i.
func (e *env) message(i int, key, text string) *convene.OutboxMessage {
	a := e.accs[i%len(e.accs)]
	return &convene.OutboxMessage{AccountID: a.ID, Channel: "telegram", ChatID: a.ChatID, Key: key, Content: convene.Content{Text: text}}
}

func (e *env) enqueue(tb testing.TB, ms ...*convene.OutboxMessage) {
	tb.Helper()
	if _, err := e.outbox.Enqueue(context.Background(), ms); err != nil {
		tb.Fatal(err)
	}
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// enqueueBulk queues count texts "batch i" spread over the accounts.
func (e *env) enqueueBulk(tb testing.TB, count int, batch string) {
	tb.Helper()
	ms := make([]*convene.OutboxMessage, count)
	for i := range ms {
		ms[i] = e.message(i, fmt.Sprintf("%s:%d", batch, i), fmt.Sprintf("%s %d", batch, i))
		ms[i].Batch = batch
	}
	e.enqueue(tb, ms...)
}

// texts counts what the server stored per text, over all chats.
func (e *env) texts() map[string]int {
	seen := map[string]int{}
	for i := range e.accs {
		for _, m := range e.srv.Messages(int64(1001 + i)) {
			seen[m.Text]++
		}
	}
	return seen
}

// waitIdle waits until nothing is queued or sending.
func (e *env) waitIdle(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if n, _ := e.outbox.QueueDepth(context.Background()); n == 0 {
			return
		}
		if time.Now().After(deadline) {
			n, _ := e.outbox.QueueDepth(context.Background())
			tb.Fatalf("%d messages still waiting after %s", n, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
