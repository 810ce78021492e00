package telegram_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
)

// newChannel starts a fake Telegram and a channel connected to it.
// newChannel connects the adapter to a fake Telegram without limits: these
// tests make single calls of the adapter, which sends what it is told; the
// limits are the dispatcher's to keep, tested end to end with them on.
func newChannel(t *testing.T) (*telegramtest.Server, *telegram.Channel) {
	t.Helper()
	srv := telegramtest.NewServer(telegramtest.Options{Username: "hop_bot", NoLimits: true})
	t.Cleanup(srv.Close)
	return srv, connect(t, telegram.Config{Token: srv.Token(), APIURL: srv.URL, PollTimeout: 2 * time.Second})
}

func connect(t *testing.T, cfg telegram.Config) *telegram.Channel {
	t.Helper()
	ch, err := telegram.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// faulty puts a proxy in front of srv that answers a request with fault
// instead when fault returns true: for the faults the fake has no switch for
// (bodies that are not JSON, failing polls).
func faulty(t *testing.T, srv *telegramtest.Server, fault func(method string, w http.ResponseWriter) bool) *httptest.Server {
	t.Helper()
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		if !fault(method, w) {
			srv.Config.Handler.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

// collector records handled updates.
type collector struct {
	mu  sync.Mutex
	ins []*bot.Incoming
}

func (c *collector) handle(ctx context.Context, in *bot.Incoming) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ins = append(c.ins, in)
	return nil
}

func (c *collector) got() []*bot.Incoming {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*bot.Incoming(nil), c.ins...)
}

// receive runs ch.Receive until the test ends and returns its stop function,
// which waits for Receive to return.
func receive(t *testing.T, ch *telegram.Channel, handle func(context.Context, *bot.Incoming) error) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ch.Receive(ctx, handle) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func TestNew(t *testing.T) {
	t.Run("ReadsUsername", func(t *testing.T) {
		_, ch := newChannel(t)
		if ch.Username() != "hop_bot" || ch.Name() != "telegram" {
			t.Fatalf("username %q name %q", ch.Username(), ch.Name())
		}
		if c := ch.Caps(); c.MaxText != 4096 || !c.Buttons || !c.Edit || !c.Documents || !c.Photos || !c.RequestContact {
			t.Fatalf("caps %+v", c)
		}
	})
	t.Run("BadTokenIsUnauthorized", func(t *testing.T) {
		srv := telegramtest.NewServer(telegramtest.Options{})
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := telegram.New(ctx, telegram.Config{Token: "1:wrong", APIURL: srv.URL, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if ok, why := ch.Health(); ok || why != "unauthorized: the bot token was refused" {
			t.Fatalf("health %v %q", ok, why)
		}
	})
	t.Run("UnreachableAPIIsNotReady", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := telegram.New(ctx, telegram.Config{Token: "1:x", APIURL: "http://127.0.0.1:1", Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if ok, why := ch.Health(); ok || why != "starting: telegram unreachable (retrying)" || ch.Username() != "" {
			t.Fatalf("health %v %q", ok, why)
		}
	})
	t.Run("GetMeTimesOut", func(t *testing.T) {
		srv := telegramtest.NewServer(telegramtest.Options{})
		defer srv.Close()
		srv.SetLatency(5 * time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		start := time.Now()
		ch, err := telegram.New(ctx, telegram.Config{Token: srv.Token(), APIURL: srv.URL, SendTimeout: 200 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		if err != nil || time.Since(start) > 2*time.Second {
			t.Fatalf("err %v after %s", err, time.Since(start))
		}
		if ok, _ := ch.Health(); ok {
			t.Fatal("ready without getMe")
		}
	})
	t.Run("NoToken", func(t *testing.T) {
		if _, err := telegram.New(context.Background(), telegram.Config{}); err == nil {
			t.Fatal("no error without a token")
		}
	})
}
