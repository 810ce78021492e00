// Package zalotest is a fake Zalo Bot API server for tests, in the manner of
// net/http/httptest: the adapter in bot/zalo talks to it over real HTTP.
// Simulated users write to the bot; getUpdates long-polls and hands out one
// update per call, or answers 408 when its timeout passes with nothing;
// tests read every text the bot sent to a chat. Faults are injected on
// demand: users who blocked the bot, windows of 5xx, forced 429s, one-off
// errors. Webhook mode is simulated with PostWebhook.
//
// The wire shapes follow the Zalo Bot Platform documentation
// (https://bot.zaloplatforms.com/docs): POST /bot<token>/<method> with a JSON
// body, answers {"ok":true,"result":…} or {"ok":false,"error_code":N,
// "description":…}. Where Zalo documents no error (blocked users, unknown
// chats, rate limits) the fake answers in Telegram's manner; see faults.go.
package zalotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// Token is the bot token the server accepts unless Options say otherwise.
const Token = "1459232241454765289:TEST-zalo-token"

// MaxText is the longest text sendMessage accepts, in UTF-16 code units
// (the unit Zalo uses for text_styles offsets; for Vietnamese text it equals
// the character count).
const MaxText = 2000

// Options configure a Server.
type Options struct {
	Token       string // default Token
	AccountName string // default "bot.convene"
	// MaxPollWait caps how long getUpdates waits before answering 408,
	// whatever timeout the bot asked for, so tests stay fast. 0: no cap.
	MaxPollWait time.Duration
}

// Update is one event, as getUpdates returns it in "result" and as the
// webhook carries it.
type Update struct {
	EventName string   `json:"event_name"`
	Message   *Message `json:"message,omitempty"`
}

// Message is an incoming message.
type Message struct {
	From      Sender `json:"from"`
	Chat      Chat   `json:"chat"`
	Text      string `json:"text,omitempty"`
	Photo     string `json:"photo,omitempty"`
	Caption   string `json:"caption,omitempty"`
	Sticker   string `json:"sticker,omitempty"`
	MessageID string `json:"message_id"`
	Date      int64  `json:"date"` // Unix milliseconds
}

// Sender is who wrote a message.
type Sender struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	IsBot       bool   `json:"is_bot"`
}

// Chat is where a message was written; ChatType is "PRIVATE" or "GROUP".
type Chat struct {
	ID       string `json:"id"`
	ChatType string `json:"chat_type"`
}

// Sent is something the bot sent.
type Sent struct {
	Method    string // sendMessage or sendPhoto
	ChatID    string
	MessageID string
	Text      string // the text, or a photo's caption
	Photo     string // the photo URL
	At        time.Time
}

// Stats counts what the server saw.
type Stats struct {
	Requests map[string]int // per method
	Timeouts int            // getUpdates answered 408
	TooMany  int            // 429 answers
	Failures int            // 5xx and one-off error answers
}

// Server is a fake Zalo Bot API server.
type Server struct {
	*httptest.Server
	opts Options

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every new update or sent message
	updates  []Update
	users    map[string]*User
	chats    map[string]bool // chat ids the bot may write to
	blocked  map[string]bool
	sent     []Sent
	nextID   int
	faults   faults
	webhook  struct{ url, secret string }
	stats    Stats
	closed   bool
	startsAt time.Time
}

// NewServer starts a fake server; Close it when done.
func NewServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = Token
	}
	if opts.AccountName == "" {
		opts.AccountName = "bot.convene"
	}
	s := &Server{
		opts: opts, changed: make(chan struct{}), users: map[string]*User{}, chats: map[string]bool{},
		blocked: map[string]bool{}, stats: Stats{Requests: map[string]int{}}, startsAt: time.Now(),
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Token returns the accepted token.
func (s *Server) Token() string { return s.opts.Token }

// BotID returns the bot's id, the token's part before the colon.
func (s *Server) BotID() string { id, _, _ := strings.Cut(s.opts.Token, ":"); return id }

// AccountName returns the bot's account name from getMe.
func (s *Server) AccountName() string { return s.opts.AccountName }

// Close ends pending long polls and shuts the server down.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		s.signal()
	}
	s.mu.Unlock()
	s.Server.CloseClientConnections()
	s.Server.Close()
}

// signal wakes every waiter; s.mu must be held.
func (s *Server) signal() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// newID returns a fresh id in Zalo's style (20 hex digits); s.mu must be held.
func (s *Server) newID() string {
	s.nextID++
	return fmt.Sprintf("%08x%012x", uint32(s.startsAt.UnixNano()), s.nextID)
}

// Stats returns a copy of the counters.
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

type envelope struct {
	OK          bool        `json:"ok"`
	Result      any         `json:"result,omitempty"`
	ErrorCode   int         `json:"error_code,omitempty"`
	Description string      `json:"description,omitempty"`
	Parameters  *parameters `json:"parameters,omitempty"`
}

type parameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

// apiError is an error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func errorf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, desc: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// params reads a request's parameters: a JSON object body, or form/query
// values. Non-string JSON values are kept in their JSON text ("30" for 30).
func params(r *http.Request) (map[string]string, error) {
	p := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		for k, v := range body {
			if sv, ok := v.(string); ok {
				p[k] = sv
				continue
			}
			b, _ := json.Marshal(v)
			p[k] = string(b)
		}
		return p, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k := range r.Form {
		p[k] = r.Form.Get(k)
	}
	return p, nil
}

