package telegram

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/convene/convene/bot"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// allowedUpdates are the update kinds the bot asks for.
var allowedUpdates = []string{"message", "callback_query"}

// Backoff after failed polls: doubling from the first to the last, jittered.
var (
	backoffFirst = time.Second
	backoffMax   = 30 * time.Second
)

// Receive long-polls for updates until ctx ends, then returns nil. Each
// batch is handed to handle (the core's Accept, which stores it) in order,
// and confirmed (the offset advanced) only after handle returned nil for
// every update of it: a crash loses nothing, Telegram sends unconfirmed
// updates again and the core drops repeats. If handle fails, the batch is
// fetched again after a backoff. Failed polls are retried, after
// retry_after on a 429, else with backoff.
//
// With Config.WebhookURL set, Receive registers the webhook instead and
// waits for ctx; updates then arrive through WebhookHandler.
//
// Receive first waits until the channel is ready (getMe succeeded, see New).
func (c *Channel) Receive(ctx context.Context, handle func(context.Context, *bot.Incoming) error) error {
	if !c.ready.Wait(ctx) {
		return nil
	}
	if c.cfg.WebhookURL != "" {
		if err := c.SetWebhook(ctx, c.cfg.WebhookURL, c.cfg.WebhookSecret); err != nil {
			return fmt.Errorf("telegram setWebhook: %w", err)
		}
		<-ctx.Done()
		return nil
	}
	if _, err := c.api(ctx).Request(tgbotapi.DeleteWebhookConfig{}); err != nil && ctx.Err() == nil {
		c.log.Warn("telegram deleteWebhook", "err", err)
	}
	offset, backoff := 0, backoffFirst
	for ctx.Err() == nil {
		ups, err := c.poll(ctx, offset)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			wait := bot.RetryAfterOf(err) // honoured as is, for the whole bot
			if wait == 0 {
				wait = backoff/2 + rand.N(backoff/2+1)
				backoff = min(backoff*2, backoffMax)
			}
			c.log.Warn("telegram getUpdates failed", "err", err, "retry_in", wait)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			continue
		}
		if len(ups) == 0 {
			backoff = backoffFirst
			continue
		}
		if err := c.handleBatch(ctx, ups, handle); err != nil {
			if ctx.Err() != nil {
				return nil // not confirmed: Telegram sends them again
			}
			wait := backoff/2 + rand.N(backoff/2+1)
			backoff = min(backoff*2, backoffMax)
			c.log.Error("telegram updates not stored: fetching them again", "err", err, "retry_in", wait)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			continue
		}
		backoff = backoffFirst
		offset = ups[len(ups)-1].UpdateID + 1
	}
	return nil
}

// poll makes one getUpdates call, bounded by a little more than the long-poll
// timeout in case the answer never comes.
func (c *Channel) poll(ctx context.Context, offset int) ([]tgbotapi.Update, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.PollTimeout+15*time.Second)
	defer cancel()
	ups, err := c.api(ctx).GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 100,
		Timeout: int(c.cfg.PollTimeout / time.Second), AllowedUpdates: allowedUpdates})
	return ups, classify(err)
}

// handleBatch hands the batch's updates to handle, one goroutine per chat
// in the chat's order, chats side by side (the core commits what arrives
// together in one transaction), and returns the first error; a panic
// counts as one.
func (c *Channel) handleBatch(ctx context.Context, ups []tgbotapi.Update, handle func(context.Context, *bot.Incoming) error) error {
	var chats [][]*bot.Incoming
	index := map[string]int{}
	for _, u := range ups {
		in := c.incoming(u)
		if in == nil {
			continue
		}
		i, ok := index[in.ChatID]
		if !ok {
			i = len(chats)
			index[in.ChatID] = i
			chats = append(chats, nil)
		}
		chats[i] = append(chats[i], in)
	}
	errs := make([]error, len(chats))
	var wg sync.WaitGroup
	for i, ins := range chats {
		wg.Go(func() {
			for _, in := range ins {
				if errs[i] = c.run(ctx, handle, in); errs[i] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// run hands one update to handle, turning a panic into an error.
func (c *Channel) run(ctx context.Context, handle func(context.Context, *bot.Incoming) error, in *bot.Incoming) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("telegram update %s: panic: %v", in.UpdateID, p)
		}
	}()
	return handle(ctx, in)
}

// incoming converts an update to the core's form; nil for updates it
// ignores: edits, channel posts, bots, group chatter that is not a command,
// and commands addressed to another bot ("/start@other_bot").
func (c *Channel) incoming(u tgbotapi.Update) *bot.Incoming {
	in := &bot.Incoming{Channel: "telegram", BotID: c.botID(), UpdateID: strconv.Itoa(u.UpdateID)}
	switch {
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		if cq.From == nil || cq.Message == nil || cq.Message.Chat == nil {
			return nil // a button on an inline-mode message: not ours
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
		command := isCommand(m)
		if command {
			if _, to, ok := strings.Cut(m.CommandWithAt(), "@"); ok && !strings.EqualFold(to, c.Username()) {
				return nil
			}
		}
		if !m.Chat.IsPrivate() && !command {
			return nil
		}
		in.UserID, in.Name, in.LangCode = strconv.FormatInt(m.From.ID, 10), fullName(m.From), m.From.LanguageCode
		in.ChatID, in.Text, in.Private = strconv.FormatInt(m.Chat.ID, 10), m.Text, m.Chat.IsPrivate()
		if in.Text == "" {
			in.Text = m.Caption
		}
		if command {
			in.Command, in.Args = m.Command(), strings.TrimSpace(m.CommandArguments())
		}
		if m.Contact != nil {
			in.Contact = &bot.Contact{Phone: m.Contact.PhoneNumber, UserID: strconv.FormatInt(m.Contact.UserID, 10),
				Name: strings.TrimSpace(m.Contact.FirstName + " " + m.Contact.LastName)}
		}
	default:
		return nil
	}
	return in
}

// isCommand is m.IsCommand, also checking the entity fits the text: the
// library slices the text by it and would panic on a malformed update.
func isCommand(m *tgbotapi.Message) bool {
	if !m.IsCommand() {
		return false
	}
	n := m.Entities[0].Length
	return n > 1 && n <= len(m.Text)
}

func fullName(u *tgbotapi.User) string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}
