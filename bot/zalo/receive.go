package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/convene/convene/bot"
)

// update is one Zalo event, as getUpdates returns it in "result" and the
// webhook posts it. Zalo's documentation shows the sender's name as
// display_name; older samples and SDKs use first_name or name, read as
// fallbacks.
type update struct {
	EventName string   `json:"event_name"`
	Message   *message `json:"message"`
}

type message struct {
	From struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
		Name        string `json:"name"`
		FirstName   string `json:"first_name"`
		IsBot       bool   `json:"is_bot"`
	} `json:"from"`
	Chat struct {
		ID       string `json:"id"`
		ChatType string `json:"chat_type"` // PRIVATE or GROUP
	} `json:"chat"`
	Text      string `json:"text"`
	MessageID string `json:"message_id"`
	Date      int64  `json:"date"`
}

// incoming converts an update to the core's form; nil for what it ignores:
// events other than message.text.received (images, stickers, voice,
// unsupported), messages from bots, empty texts, and group messages that
// are not commands. UpdateID is Zalo's message_id.
func (c *Channel) incoming(u *update) *bot.Incoming {
	in := incoming(u)
	if in != nil {
		in.BotID = c.botID()
	}
	return in
}

func incoming(u *update) *bot.Incoming {
	if u == nil || u.EventName != "message.text.received" || u.Message == nil {
		return nil
	}
	m := u.Message
	text := strings.TrimSpace(m.Text)
	if m.From.ID == "" || m.Chat.ID == "" || m.From.IsBot || text == "" {
		return nil
	}
	private := !strings.EqualFold(m.Chat.ChatType, "GROUP")
	in := &bot.Incoming{Channel: "zalo", UpdateID: m.MessageID, UserID: m.From.ID, ChatID: m.Chat.ID,
		Name: firstOf(m.From.DisplayName, m.From.Name, m.From.FirstName), Text: text, Private: private}
	if rest, ok := strings.CutPrefix(text, "/"); ok {
		cmd, args := rest, ""
		if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
			cmd, args = rest[:i], strings.TrimSpace(rest[i:])
		}
		if cmd != "" {
			in.Command, in.Args = cmd, args
		}
	}
	if !private && in.Command == "" {
		return nil
	}
	return in
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// decodeUpdates reads getUpdates' result: one update object, as Zalo
// documents, or (defensively) a list of them; nothing for null or {}.
func decodeUpdates(raw json.RawMessage) ([]*update, error) {
	raw = json.RawMessage(strings.TrimSpace(string(raw)))
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var us []*update
		return us, json.Unmarshal(raw, &us)
	}
	var u update
	if err := json.Unmarshal(raw, &u); err != nil {
		return nil, err
	}
	return []*update{&u}, nil
}

// Receive long-polls getUpdates until ctx ends, handling each update before
// asking for the next. It first deletes any webhook (Zalo serves
// getUpdates only without one).
//
// Zalo's getUpdates has no offset to confirm updates with: it returns one
// update per call and forgets it, and answers 408 when its timeout passes
// with none. So each update is handed to handle (the core's Accept, which
// stores it in the inbox) before the next call, and a failing handle is
// retried with backoff until it stores the update or ctx ends: a crash can
// lose at most the updates of the one call in flight, fetched but not yet
// stored. Repeats (Zalo retrying a webhook, or both modes briefly on) carry
// the same message_id, which is the UpdateID the core deduplicates with.
//
// Errors are retried with jittered backoff from 1 s to 30 s, a 429 after
// its retry_after; Receive returns nil when ctx ends. It first waits until
// the channel is ready (getMe succeeded, see New).
func (c *Channel) Receive(ctx context.Context, handle func(context.Context, *bot.Incoming) error) error {
	if !c.ready.Wait(ctx) {
		return nil
	}
	if err := c.DeleteWebhook(ctx); err != nil && ctx.Err() == nil {
		c.log.Warn("zalo deleteWebhook", "err", err)
	}
	backoff := time.Second
	for ctx.Err() == nil {
		ups, err := c.getUpdates(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ae *APIError
			if errors.As(err, &ae) && ae.Code == http.StatusRequestTimeout {
				backoff = time.Second // the long poll ended empty
				continue
			}
			wait := backoff/2 + rand.N(backoff/2+1)
			if ra := bot.RetryAfterOf(classify(err)); ra > 0 {
				wait = ra + rand.N(ra/10+1)
			} else {
				backoff = min(backoff*2, 30*time.Second)
			}
			c.log.Warn("zalo getUpdates failed", "err", err, "retry_in", wait)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			continue
		}
		backoff = time.Second
		for _, u := range ups {
			in := c.incoming(u)
			if in == nil {
				continue
			}
			for try := time.Second; ; try = min(try*2, 30*time.Second) {
				err := handle(ctx, in)
				if err == nil || ctx.Err() != nil {
					break
				}
				c.log.Error("zalo update not stored: trying again", "update", in.UpdateID, "chat", in.ChatID, "err", err, "retry_in", try)
				select {
				case <-ctx.Done():
				case <-time.After(try):
				}
			}
		}
	}
	return nil
}

// getUpdates makes one long poll.
func (c *Channel) getUpdates(ctx context.Context) ([]*update, error) {
	secs := int(c.cfg.PollTimeout / time.Second)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.PollTimeout+c.cfg.SendTimeout)
	defer cancel()
	var raw json.RawMessage
	if err := c.call(ctx, "getUpdates", map[string]string{"timeout": strconv.Itoa(secs)}, &raw); err != nil {
		return nil, err
	}
	return decodeUpdates(raw)
}
