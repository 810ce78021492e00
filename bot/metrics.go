package bot

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
}

// NewMetrics registers the delivery metrics and a queue-depth gauge read from outbox.
func NewMetrics(reg prometheus.Registerer, outbox convene.OutboxService) *Metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "convene", Name: name, Help: help}, []string{"channel"})
		reg.MustRegister(c)
		return c
	}
	m := &Metrics{
		Sent:        counter("messages_sent_total", "Messages delivered."),
		Failed:      counter("messages_failed_total", "Messages given up after errors."),
		Unreachable: counter("messages_unreachable_total", "Messages to recipients who blocked the bot or cannot be written to."),
		RateLimited: counter("rate_limited_total", "429 answers that paused all sends."),
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

func (m *Metrics) sent(ch string) {
	if m != nil {
		m.Sent.WithLabelValues(ch).Inc()
	}
}

func (m *Metrics) failed(ch string) {
	if m != nil {
		m.Failed.WithLabelValues(ch).Inc()
	}
}

func (m *Metrics) unreachable(ch string) {
	if m != nil {
		m.Unreachable.WithLabelValues(ch).Inc()
	}
}

func (m *Metrics) rateLimited(ch string) {
	if m != nil {
		m.RateLimited.WithLabelValues(ch).Inc()
	}
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
