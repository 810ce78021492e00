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
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/convene/convene/bot"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Config configures the adapter.
type Config struct {
	Token string
	// APIURL is the Bot API base URL; the adapter appends /bot<token>/<method>.
	APIURL string
	// PollTimeout is the long-poll timeout; default 50s.
	PollTimeout time.Duration
	// SendTimeout bounds each send; default 30s.
	SendTimeout time.Duration
	Logger      *slog.Logger
}

// Channel is the Telegram channel.
type Channel struct {
	cfg  Config
	log  *slog.Logger
	send *tgbotapi.BotAPI // requests carry each call's context
	self tgbotapi.User
}

var _ bot.Channel = (*Channel)(nil)

// ctxClient is the HTTP client given to the library, which has no context:
// it attaches ctx to every request, so cancelling ctx aborts the call (a
// long poll included).
type ctxClient struct {
	ctx  context.Context
	base *http.Client
}

func (c *ctxClient) Do(r *http.Request) (*http.Response, error) {
	return c.base.Do(r.WithContext(c.ctx))
}

var sharedHTTP = &http.Client{}

// api returns a library instance whose requests carry ctx.
func (c *Channel) api(ctx context.Context) *tgbotapi.BotAPI {
	a := *c.send
	a.Client = &ctxClient{ctx: ctx, base: sharedHTTP}
	return &a
}

// New connects to Telegram: it checks the token with getMe.
func New(ctx context.Context, cfg Config) (*Channel, error) {
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
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
	gctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	api, err := tgbotapi.NewBotAPIWithClient(cfg.Token, endpoint, &ctxClient{ctx: gctx, base: sharedHTTP})
	if err != nil {
		return nil, fmt.Errorf("getMe: %w", classify(err))
	}
	return &Channel{cfg: cfg, log: cfg.Logger, send: api, self: api.Self}, nil
}

// Name returns "telegram".
func (c *Channel) Name() string { return "telegram" }

// Username returns the bot's username from getMe.
func (c *Channel) Username() string { return c.self.UserName }

// Caps: Telegram has buttons, edits, documents, photos and contact sharing.
func (c *Channel) Caps() bot.Caps {
	return bot.Caps{MaxText: 4096, Buttons: true, Edit: true, Documents: true, Photos: true, RequestContact: true}
}

// classify maps a library or network error to a *bot.Error, once, here.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		desc := strings.ToLower(te.Message)
		switch {
		case te.Code == 429:
			wait := time.Duration(te.RetryAfter) * time.Second
			if wait <= 0 {
				wait = time.Second
			}
			return &bot.Error{Kind: bot.ErrRateLimited, RetryAfter: wait, Err: err}
		case te.Code == 403,
			te.Code == 400 && (strings.Contains(desc, "chat not found") || strings.Contains(desc, "user not found") ||
				strings.Contains(desc, "peer_id_invalid") || strings.Contains(desc, "user is deactivated")):
			return &bot.Error{Kind: bot.ErrUnreachable, Err: err}
		case te.Code >= 500:
			return &bot.Error{Kind: bot.ErrTemporary, Err: err}
		}
		return &bot.Error{Kind: bot.ErrPermanent, Err: fmt.Errorf("telegram %d: %w", te.Code, err)}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return &bot.Error{Kind: bot.ErrTemporary, Err: err}
	}
	// A body that is not JSON (a proxy's 502 page) and other transport errors.
	return &bot.Error{Kind: bot.ErrTemporary, Err: err}
}

// Send delivers m, splitting long texts; it returns the last part's message id.
func (c *Channel) Send(ctx context.Context, chatID string, m bot.Outgoing) (string, error) {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return "", &bot.Error{Kind: bot.ErrPermanent, Err: fmt.Errorf("bad chat id %q", chatID)}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	api := c.api(ctx)
	text := m.Text
	file := m.Document
	if file == nil {
		file = m.Photo
	}
	// A file's caption holds at most 1024 characters: longer texts go first on their own.
	if file != nil && len([]rune(text)) > 1024 {
		if _, err := c.sendTexts(api, id, text, bot.Outgoing{}); err != nil {
			return "", err
		}
		text = ""
	}
	if file != nil {
		var cfg tgbotapi.Chattable
		fb := tgbotapi.FileBytes{Name: file.Name, Bytes: file.Data}
		if m.Photo != nil {
			p := tgbotapi.NewPhoto(id, fb)
			p.Caption, p.ReplyMarkup = text, markup(m)
			cfg = p
		} else {
			d := tgbotapi.NewDocument(id, fb)
			d.Caption, d.ReplyMarkup = text, markup(m)
			cfg = d
		}
		msg, err := api.Send(cfg)
		if err != nil {
			return "", classify(err)
		}
		return strconv.Itoa(msg.MessageID), nil
	}
	return c.sendTexts(api, id, text, m)
}

