package outbox_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegramtest"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAtLimit sends invitations through telegramtest enforcing a
// bot-wide limit L = 100/s with a burst of 10, with --send-rate 100 and
// with 1000 (the limit unknown), and reports delivered/s ÷ L (after the
// first 10 s for the unknown limit) and 429s as a share of messages.
func BenchmarkAtLimit(b *testing.B) {
	const limit = 100.0
	for _, c := range []struct {
		rate   float64
		count  int
		warmup time.Duration
	}{{100, 2000, 0}, {1000, 3500, 10 * time.Second}} {
		b.Run(fmt.Sprintf("rate=%.0f", c.rate), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				e := newEnv(b, 500, telegramtest.Limits{PerSecond: limit, Burst: 10})
				cfg := e.config()
				cfg.Rate, cfg.PerChat, cfg.ChatBurst = c.rate, 50, 50
				e.enqueueBulk(b, c.count, "inv")
				start := time.Now()
				e.start(b, cfg)
				warm := make(chan int, 1)
				go func() { time.Sleep(c.warmup); warm <- e.srv.Stats().TooMany }()
				e.waitIdle(b, 120*time.Second)
				end := time.Now()
				tooManyWarm := <-warm
				n := 0
				for _, at := range e.srv.SendTimes() {
					if at.After(start.Add(c.warmup)) {
						n++
					}
				}
				st := e.srv.Stats()
				after := st.TooMany - tooManyWarm // 429s after the warm-up
				delivered := float64(n - after)
				b.ReportMetric(delivered/end.Sub(start.Add(c.warmup)).Seconds()/limit, "rate/limit")
				b.ReportMetric(float64(st.TooMany)/float64(c.count)*100, "429-%")
				b.ReportMetric(float64(after)/delivered*100, "429-%-after-warmup")
				b.ReportMetric(e.d.Rate("telegram"), "final-rate")
				e.stop()
			}
		})
	}
}

// noop is a channel that answers at once, to measure the dispatcher alone.
type noop struct{ sent atomic.Int64 }

func (n *noop) Name() string   { return "telegram" }
func (n *noop) Caps() bot.Caps { return bot.Caps{MaxText: 4096, Buttons: true, Edit: true} }
func (n *noop) Send(context.Context, string, bot.Outgoing) (string, error) {
	return fmt.Sprint(n.sent.Add(1)), nil
}
func (n *noop) Edit(context.Context, string, string, bot.Outgoing) error { return nil }
func (n *noop) Answer(context.Context, string, string) error             { return nil }
func (n *noop) Receive(ctx context.Context, _ func(context.Context, *bot.Incoming) error) error {
	<-ctx.Done()
	return nil
}

// BenchmarkCPU sends 10,000 messages at 1,000/s through a channel that
// answers at once and reports the process's CPU use (the dispatcher and
// SQLite; no fake server) in cores.
func BenchmarkCPU(b *testing.B) {
	for i := 0; i < b.N; i++ {
		e := newEnv(b, 1000, telegramtest.Limits{})
		ch := &noop{}
		cfg := e.config()
		cfg.Channel = func(string) bot.Channel { return ch }
		cfg.Rate, cfg.PerChat, cfg.ChatBurst = 1000, 50, 50
		e.enqueueBulk(b, 10000, "cpu")
		cpu0, start := cpuTime(), time.Now()
		e.start(b, cfg)
		e.waitIdle(b, 60*time.Second)
		elapsed, cpu := time.Since(start), cpuTime()-cpu0
		b.ReportMetric(10000/elapsed.Seconds(), "msg/s")
		b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cores")
		e.stop()
	}
}
