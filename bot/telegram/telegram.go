// Package telegram is the Telegram adapter of the bot: it implements
// bot.Channel on go-telegram-bot-api v5's request methods with a long-poll
// loop of its own (context-aware, advancing the offset only after updates
// are handled), a webhook handler, and one classification of Telegram's
// errors into bot.Error kinds.
package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
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
}

// Channel is the Telegram channel. Its methods are safe for concurrent use.
type Channel struct {
	cfg  Config
	log  *slog.Logger
	base *tgbotapi.BotAPI // a template: every call uses a copy carrying its context
	self tgbotapi.User
}

var (
	_ bot.Channel   = (*Channel)(nil)
	_ bot.ChatMenus = (*Channel)(nil)
)

// ctxClient is the HTTP client given to the library, which has no context:
// it attaches ctx to every request, so cancelling ctx aborts the call (a
// long poll included), and it turns error answers that are not JSON (a
// proxy's error page) into a *statusError the classification can read.
type ctxClient struct {
	ctx  context.Context
	http *http.Client
}

func (c *ctxClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(r.WithContext(c.ctx))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 && !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return nil, newStatusError(resp)
	}
	return resp, nil
}

// api returns a library instance whose requests carry ctx. Polling uses one
// bound to Receive's context and each send one bound to its own, so stopping
// the poller never cuts a send short.
func (c *Channel) api(ctx context.Context) *tgbotapi.BotAPI {
	a := *c.base
	a.Client = &ctxClient{ctx: ctx, http: c.cfg.HTTPClient}
	return &a
}

// New connects to Telegram: it checks the token with getMe, bounded by
// SendTimeout. Failures are *bot.Error values (an invalid token is permanent).
func New(ctx context.Context, cfg Config) (*Channel, error) {
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
	endpoint := strings.TrimSuffix(cfg.APIURL, "/") + "/bot%s/%s"
	gctx, cancel := context.WithTimeout(ctx, cfg.SendTimeout)
	defer cancel()
	api, err := tgbotapi.NewBotAPIWithClient(cfg.Token, endpoint, &ctxClient{ctx: gctx, http: cfg.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("telegram getMe: %w", classify(err))
	}
	api.Client = nil // each call sets its own
	return &Channel{cfg: cfg, log: cfg.Logger, base: api, self: api.Self}, nil
}

// botID returns the bot's own id: the part of the token before the colon,
// known without asking Telegram.
func (c *Channel) botID() string {
	id, _, _ := strings.Cut(c.cfg.Token, ":")
	return id
}

// Name returns "telegram".
func (c *Channel) Name() string { return "telegram" }

// Username returns the bot's username (without @) from getMe.
func (c *Channel) Username() string { return c.self.UserName }

// Caps: Telegram has buttons, edits, documents, photos and contact sharing.
func (c *Channel) Caps() bot.Caps {
	return bot.Caps{MaxText: maxText, Buttons: true, Edit: true, Documents: true, Photos: true, RequestContact: true}
}
