package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/zalo"
	"github.com/convene/convene/outbox"
	"github.com/convene/convene/scheduler"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// receiver is a channel that can also be fed by a webhook.
type receiver interface {
	bot.Channel
	WebhookHandler(secret string, handle func(context.Context, *bot.Incoming) error) http.Handler
	SetWebhook(ctx context.Context, url, secret string) error
	healthReporter
	Ready() <-chan struct{}
}

// healthReporter is a channel that says whether it is ready and why not.
type healthReporter interface {
	Health() (ok bool, reason string)
}

// onTelegramReady returns what runs once Telegram's getMe first succeeds:
// it records the bot's username (for personal links) and sets the command
// menus.
func (m *Main) onTelegramReady(b *bot.Bot) func(context.Context, *telegram.Channel) {
	return func(ctx context.Context, tg *telegram.Channel) {
		if err := b.State.SetState(ctx, "telegram.username", tg.Username()); err != nil {
			m.Logger.Error("store telegram username", "err", err)
		}
		// The default menu ("") is in the bot's language; vi and en users get their own.
		for _, lang := range append([]string{""}, bot.Langs...) {
			menuLang := lang
			if menuLang == "" {
				menuLang = m.Config.Lang
			}
			if err := tg.SetCommands(ctx, lang, b.Menu(menuLang, false)); err != nil {
				m.Logger.Warn("set command menu", "lang", lang, "err", err)
			}
		}
		if b.Channel(tg.Name()) != nil { // ready after start: organizer menus were not set
			if err := b.RefreshMenus(ctx); err != nil {
				m.Logger.Warn("organizer menus", "err", err)
			}
		}
		m.Logger.Info("telegram on", "username", tg.Username())
	}
}

