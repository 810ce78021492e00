package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"

	"github.com/convene/convene/bot"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// SetWebhook asks Telegram to post updates (messages and button presses) to
// url with secret in the X-Telegram-Bot-Api-Secret-Token header. v5.5.1's
// WebhookConfig lacks secret_token, so the call is made with raw parameters.
func (c *Channel) SetWebhook(ctx context.Context, url, secret string) error {
	params := tgbotapi.Params{"url": url}
	params.AddNonEmpty("secret_token", secret)
	if err := params.AddInterface("allowed_updates", allowedUpdates); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	_, err := c.api(ctx).MakeRequest("setWebhook", params)
	return classify(err)
}

// WebhookHandler serves Telegram's webhook calls. secret ("" for
// Config.WebhookSecret) is compared in constant time with the
// X-Telegram-Bot-Api-Secret-Token header: a missing or wrong one gets 401
// and nothing is processed, and with no secret at all every call is refused.
// A good update is handed to handle (the core's Accept, which stores it) and
// answered 200 only once handle returned nil; if it fails, the answer is 503
// and Telegram sends the update again. Repeats are the core's to drop.
func (c *Channel) WebhookHandler(secret string, handle func(context.Context, *bot.Incoming) error) http.Handler {
	if secret == "" {
		secret = c.cfg.WebhookSecret
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var u tgbotapi.Update
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&u); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if in := c.incoming(u); in != nil {
			if err := c.run(r.Context(), handle, in); err != nil {
				c.log.Error("telegram webhook update not stored: Telegram will send it again", "update", in.UpdateID, "err", err)
				http.Error(w, "not stored", http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}
