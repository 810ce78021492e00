// Package zalo is the Zalo adapter of the bot: it implements bot.Channel on
// the Zalo Bot Platform API (https://bot.zaloplatforms.com/docs; methods at
// https://bot-api.zaloplatforms.com/bot<TOKEN>/<method>, JSON over POST)
// with plain net/http: a long-poll loop of its own, a webhook handler, and
// one classification of Zalo's errors into bot.Error kinds.
//
// Zalo bots send plain text (at most 2000 characters a message) and photos
// by URL only; there are no buttons, edits or files, so the core renders
// choices as numbered lists and attachments are named in the text.
package zalo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
)

// MaxText is the longest text of one message. Zalo documents "1 to 2000
// characters" without naming the unit; texts are measured in UTF-16 code
// units, which is never less than the count of characters, so a part is
// within the limit under either reading.
const MaxText = 2000

// Config configures the adapter.
type Config struct {
	Token string
	// APIURL is the Bot API base URL; the adapter appends /bot<token>/<method>.
	// Default https://bot-api.zaloplatforms.com.
	APIURL string
	// HTTPClient makes the requests; default a client without timeout (every
	// request carries a context with one).
	HTTPClient *http.Client
	// PollTimeout is the long-poll timeout sent to getUpdates, in whole
	// seconds; default 30s (Zalo's default).
	PollTimeout time.Duration
	// SendTimeout bounds each request other than getUpdates; default 30s.
	SendTimeout time.Duration
	Logger      *slog.Logger
	// OnReady, if set, is called once, when getMe first succeeds (in New or
	// later in the background).
	OnReady func(ctx context.Context, c *Channel)
}

// Me is the bot's account, from getMe.
type Me struct {
	ID            string `json:"id"`
	AccountName   string `json:"account_name"`
	AccountType   string `json:"account_type"`
	CanJoinGroups bool   `json:"can_join_groups"`
}

// Channel is the Zalo channel.
type Channel struct {
	cfg   Config
	log   *slog.Logger
	http  *http.Client
	base  string // <APIURL>/bot<token>/
	ready *bot.Readiness

	mu sync.Mutex
	me Me // from getMe, once ready
}

var _ bot.Channel = (*Channel)(nil)

// botID returns the bot's own id, which keys its update ids: the part of
// the token before a colon, or else a digest of the token (never the
// token itself).
func (c *Channel) botID() string {
	if id, _, ok := strings.Cut(c.cfg.Token, ":"); ok {
		return id
	}
	sum := sha256.Sum256([]byte(c.cfg.Token))
	return hex.EncodeToString(sum[:8])
}

// New returns the Zalo channel. It checks the token with getMe, bounded by
// SendTimeout and at most 5 s; if that fails, New still returns the
// channel, not ready (see Health), and retries getMe in the background until
// it succeeds or ctx ends: with exponential backoff after network errors,
// every minute after a refused token. Receive waits until the channel is
// ready. New fails only without a token.
func New(ctx context.Context, cfg Config) (*Channel, error) {
	if cfg.Token == "" {
		return nil, &bot.Error{Kind: bot.ErrPermanent, Err: errors.New("zalo: token required")}
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://bot-api.zaloplatforms.com"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.PollTimeout < time.Second {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Channel{cfg: cfg, log: cfg.Logger, http: cfg.HTTPClient, ready: bot.NewReadiness("zalo"),
		base: strings.TrimSuffix(cfg.APIURL, "/") + "/bot" + cfg.Token + "/"}
	if c.ready.Try(ctx, c.log, c.getMe) != nil && ctx.Err() == nil {
		go c.ready.Retry(ctx, c.log, c.getMe)
	}
	return c, nil
}

// startTimeout bounds a getMe at start, so that New returns promptly when
// Zalo is unreachable.
const startTimeout = 5 * time.Second

// getMe reads the bot's account; the first success makes the channel ready
// and calls Config.OnReady.
func (c *Channel) getMe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, min(c.cfg.SendTimeout, startTimeout))
	defer cancel()
	var me Me
	if err := c.call(ctx, "getMe", nil, &me); err != nil {
		return fmt.Errorf("zalo getMe: %w", classify(err))
	}
	c.mu.Lock()
	first := c.me.ID == ""
	c.me = me
	c.mu.Unlock()
	if first && c.cfg.OnReady != nil {
		c.cfg.OnReady(context.WithoutCancel(ctx), c)
	}
	return nil
}