// setupServe runs the bot: channels storing updates in the inbox, the
// inbox workers handling them, the outbox dispatcher, the scheduler and,
// with --http, /healthz, /metrics and webhooks. Only one serve runs on a
// database (a lease). SIGINT or SIGTERM stops polling at once, lets the
// handlers under way and in-flight sends finish (bounded) and closes the
// database; what was stored and not handled or sent waits for the restart.
func (m *Main) setupServe(fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		b, err := m.newBot(ctx)
		if err != nil {
			return err
		}
		hold, err := m.holdLease(ctx)
		if err != nil {
			return err
		}
		// The lease is renewed until serve returns, for whatever reason, and then released.
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		leaseCtx, stopLease := context.WithCancel(context.WithoutCancel(ctx))
		leaseDone := make(chan struct{})
		go func() { defer close(leaseDone); hold(leaseCtx, cancel) }()
		defer func() { stopLease(); <-leaseDone }()
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		metrics := outbox.NewMetrics(reg, b.Outbox)
		deadUpdates := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "convene", Name: "updates_dead_total",
			Help: "Incoming updates parked after failing too often."}, []string{"channel"})
		reg.MustRegister(deadUpdates, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "convene", Name: "inbox_waiting",
			Help: "Incoming updates stored and not yet handled."}, func() float64 {
			n, _, err := b.Inbox.InboxCounts(context.Background())
			if err != nil {
				return -1
			}
			return float64(n)
		}))

		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "convene", Name: "materials_sent_total",
			Help: "Meeting materials sent as files or as download links, and downloaded."}, func() float64 { return float64(b.MaterialsSent()) }))
		var chans []receiver
		if m.Config.TelegramToken != "" {
			// New does not wait for Telegram: until getMe succeeds the channel
			// reports itself not ready on /healthz, and onTelegramReady runs
			// once it does.
			tg, err := telegram.New(ctx, telegram.Config{Token: m.Config.TelegramToken, APIURL: m.Config.TelegramAPI,
				Logger: m.Logger, OnReady: m.onTelegramReady(b), Files: b.Materials})
			if err != nil {
				return fmt.Errorf("telegram: %w", err)
			}
			b.AddChannel(tg)
			chans = append(chans, tg)
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "convene", Name: "telegram_file_uploads_total",
				Help: "Materials sent to Telegram by uploading their bytes."}, func() float64 { return float64(tg.FileStats().Uploaded) }),
				prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "convene", Name: "telegram_file_resends_total",
					Help: "Materials sent to Telegram by the file id of an earlier upload."}, func() float64 { return float64(tg.FileStats().Resent) }))
		}
		for _, ch := range chans {
			metrics.Init(ch.Name())
		}
		if m.Config.ZaloToken != "" {
			z, err := zalo.New(ctx, zalo.Config{Token: m.Config.ZaloToken, APIURL: m.Config.ZaloAPI, Logger: m.Logger,
				OnReady: func(context.Context, *zalo.Channel) { m.Logger.Info("zalo on") }})
			if err != nil {
				return fmt.Errorf("zalo: %w", err)
			}
			b.AddChannel(z)
			chans = append(chans, z)
			metrics.Init(z.Name())
		}
		if len(chans) == 0 {
			m.Logger.Warn("no channel configured (set TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN): messages stay queued")
		}

		if err := b.RefreshMenus(ctx); err != nil {
			m.Logger.Warn("organizer menus", "err", err)
		}
		var wg sync.WaitGroup
		errc := make(chan error, 8)
		start := func(name string, run func(context.Context) error) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
					errc <- fmt.Errorf("%s: %w", name, err)
					cancel()
				}
			}()
		}

		d := outbox.New(outbox.Config{Outbox: b.Outbox, Tx: m.DB, Channel: b.Channel, Channels: b.ChannelNames, Render: b.Render,
			OnBatchDone: b.ReportBatch, Wake: b.Woken(), Rate: m.Config.SendRate, Logger: m.Logger, Metrics: metrics, Now: b.Now})
		start("dispatcher", d.Run)
		start("inbox", func(ctx context.Context) error {
			return b.RunInbox(ctx, bot.InboxConfig{OnDead: func(ch string) { deadUpdates.WithLabelValues(ch).Inc() }})
		})
		sched := scheduler.New(scheduler.Config{
			Meetings: b.Meetings, Reminders: b.Reminders, Invitations: b.Invitations,
			Messenger: b, Logger: m.Logger, Now: m.Now,
		})
		start("scheduler", sched.Run)

		webhooks := m.Config.PublicURL != "" && m.Config.HTTP != ""
		secret := m.Config.WebhookSecret
		if webhooks && secret == "" {
			buf := make([]byte, 24)
			_, _ = rand.Read(buf)
			secret = hex.EncodeToString(buf)
		}
		var srv *http.Server
		var desk interface{ Close() }
		if m.Config.HTTP != "" {
			ln, err := net.Listen("tcp", m.Config.HTTP)
			if err != nil {
				return fmt.Errorf("listen %s: %w", m.Config.HTTP, err)
			}
			mux := http.NewServeMux()
			mux.Handle("GET /metrics", m.metricsGuard(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
			mux.HandleFunc("GET /healthz", m.healthz(b, d.Health))
			for _, ch := range chans {
				if webhooks {
					mux.Handle("POST /webhook/"+ch.Name(), ch.WebhookHandler(secret, b.Accept))
				}
			}
			ws, err := m.newWeb(b, m.webBase(ln.Addr()))
			if err != nil {
				ln.Close()
				return fmt.Errorf("web desk: %w", err)
			}
			mux.Handle("/", ws)
			desk = ws
			srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
			m.Logger.Info("http on", "addr", ln.Addr().String())
			start("http", func(ctx context.Context) error {
				if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			})
		}
		for _, ch := range chans {
			if webhooks {
				url := strings.TrimSuffix(m.Config.PublicURL, "/") + "/webhook/" + ch.Name()
				// Registered once the channel is ready (Telegram may be unreachable at start).
				start(ch.Name()+" webhook", func(ctx context.Context) error {
					select {
					case <-ch.Ready():
					case <-ctx.Done():
						return nil
					}
					if err := ch.SetWebhook(ctx, url, secret); err != nil {
						return fmt.Errorf("set webhook: %w", err)
					}
					return nil
				})
				continue
			}
			start(ch.Name(), func(ctx context.Context) error { return ch.Receive(ctx, b.Accept) })
		}
		m.Logger.Info("serving", "db", m.Config.DB, "send_rate", m.Config.SendRate)

		<-runCtx.Done()
		m.Logger.Info("shutting down")
		if desk != nil {
			desk.Close()
		}
		if srv != nil {
			sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			_ = srv.Shutdown(sctx)
			scancel()
		}
		wg.Wait()
		close(errc)
		return errors.Join(collect(errc)...)
	}
}

func collect(errc <-chan error) []error {
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	return errs
}

// healthz reports the database and each channel: 200 and "status": "ok"
// when all are well, else 503 and "status": "degraded", with each failing
// part's reason, e.g. "telegram": "starting: telegram unreachable (retrying)".
//
// The dispatcher's view of each channel comes from sends: a token refused
// at runtime ("unauthorized: sends paused") or a circuit breaker open after
// repeated 5xx ("breaker open") is degraded too; a 429 pause is not.
func (m *Main) healthz(b *bot.Bot, sending func() map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status := map[string]string{"status": "ok", "database": "ok"}
		code := http.StatusOK
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if _, err := b.Outbox.QueueDepth(ctx); err != nil {
			status["database"], code = err.Error(), http.StatusServiceUnavailable
		}
		for _, name := range []string{"telegram", "zalo"} {
			ch := b.Channel(name)
			if ch == nil {
				continue
			}
			status[name] = "ok"
			if h, ok := ch.(healthReporter); ok {
				if ok, why := h.Health(); !ok {
					status[name], code = why, http.StatusServiceUnavailable
					continue
				}
			}
			switch st := sending()[name]; st {
			case "unauthorized", "breaker open":
				status[name], code = "sends paused: "+st, http.StatusServiceUnavailable
			}
		}
		if code != http.StatusOK {
			status["status"] = "degraded"
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(status)
	}
}
