// Package telegram is the Telegram adapter of the bot: it implements
// bot.Channel on go-telegram-bot-api v5's request methods with a long-poll
// loop of its own (context-aware, advancing the offset only after updates
// are handled), a webhook handler, and one classification of Telegram's
// errors into bot.Error kinds.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/convene/convene/bot"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Config configures the adapter. Only Token is required.
type Config struct {
	Token string
	// APIURL is the Bot API base URL, default https://api.telegram.org; the
	// adapter appends /bot<token>/<method>.
	APIURL string
	// HTTPClient makes the requests, default a plain client. Requests carry
	// contexts with their own deadlines; a client Timeout, if set, must exceed
	// PollTimeout or every long poll fails.
	HTTPClient *http.Client
	// PollTimeout is the long-poll timeout, default 50s.
	PollTimeout time.Duration
	// SendTimeout bounds each call that sends or edits, default 30s.
	SendTimeout time.Duration
	Logger      *slog.Logger
	// WebhookURL, when set, makes Receive register this webhook (with
	// WebhookSecret) instead of long polling; updates then arrive only
	// through WebhookHandler, which the caller mounts at that URL.
	WebhookURL string
	// WebhookSecret is the secret WebhookHandler requires when it is given
	// none, and the one Receive registers with WebhookURL.
	WebhookSecret string
	// OnReady, if set, is called once, when getMe first succeeds (in New or
	// later in the background): the place to read Username and set menus.
	OnReady func(ctx context.Context, c *Channel)
	// Files gives the bytes and cached file ids of the materials messages
	// name by reference (files.go); without it such a message fails.
	Files FileStore
}

// Channel is the Telegram channel. Its methods are safe for concurrent use.
type Channel struct {
	cfg   Config
	log   *slog.Logger
	base  *tgbotapi.BotAPI // a template: every call uses a copy carrying its context
	ready *bot.Readiness

	mu   sync.Mutex
	self tgbotapi.User // from getMe, once ready

	files struct{ uploaded, resent atomic.Int64 } // materials sent (files.go)
}

var (
	_ bot.Channel   = (*Channel)(nil)
	_ bot.ChatMenus = (*Channel)(nil)
)

// ctxClient is the HTTP client given to the library, which has no context:
// it attaches ctx to every request, so cancelling ctx aborts the call (a
// long poll included), and it turns error answers that are not JSON (a
// proxy's error page) into a *statusError the classification can read.
//
// It also tells the channel's Readiness whether Telegram accepted the token
// (see bot.Readiness.Observe): 401, or 404 in Telegram's JSON, refuse it.
type ctxClient struct {
	ctx  context.Context
	http *http.Client
	ch   *Channel
}

func (c *ctxClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(r.WithContext(c.ctx))
	if err != nil {
		return nil, redact(err) // its URL carries the token
	}
	json := strings.Contains(resp.Header.Get("Content-Type"), "json")
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized, code == http.StatusNotFound && json:
		c.ch.ready.Observe(c.ch.log, true)
	case code < 500 && code != http.StatusTooManyRequests:
		c.ch.ready.Observe(c.ch.log, false)
	}
	if resp.StatusCode >= 400 && !json {
		return nil, newStatusError(resp)
	}
	return resp, nil
}

// api returns a library instance whose requests carry ctx. Polling uses one
// bound to Receive's context and each send one bound to its own, so stopping
// the poller never cuts a send short.
func (c *Channel) api(ctx context.Context) *tgbotapi.BotAPI {
	a := *c.base
	a.Client = &ctxClient{ctx: ctx, http: c.cfg.HTTPClient, ch: c}
	return &a
}

// startTimeout bounds New's first getMe, so that New returns promptly when
// Telegram is unreachable.
const startTimeout = 5 * time.Second

// New returns the Telegram channel. It checks the token with getMe, bounded
// by SendTimeout and at most 5 s; if that fails, New still returns the
// channel, not ready (see Health), and retries getMe in the background until
// it succeeds or ctx ends: with exponential backoff after network errors,
// every minute after a refused token. Receive waits until the channel is
// ready; Send works at any time. New fails only on a configuration error.
func New(ctx context.Context, cfg Config) (*Channel, error) {
	if cfg.Token == "" {
		return nil, &bot.Error{Kind: bot.ErrPermanent, Err: errors.New("telegram: token required")}
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	api := &tgbotapi.BotAPI{Token: cfg.Token, Buffer: 100}
	api.SetAPIEndpoint(strings.TrimSuffix(cfg.APIURL, "/") + "/bot%s/%s")
	c := &Channel{cfg: cfg, log: cfg.Logger, base: api, ready: bot.NewReadiness("telegram")}
	if c.ready.Try(ctx, c.log, c.getMe) != nil && ctx.Err() == nil {
		go c.ready.Retry(ctx, c.log, c.getMe)
	}
	return c, nil
}

// botID returns the bot's own id: the part of the token before the colon,
// known without asking Telegram.
func (c *Channel) botID() string {
	id, _, _ := strings.Cut(c.cfg.Token, ":")
	return id
}

// getMe reads the bot's account; the first success makes the channel ready
// and calls Config.OnReady.
func (c *Channel) getMe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, min(c.cfg.SendTimeout, startTimeout))
	defer cancel()
	me, err := c.api(ctx).GetMe()
	if err != nil {
		return fmt.Errorf("telegram getMe: %w", classify(err))
	}
	c.mu.Lock()
	first := c.self.ID == 0
	c.self = me
	c.mu.Unlock()
	if first && c.cfg.OnReady != nil {
		c.cfg.OnReady(context.WithoutCancel(ctx), c)
	}
	return nil
}

// Health reports whether the channel is ready, and why not: "starting:
// telegram unreachable (retrying)" or "unauthorized: the bot token was refused".
func (c *Channel) Health() (ok bool, reason string) { return c.ready.Health() }

// Ready is closed when getMe first succeeds.
func (c *Channel) Ready() <-chan struct{} { return c.ready.Ready() }

// Name returns "telegram".
func (c *Channel) Name() string { return "telegram" }

// Username returns the bot's username (without @) from getMe.
// It is empty until the channel is ready.
func (c *Channel) Username() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.self.UserName
}

// Caps: Telegram has buttons, edits, documents, photos and contact sharing.
func (c *Channel) Caps() bot.Caps {
	return bot.Caps{MaxText: maxText, Buttons: true, Edit: true, Documents: true, Photos: true, RequestContact: true}
}