// Health reports whether the channel is ready, and why not: "starting: zalo
// unreachable (retrying)" or "unauthorized: the bot token was refused".
func (c *Channel) Health() (ok bool, reason string) { return c.ready.Health() }

// Ready is closed when getMe first succeeds.
func (c *Channel) Ready() <-chan struct{} { return c.ready.Ready() }

// Name returns "zalo".
func (c *Channel) Name() string { return "zalo" }

// Me returns the bot's account from getMe; zero until the channel is ready.
func (c *Channel) Me() Me {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.me
}

// Caps: plain text of at most 2000 characters. Photos is false because
// sendPhoto takes a public URL, not uploaded bytes.
func (c *Channel) Caps() bot.Caps { return bot.Caps{MaxText: MaxText} }

// Send delivers m's text, split into parts of at most MaxText characters
// (at line breaks when it can), one sendMessage each; it returns the last
// part's message id. Zalo cannot carry files: a Document or Photo is named
// in the text instead, and buttons are dropped (the core sends choices as
// text on channels without Buttons). Failures are *bot.Error; when a later
// part fails, earlier parts have been delivered.
func (c *Channel) Send(ctx context.Context, chatID string, m bot.Outgoing) (string, error) {
	if chatID == "" {
		return "", &bot.Error{Kind: bot.ErrPermanent, Err: errors.New("zalo: empty chat id")}
	}
	text := m.Text
	for _, f := range []*convene.File{m.Document, m.Photo} {
		if f != nil {
			text = strings.TrimRight(text, "\n") + "\n📎 " + f.Name
		}
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", &bot.Error{Kind: bot.ErrPermanent, Err: errors.New("zalo: empty message")}
	}
	var last string
	for _, part := range Split(text, MaxText) {
		var res struct {
			MessageID string `json:"message_id"`
		}
		if err := c.request(ctx, "sendMessage", map[string]string{"chat_id": chatID, "text": part}, &res); err != nil {
			return last, err
		}
		last = res.MessageID
	}
	return last, nil
}

// request is call bounded by SendTimeout, with the error classified.
func (c *Channel) request(ctx context.Context, method string, params, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	return classify(c.call(ctx, method, params, out))
}

// Edit returns ErrPermanent: Zalo bots cannot edit sent messages (Caps().Edit is false).
func (c *Channel) Edit(ctx context.Context, chatID, messageID string, m bot.Outgoing) error {
	return &bot.Error{Kind: bot.ErrPermanent, Err: errors.New("zalo: edit not supported")}
}

// Answer does nothing: Zalo has no buttons to acknowledge.
func (c *Channel) Answer(ctx context.Context, callbackID, text string) error { return nil }

// SendChatAction shows "typing" (the one action Zalo offers so far).
func (c *Channel) SendChatAction(ctx context.Context, chatID, action string) error {
	return c.request(ctx, "sendChatAction", map[string]string{"chat_id": chatID, "action": action}, nil)
}

// Split cuts text into parts of at most limit UTF-16 code units, never inside
// a character: after the last line break in the part's second half, else
// after its last space there, else hard. Line breaks at a cut are dropped,
// and so are parts left empty.
func Split(text string, limit int) []string {
	var parts []string
	rs := []rune(text)
	for {
		cut, size := 0, 0
		for cut < len(rs) && size+units(rs[cut]) <= limit {
			size += units(rs[cut])
			cut++
		}
		if cut == len(rs) {
			break
		}
		cut = max(breakAt(rs, cut), 1)
		if p := strings.TrimRight(string(rs[:cut]), "\n "); p != "" {
			parts = append(parts, p)
		}
		rs = rs[cut:]
		for len(rs) > 0 && rs[0] == '\n' {
			rs = rs[1:]
		}
	}
	if p := string(rs); strings.TrimSpace(p) != "" || len(parts) == 0 {
		parts = append(parts, p)
	}
	return parts
}

// breakAt returns where to cut rs[:cut]: after a line break, else after a
// space, in its second half; else cut.
func breakAt(rs []rune, cut int) int {
	for _, sep := range []rune{'\n', ' '} {
		for i := cut; i > cut/2; i-- {
			if rs[i-1] == sep {
				return i
			}
		}
	}
	return cut
}

// units is a rune's length in UTF-16 code units; an invalid rune counts one.
func units(r rune) int { return max(utf16.RuneLen(r), 1) }
