package zalotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// User is a simulated Zalo user in a private chat with the bot (chat id =
// user id, as Zalo's samples show).
type User struct {
	s    *Server
	ID   string
	Name string
}

// NewUser adds a user the bot may write to.
func (s *Server) NewUser(id, name string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &User{s: s, ID: id, Name: name}
	s.users[id] = u
	s.chats[id] = true
	return u
}

// Text returns a message.text.received update from u in their private chat,
// without queueing it (for PostWebhook). Its message id is filled in when
// it is queued or posted.
func (u *User) Text(text string) Update {
	return Update{EventName: "message.text.received", Message: &Message{
		From: Sender{ID: u.ID, DisplayName: u.Name},
		Chat: Chat{ID: u.ID, ChatType: "PRIVATE"},
		Text: text,
	}}
}

// Send queues a text from u for getUpdates and returns its message id.
func (u *User) Send(text string) string {
	return u.s.Queue(u.Text(text)).Message.MessageID
}

// SendSticker queues a sticker from u and returns its message id.
func (u *User) SendSticker(sticker string) string {
	up := u.Text("")
	up.EventName, up.Message.Sticker = "message.sticker.received", sticker
	return u.s.Queue(up).Message.MessageID
}

// Sent returns what the bot sent to chatID, in order.
func (s *Server) Sent(chatID string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.ChatID == chatID {
			out = append(out, m)
		}
	}
	return out
}

// Messages returns the texts (and captions) the bot sent to chatID, in order.
func (s *Server) Messages(chatID string) []string {
	var out []string
	for _, m := range s.Sent(chatID) {
		out = append(out, m.Text)
	}
	return out
}

// WaitMessages waits until the bot sent at least n messages to chatID and
// returns their texts; after timeout it returns what there is and an error.
func (s *Server) WaitMessages(timeout time.Duration, chatID string, n int) ([]string, error) {
	var got []string
	if s.WaitFor(timeout, func() bool { got = s.Messages(chatID); return len(got) >= n }) {
		return got, nil
	}
	return got, fmt.Errorf("zalotest: %d of %d messages to %s after %s: %q", len(got), n, chatID, timeout, got)
}

// WaitFor polls cond until it holds or timeout passes, and reports whether it held.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-deadline.C:
			return cond()
		case <-changed:
		case <-tick.C:
		}
	}
}

// PostWebhook simulates Zalo calling the bot's webhook: it posts u, wrapped
// as Zalo's documentation shows ({"ok":true,"result":u}), to url with secret
// in the X-Bot-Api-Secret-Token header (no header if secret is ""), and
// returns the answer's status code.
func (s *Server) PostWebhook(url, secret string, u Update) (int, error) {
	if u.Message != nil {
		m := *u.Message
		s.mu.Lock()
		if m.MessageID == "" {
			m.MessageID = s.newID()
		}
		s.chats[m.Chat.ID] = true
		s.mu.Unlock()
		if m.Date == 0 {
			m.Date = time.Now().UnixMilli()
		}
		u.Message = &m
	}
	body, err := json.Marshal(envelope{OK: true, Result: u})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Bot-Api-Secret-Token", secret)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
