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

// SetWebhook asks Telegram to post updates to url with secret in the
// X-Telegram-Bot-Api-Secret-Token header. v5.5.1's WebhookConfig lacks
// secret_token, so it is passed as a raw parameter.
func (c *Channel) SetWebhook(ctx context.Context, url, secret string) error {
	params := tgbotapi.Params{"url": url, "secret_token": secret}
	params.AddNonEmpty("allowed_updates", `["message","callback_query"]`)
	_, err := c.api(ctx).MakeRequest("setWebhook", params)
	return classify(err)
}

// webhookWorkers bounds the updates handled at once from the webhook.
const webhookWorkers = 32

// WebhookHandler receives Telegram's webhook calls: a missing or wrong
// secret gets 401 and nothing is processed; a good update is answered 200 at
// once and handled in the background (repeats are dropped by the core).
func (c *Channel) WebhookHandler(secret string, handle func(context.Context, *bot.Incoming) error) http.Handler {
	sem := make(chan struct{}, webhookWorkers)
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
		w.WriteHeader(http.StatusOK)
		in := Incoming(u)
		if in == nil {
			return
		}
		ctx := context.WithoutCancel(r.Context())
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := handle(ctx, in); err != nil {
				c.log.Error("handle webhook update", "update", in.UpdateID, "err", err)
			}
		}()
	})
}