// sendTexts sends text in parts of at most 4096 characters; the last part carries m's markup.
func (c *Channel) sendTexts(api *tgbotapi.BotAPI, chatID int64, text string, m bot.Outgoing) (string, error) {
	parts := Split(text, 4096)
	var last string
	for i, p := range parts {
		msg := tgbotapi.NewMessage(chatID, p)
		msg.DisableWebPagePreview = true
		if i == len(parts)-1 {
			msg.ReplyMarkup = markup(m)
		}
		sent, err := api.Send(msg)
		if err != nil {
			return "", classify(err)
		}
		last = strconv.Itoa(sent.MessageID)
	}
	return last, nil
}

// markup converts buttons and keyboard requests to Telegram's reply markup, nil if none.
func markup(m bot.Outgoing) any {
	switch {
	case len(m.Buttons) > 0:
		return inlineKeyboard(m)
	case m.RequestContact != "":
		kb := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(m.RequestContact)))
		kb.OneTimeKeyboard = true
		return kb
	case m.RemoveKeyboard:
		return tgbotapi.NewRemoveKeyboard(true)
	}
	return nil
}

func inlineKeyboard(m bot.Outgoing) tgbotapi.InlineKeyboardMarkup {
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, row := range m.Buttons {
		var r []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			if b.URL != "" {
				r = append(r, tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
			} else {
				r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
		}
		rows = append(rows, r)
	}
	return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// Split cuts text into parts of at most max characters, at line breaks when it can.
func Split(text string, max int) []string { return bot.SplitText(text, max) }

// Edit replaces a message's text and inline buttons; "not modified" counts as success.
func (c *Channel) Edit(ctx context.Context, chatID, messageID string, m bot.Outgoing) error {
	cid, err1 := strconv.ParseInt(chatID, 10, 64)
	mid, err2 := strconv.Atoi(messageID)
	if err1 != nil || err2 != nil {
		return &bot.Error{Kind: bot.ErrPermanent, Err: fmt.Errorf("bad chat %q or message %q", chatID, messageID)}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	text := m.Text
	if len([]rune(text)) > 4096 {
		text = Split(text, 4096)[0]
	}
	e := tgbotapi.NewEditMessageText(cid, mid, text)
	e.DisableWebPagePreview = true
	if len(m.Buttons) > 0 {
		kb := inlineKeyboard(m)
		e.ReplyMarkup = &kb
	}
	_, err := c.api(ctx).Send(e)
	var te *tgbotapi.Error
	if errors.As(err, &te) && strings.Contains(te.Message, "message is not modified") {
		return nil
	}
	return classify(err)
}

// Answer acknowledges a button press.
func (c *Channel) Answer(ctx context.Context, callbackID, text string) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	_, err := c.api(ctx).Request(tgbotapi.NewCallback(callbackID, text))
	return classify(err)
}

// SendChatAction shows "typing…" or similar.
func (c *Channel) SendChatAction(ctx context.Context, chatID, action string) error {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return err
	}
	_, err = c.api(ctx).Request(tgbotapi.NewChatAction(id, action))
	return classify(err)
}

// SetCommands registers the command menu for a language ("" for the default).
func (c *Channel) SetCommands(ctx context.Context, lang string, cmds []bot.MenuCommand) error {
	out := make([]tgbotapi.BotCommand, len(cmds))
	for i, cmd := range cmds {
		out[i] = tgbotapi.BotCommand{Command: cmd.Name, Description: cmd.Description}
	}
	cfg := tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), lang, out...)
	_, err := c.api(ctx).Request(cfg)
	return classify(err)
}

// SetChatCommands registers the command menu of one chat, e.g. an organizer's.
func (c *Channel) SetChatCommands(ctx context.Context, chatID string, cmds []bot.MenuCommand) error {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return &bot.Error{Kind: bot.ErrPermanent, Err: fmt.Errorf("bad chat id %q", chatID)}
	}
	out := make([]tgbotapi.BotCommand, len(cmds))
	for i, cmd := range cmds {
		out[i] = tgbotapi.BotCommand{Command: cmd.Name, Description: cmd.Description}
	}
	_, err = c.api(ctx).Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(id), out...))
	return classify(err)
}

