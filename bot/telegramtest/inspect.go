package telegramtest

import (
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Messages returns copies of everything the bot sent to chatID, in order, deleted ones included.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	out := make([]Message, len(c.messages))
	for i, m := range c.messages {
		out[i] = *m
	}
	return out
}

// Last returns the bot's latest message to chatID, or nil.
func (s *Server) Last(chatID int64) *Message {
	ms := s.Messages(chatID)
	if len(ms) == 0 {
		return nil
	}
	return &ms[len(ms)-1]
}

// Message returns the bot's message msgID in chatID, or nil.
func (s *Server) Message(chatID int64, msgID int) *Message {
	for _, m := range s.Messages(chatID) {
		if m.ID == msgID {
			return &m
		}
	}
	return nil
}

// WaitFor waits until cond holds or timeout passes, re-checking whenever
// the bot sends something; it reports whether cond held.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WaitMessages waits until the bot sent at least n messages to chatID and returns them.
func (s *Server) WaitMessages(timeout time.Duration, chatID int64, n int) []Message {
	s.WaitFor(timeout, func() bool { return len(s.Messages(chatID)) >= n })
	return s.Messages(chatID)
}

// Answers returns the answerCallbackQuery calls made.
func (s *Server) Answers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.answers...)
}

// Answered reports whether the callback query id was answered.
func (s *Server) Answered(id string) bool {
	for _, a := range s.Answers() {
		if a.ID == id {
			return true
		}
	}
	return false
}

// Commands returns the command menu registered for languageCode ("" default).
func (s *Server) Commands(languageCode string) []tgbotapi.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]tgbotapi.BotCommand(nil), s.commands[languageCode]...)
}

// ChatCommands returns the command menu registered for one chat (scope "chat").
func (s *Server) ChatCommands(chatID int64) []tgbotapi.BotCommand {
	return s.Commands("chat:" + strconv.FormatInt(chatID, 10))
}

// Webhook returns the registered webhook URL and secret.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}

// Pending returns how many updates were not confirmed by an offset yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, u := range s.updates {
		if u.UpdateID >= s.confirmed {
			n++
		}
	}
	return n
}

// Stats returns a copy of the request counts.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests = map[string]int{}
	for k, v := range s.stats.Requests {
		st.Requests[k] = v
	}
	return st
}

// SendTimes returns when each sending call arrived, answered or not.
func (s *Server) SendTimes() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.sendTimes...)
}
