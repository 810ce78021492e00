package outbox

import (
	"context"

	"github.com/convene/convene"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts deliveries for /metrics. A nil *Metrics counts nothing.
type Metrics struct {
	Sent        *prometheus.CounterVec
	Failed      *prometheus.CounterVec
	Unreachable *prometheus.CounterVec
	RateLimited *prometheus.CounterVec
	// Rate is each channel's current send rate, messages per second.
	Rate *prometheus.GaugeVec
	// Breaker is 0 closed, 1 open (temporary errors), 2 token rejected.
	Breaker *prometheus.GaugeVec
	// Orphaned counts messages queued for a channel that is not running.
	Orphaned *prometheus.GaugeVec
}

// NewMetrics registers the delivery metrics on reg, and a queue-depth
// gauge read from outbox.
func NewMetrics(reg prometheus.Registerer, outbox convene.OutboxService) *Metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "convene", Name: name, Help: help}, []string{"channel"})
		reg.MustRegister(c)
		return c
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "convene", Name: name, Help: help}, []string{"channel"})
		reg.MustRegister(g)
		return g
	}
	m := &Metrics{
		Sent:        counter("messages_sent_total", "Messages delivered."),
		Failed:      counter("messages_failed_total", "Messages given up after errors."),
		Unreachable: counter("messages_unreachable_total", "Messages to recipients who blocked the bot or cannot be written to."),
		RateLimited: counter("rate_limited_total", "429 answers, each pausing the channel."),
		Rate:        gauge("send_rate", "The channel's current send rate (messages/s), adapted under the configured ceiling."),
		Breaker:     gauge("channel_breaker", "0: sending; 1: paused after repeated temporary errors; 2: token rejected."),
		Orphaned:    gauge("outbox_orphaned", "Messages queued for a channel that is not running."),
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "convene", Name: "outbox_queue_depth", Help: "Messages queued or being sent."},
		func() float64 {
			n, err := outbox.QueueDepth(context.Background())
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	return m
}

// Init makes every counter of the channels show (as 0) before anything happens.
func (m *Metrics) Init(channels ...string) {
	if m == nil {
		return
	}
	for _, ch := range channels {
		for _, c := range []*prometheus.CounterVec{m.Sent, m.Failed, m.Unreachable, m.RateLimited} {
			c.WithLabelValues(ch)
		}
	}
}

func (m *Metrics) inc(c func(*Metrics) *prometheus.CounterVec, ch string) {
	if m != nil {
		c(m).WithLabelValues(ch).Inc()
	}
}

func (m *Metrics) sent(ch string) {
	m.inc(func(m *Metrics) *prometheus.CounterVec { return m.Sent }, ch)
}
func (m *Metrics) failed(ch string) {
	m.inc(func(m *Metrics) *prometheus.CounterVec { return m.Failed }, ch)
}
func (m *Metrics) unreachable(ch string) {
	m.inc(func(m *Metrics) *prometheus.CounterVec { return m.Unreachable }, ch)
}
func (m *Metrics) rateLimited(ch string) {
	m.inc(func(m *Metrics) *prometheus.CounterVec { return m.RateLimited }, ch)
}

func (m *Metrics) setRate(ch string, r float64) {
	if m != nil {
		m.Rate.WithLabelValues(ch).Set(r)
	}
}

func (m *Metrics) setBreaker(ch string, v float64) {
	if m != nil {
		m.Breaker.WithLabelValues(ch).Set(v)
	}
}

func (m *Metrics) setOrphaned(ch string, n int) {
	if m != nil {
		m.Orphaned.WithLabelValues(ch).Set(float64(n))
	}
}
