package telegramtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// DeliverWebhooks makes the server post its updates, as Telegram does once
// a webhook is set, to target (the test's address of the registered URL)
// with the registered secret. Like Telegram, it drops an update only when
// the bot answered it with a 2xx status; on any other answer or a
// connection error it sends the same update again after a pause, so an
// update the bot acknowledged before storing is lost for good. Updates go
// one at a time, in order. Delivery stops when the server closes.
func (s *Server) DeliverWebhooks(target string) {
	go func() {
		client := &http.Client{Timeout: 10 * time.Second}
		for {
			s.mu.Lock()
			for !s.closed && (s.webhook.url == "" || len(s.updates) == 0) {
				s.changed.Wait()
			}
			if s.closed {
				s.mu.Unlock()
				return
			}
			u, secret := s.updates[0], s.webhook.secret
			s.mu.Unlock()
			body, _ := json.Marshal(u)
			req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			resp, err := client.Do(req)
			ok := err == nil && resp.StatusCode/100 == 2
			if resp != nil {
				resp.Body.Close()
			}
			s.mu.Lock()
			if ok && len(s.updates) > 0 && s.updates[0].UpdateID == u.UpdateID {
				s.updates = s.updates[1:]
				s.stats.WebhookDelivered++
			} else if !ok {
				s.stats.WebhookRetries++
			}
			s.mu.Unlock()
			if !ok {
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
}