// serve routes /bot<token>/<method>.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	tokenPart, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !ok || !strings.HasPrefix(tokenPart, "bot") {
		writeJSON(w, http.StatusNotFound, envelope{ErrorCode: 404, Description: "Not Found"})
		return
	}
	if s.reset(w, method) {
		return
	}
	if strings.TrimPrefix(tokenPart, "bot") != s.opts.Token {
		writeJSON(w, http.StatusUnauthorized, envelope{ErrorCode: 401, Description: "Unauthorized"})
		return
	}
	p, err := params(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, envelope{ErrorCode: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	s.mu.Lock()
	s.stats.Requests[method]++
	s.mu.Unlock()
	result, aerr := s.call(r, method, p)
	if aerr != nil {
		resp := envelope{ErrorCode: aerr.code, Description: aerr.desc}
		if aerr.retryAfter > 0 {
			resp.Parameters = &parameters{RetryAfter: aerr.retryAfter}
			w.Header().Set("Retry-After", strconv.Itoa(aerr.retryAfter))
		}
		writeJSON(w, aerr.code, resp)
		return
	}
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: result})
}

// sendMethods deliver something to a chat.
var sendMethods = map[string]bool{"sendMessage": true, "sendPhoto": true, "sendSticker": true, "sendChatAction": true}

func (s *Server) call(r *http.Request, method string, p map[string]string) (any, *apiError) {
	if err := s.admit(method); err != nil {
		return nil, err
	}
	switch method {
	case "getMe":
		return map[string]any{"id": s.BotID(), "account_name": s.opts.AccountName, "account_type": "BASIC", "can_join_groups": false}, nil
	case "getUpdates":
		return s.getUpdates(r, p)
	case "sendMessage", "sendPhoto":
		return s.send(method, p)
	case "sendChatAction":
		if err := s.reachable(p["chat_id"]); err != nil {
			return nil, err
		}
		return nil, nil
	case "setWebhook":
		if p["url"] == "" {
			return nil, errorf(400, "Bad Request: url is required")
		}
		if n := len(p["secret_token"]); n < 8 || n > 256 {
			return nil, errorf(400, "Bad Request: secret_token must be 8-256 characters")
		}
		return s.setWebhook(p["url"], p["secret_token"]), nil
	case "deleteWebhook":
		return s.setWebhook("", ""), nil
	case "getWebhookInfo":
		s.mu.Lock()
		defer s.mu.Unlock()
		return map[string]any{"url": s.webhook.url, "updated_at": time.Now().UnixMilli()}, nil
	}
	return nil, errorf(404, "Not Found")
}

func (s *Server) setWebhook(url, secret string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook.url, s.webhook.secret = url, secret
	return map[string]any{"url": url, "updated_at": time.Now().UnixMilli()}
}

// Webhook returns the webhook URL and secret the bot set ("" when polling).
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}

// getUpdates hands out the oldest queued update, waiting up to the
// request's timeout (seconds, default 30) and answering 408 if none comes.
// Zalo has no offset: an update handed out is gone.
func (s *Server) getUpdates(r *http.Request, p map[string]string) (any, *apiError) {
	wait := 30 * time.Second
	if t := strings.Trim(p["timeout"], `"`); t != "" {
		secs, err := strconv.ParseFloat(t, 64)
		if err != nil || secs < 0 {
			return nil, errorf(400, "Bad Request: invalid timeout")
		}
		wait = time.Duration(secs * float64(time.Second))
	}
	if s.opts.MaxPollWait > 0 && wait > s.opts.MaxPollWait {
		wait = s.opts.MaxPollWait
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if s.webhook.url != "" {
			s.mu.Unlock()
			return nil, errorf(409, "Conflict: webhook is active, delete it to use getUpdates")
		}
		if len(s.updates) > 0 {
			u := s.updates[0]
			s.updates = s.updates[1:]
			s.mu.Unlock()
			return u, nil
		}
		if s.closed {
			s.mu.Unlock()
			return nil, errorf(503, "Service Unavailable")
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			s.mu.Lock()
			s.stats.Timeouts++
			s.mu.Unlock()
			return nil, errorf(408, "Request timeout")
		case <-r.Context().Done():
			return nil, errorf(499, "client closed request")
		}
	}
}

// Pending returns how many updates wait to be fetched.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Queue adds an update for getUpdates; its chat becomes one the bot may
// write to. A missing message id or date is filled in.
func (s *Server) Queue(u Update) Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Message != nil {
		m := *u.Message
		if m.MessageID == "" {
			m.MessageID = s.newID()
		}
		if m.Date == 0 {
			m.Date = time.Now().UnixMilli()
		}
		u.Message = &m
		s.chats[m.Chat.ID] = true
	}
	s.updates = append(s.updates, u)
	s.signal()
	return u
}

// textLen is a text's length in UTF-16 code units.
func textLen(s string) int { return len(utf16.Encode([]rune(s))) }

func (s *Server) send(method string, p map[string]string) (any, *apiError) {
	chatID, text := p["chat_id"], p["text"]
	if method == "sendPhoto" {
		text = p["caption"]
		if p["photo"] == "" {
			return nil, errorf(400, "Bad Request: photo is required")
		}
		if n := textLen(text); n > MaxText {
			return nil, errorf(400, "Bad Request: caption must be 1-%d characters, got %d", MaxText, n)
		}
	} else if n := textLen(text); n < 1 || n > MaxText {
		return nil, errorf(400, "Bad Request: text must be 1-%d characters, got %d", MaxText, n)
	}
	if err := s.reachable(chatID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	m := Sent{Method: method, ChatID: chatID, MessageID: s.newID(), Text: text, Photo: p["photo"], At: now}
	s.sent = append(s.sent, m)
	s.signal()
	return map[string]any{"message_id": m.MessageID, "date": now.UnixMilli()}, nil
}
