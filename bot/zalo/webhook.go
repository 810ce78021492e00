package zalo

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/convene/convene/bot"
)

// SetWebhook asks Zalo to post updates to url (HTTPS, reachable from the
// internet) with secret in the X-Bot-Api-Secret-Token header. Zalo requires
// a secret of 8 to 256 characters. While a webhook is set, getUpdates does
// not work.
func (c *Channel) SetWebhook(ctx context.Context, url, secret string) error {
	if n := len(secret); n < 8 || n > 256 {
		return &bot.Error{Kind: bot.ErrPermanent, Err: errors.New("zalo: webhook secret must be 8 to 256 characters")}
	}
	return c.request(ctx, "setWebhook", map[string]string{"url": url, "secret_token": secret}, nil)
}

// DeleteWebhook removes the webhook, so that getUpdates works again.
func (c *Channel) DeleteWebhook(ctx context.Context) error {
	return c.request(ctx, "deleteWebhook", nil, nil)
}

// WebhookInfo returns the webhook URL Zalo has, "" if none.
func (c *Channel) WebhookInfo(ctx context.Context) (string, error) {
	var res struct {
		URL string `json:"url"`
	}
	err := c.request(ctx, "getWebhookInfo", nil, &res)
	return res.URL, err
}

// webhookBody is what Zalo posts: its documentation shows the update
// wrapped as {"ok":true,"result":{…}}; some integrations see it bare. Both
// are accepted.
type webhookBody struct {
	Result *update `json:"result"`
	update
}

// WebhookHandler receives Zalo's webhook calls. A missing or wrong
// X-Bot-Api-Secret-Token (compared in constant time) gets 401 and nothing is
// processed; a body that is no update gets 400. A good update is handed to
// handle (the core's Accept, which stores it) and answered 200 only once it
// is stored; if storing fails the call gets 503, for Zalo to retry. Repeats
// carry the same message_id and are dropped by the core.
func (c *Channel) WebhookHandler(secret string, handle func(context.Context, *bot.Incoming) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Bot-Api-Secret-Token")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var body webhookBody
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		u := &body.update
		if body.Result != nil {
			u = body.Result
		}
		if u.EventName == "" {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if in := c.incoming(u); in != nil {
			if err := handle(r.Context(), in); err != nil {
				c.log.Error("zalo webhook update not stored: Zalo will send it again", "update", in.UpdateID, "err", err)
				w.Header().Set("Retry-After", "1")
				http.Error(w, "not stored", http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}