// Receive long-polls for updates until ctx ends. Each batch is handled
// concurrently across chats, in order within a chat, and confirmed (the
// offset advanced) only after every handler returned: a crash loses nothing,
// Telegram sends unconfirmed updates again and the core drops repeats.
func (c *Channel) Receive(ctx context.Context, handle func(context.Context, *bot.Incoming) error) error {
	if _, err := c.api(ctx).Request(tgbotapi.DeleteWebhookConfig{}); err != nil && ctx.Err() == nil {
		c.log.Warn("deleteWebhook", "err", err)
	}
	offset, backoff := 0, time.Second
	for ctx.Err() == nil {
		ups, err := c.api(ctx).GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 100,
			Timeout: int(c.cfg.PollTimeout / time.Second), AllowedUpdates: []string{"message", "callback_query"}})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			wait := backoff
			if ra := bot.RetryAfterOf(classify(err)); ra > 0 {
				wait = ra
			} else {
				backoff = min(backoff*2, 30*time.Second)
			}
			wait = wait/2 + rand.N(wait/2+1)
			c.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			continue
		}
		backoff = time.Second
		if len(ups) == 0 {
			continue
		}
		c.handleBatch(ctx, ups, handle)
		if ctx.Err() != nil {
			// Not confirmed: handlers may have been cut short; Telegram sends them again.
			return nil
		}
		offset = ups[len(ups)-1].UpdateID + 1
	}
	return nil
}

// handleBatch runs the batch's updates, one goroutine per chat, in order within each chat.
func (c *Channel) handleBatch(ctx context.Context, ups []tgbotapi.Update, handle func(context.Context, *bot.Incoming) error) {
	byChat := map[string][]*bot.Incoming{}
	var order []string
	for _, u := range ups {
		in := Incoming(u)
		if in == nil {
			continue
		}
		if _, ok := byChat[in.ChatID]; !ok {
			order = append(order, in.ChatID)
		}
		byChat[in.ChatID] = append(byChat[in.ChatID], in)
	}
	var wg sync.WaitGroup
	for _, chat := range order {
		wg.Add(1)
		go func(ins []*bot.Incoming) {
			defer wg.Done()
			for _, in := range ins {
				if err := handle(ctx, in); err != nil {
					c.log.Error("handle update", "update", in.UpdateID, "chat", in.ChatID, "err", err)
				}
			}
		}(byChat[chat])
	}
	wg.Wait()
}

// Incoming converts an update to the core's form; nil for updates it ignores
// (edits, channel posts, bots, non-command group chatter).
func Incoming(u tgbotapi.Update) *bot.Incoming {
	in := &bot.Incoming{Channel: "telegram", UpdateID: strconv.Itoa(u.UpdateID)}
	switch {
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		if cq.From == nil || cq.Message == nil || cq.Message.Chat == nil {
			return nil
		}
		in.UserID, in.Name, in.LangCode = strconv.FormatInt(cq.From.ID, 10), fullName(cq.From), cq.From.LanguageCode
		in.ChatID = strconv.FormatInt(cq.Message.Chat.ID, 10)
		in.CallbackID, in.CallbackData, in.MessageID = cq.ID, cq.Data, strconv.Itoa(cq.Message.MessageID)
		in.Private = cq.Message.Chat.IsPrivate() && cq.Message.Chat.ID == cq.From.ID
	case u.Message != nil:
		m := u.Message
		if m.From == nil || m.From.IsBot || m.Chat == nil {
			return nil
		}
		if !m.Chat.IsPrivate() && !m.IsCommand() {
			return nil
		}
		in.UserID, in.Name, in.LangCode = strconv.FormatInt(m.From.ID, 10), fullName(m.From), m.From.LanguageCode
		in.ChatID, in.Text = strconv.FormatInt(m.Chat.ID, 10), m.Text
		in.Private = m.Chat.IsPrivate()
		if m.IsCommand() {
			in.Command, in.Args = m.Command(), strings.TrimSpace(m.CommandArguments())
		}
		if m.Contact != nil {
			in.Contact = &bot.Contact{Phone: m.Contact.PhoneNumber, UserID: strconv.FormatInt(m.Contact.UserID, 10)}
		}
	default:
		return nil
	}
	return in
}

func fullName(u *tgbotapi.User) string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}
