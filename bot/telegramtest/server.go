// Package telegramtest is a fake Telegram Bot API server for tests, in the
// manner of net/http/httptest: the real go-telegram-bot-api client (or
// plain HTTP) works against it unchanged. Simulated users write, press
// buttons and share contacts; tests read everything the bot sent to a chat.
// It enforces Telegram-like rate limits when configured and injects faults
// on demand: blocked users, chats that never wrote, missing chats, windows
// of 5xx, forced 429s and latency.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Token is the bot token the server accepts unless Options say otherwise.
const Token = "123456:TEST-token"

// Options configure a Server.
type Options struct {
	Token    string // default Token
	Username string // default "convene_test_bot"
	// Limits default to TelegramLimits: a fake kinder than Telegram hides
	// lost messages. NoLimits turns them off (for tests of the fake itself).
	Limits   Limits
	NoLimits bool
	// AllowUnknownChats lets the bot write to users who never wrote to it.
	AllowUnknownChats bool
}

// Server is a fake Telegram Bot API server.
type Server struct {
	*httptest.Server
	opts Options

	mu        sync.Mutex
	changed   *sync.Cond // signalled on every new update or sent message
	updates   []tgbotapi.Update
	nextUpd   int
	confirmed int // updates with id < confirmed were confirmed by an offset
	users     map[int64]*User
	chats     map[int64]*chat
	blocked   map[int64]string
	failUntil time.Time
	failCode  int
	pauseTill time.Time // a forced 429 window
	// tooManyOn is the count of sendMessage calls answered with a 429 of
	// tooManyAfter seconds (0: none).
	tooManyOn, tooManyAfter int
	latency                 time.Duration
	limiter                 *limiter
	answers                 []CallbackAnswer
	commands                map[string][]tgbotapi.BotCommand
	webhook                 struct{ url, secret string }
	sendTimes               []time.Time
	stats                   Stats
	nextCBID                int
	closed                  bool
	resets                  map[string]int         // ResetNext, by method ("" any)
	failNext                map[string][]*apiError // FailNext, by method
	files                   fileStore              // uploaded files by id (files.go)
}

// Close ends pending long polls and shuts the server down.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.changed.Broadcast()
	s.mu.Unlock()
	s.Server.CloseClientConnections()
	s.Server.Close()
}

// Stats counts what the server saw.
type Stats struct {
	Requests map[string]int // per method
	TooMany  int            // 429 answers
	Failures int            // 5xx answers
	// WebhookDelivered and WebhookRetries count webhook posts the bot
	// acknowledged and posts sent again (see DeliverWebhooks).
	WebhookDelivered int
	WebhookRetries   int
}

// CallbackAnswer is an answerCallbackQuery the bot made.
type CallbackAnswer struct {
	ID   string
	Text string
	At   time.Time
}

type chat struct {
	id       int64
	messages []*Message
	nextID   int
	wrote    bool // the user wrote to the bot, so it may write back
	group    bool
}

// NewServer starts a fake server; Close it when done.
func NewServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = Token
	}
	if opts.Username == "" {
		opts.Username = "convene_test_bot"
	}
	s := &Server{
		opts: opts, users: map[int64]*User{}, chats: map[int64]*chat{}, blocked: map[int64]string{},
		commands: map[string][]tgbotapi.BotCommand{}, nextUpd: 1,
		resets: map[string]int{}, failNext: map[string][]*apiError{}, stats: Stats{Requests: map[string]int{}},
	}
	s.changed = sync.NewCond(&s.mu)
	if opts.Limits == (Limits{}) && !opts.NoLimits {
		opts.Limits = TelegramLimits
	}
	s.opts = opts
	s.limiter = newLimiter(opts.Limits)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIEndpoint returns the endpoint format for tgbotapi.NewBotAPIWithAPIEndpoint.
func (s *Server) APIEndpoint() string { return s.URL + "/bot%s/%s" }

// Token returns the accepted token.
func (s *Server) Token() string { return s.opts.Token }

// Username returns the bot's username.
func (s *Server) Username() string { return s.opts.Username }

type apiResponse struct {
	OK          bool                         `json:"ok"`
	Result      any                          `json:"result,omitempty"`
	ErrorCode   int                          `json:"error_code,omitempty"`
	Description string                       `json:"description,omitempty"`
	Parameters  *tgbotapi.ResponseParameters `json:"parameters,omitempty"`
}

// apiError is an error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string { return e.desc }

func errorf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, desc: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// serve routes /bot<token>/<method>.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	tokenPart, method, ok := strings.Cut(path, "/")
	if !ok || !strings.HasPrefix(tokenPart, "bot") {
		writeJSON(w, http.StatusNotFound, apiResponse{ErrorCode: 404, Description: "Not Found"})
		return
	}
	if s.injected(w, method) {
		return
	}
	if strings.TrimPrefix(tokenPart, "bot") != s.opts.Token {
		writeJSON(w, http.StatusUnauthorized, apiResponse{ErrorCode: 401, Description: "Unauthorized"})
		return
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
		writeJSON(w, http.StatusBadRequest, apiResponse{ErrorCode: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	if r.Form == nil {
		_ = r.ParseForm()
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err == nil {
			for k, v := range body {
				switch v := v.(type) {
				case string:
					r.Form.Set(k, v)
				default:
					b, _ := json.Marshal(v)
					r.Form.Set(k, string(b))
				}
			}
		}
	}
	s.mu.Lock()
	s.stats.Requests[method]++
	latency := s.latency
	var tooMany *apiError
	if method == "sendMessage" && s.tooManyOn > 0 && s.stats.Requests[method] == s.tooManyOn {
		s.stats.TooMany++
		s.sendTimes = append(s.sendTimes, time.Now())
		tooMany = &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", s.tooManyAfter), retryAfter: s.tooManyAfter}
		s.tooManyOn = 0
	}
	s.mu.Unlock()
	if tooMany != nil {
		writeJSON(w, http.StatusTooManyRequests, apiResponse{ErrorCode: 429, Description: tooMany.desc,
			Parameters: &tgbotapi.ResponseParameters{RetryAfter: tooMany.retryAfter}})
		return
	}
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	result, err := s.call(r, method)
	if err != nil {
		resp := apiResponse{ErrorCode: err.code, Description: err.desc}
		if err.retryAfter > 0 {
			resp.Parameters = &tgbotapi.ResponseParameters{RetryAfter: err.retryAfter}
		}
		writeJSON(w, err.code, resp)
		return
	}
	writeJSON(w, http.StatusOK, apiResponse{OK: true, Result: result})
}

// sendMethods are the methods that deliver something to a chat, subject to limits and faults.
var sendMethods = map[string]bool{
	"sendMessage": true, "sendDocument": true, "sendPhoto": true,
	"editMessageText": true, "editMessageReplyMarkup": true,
}

func (s *Server) call(r *http.Request, method string) (any, *apiError) {
	if sendMethods[method] {
		if err := s.admit(r); err != nil {
			return nil, err
		}
	}
	switch method {
	case "getMe":
		return tgbotapi.User{ID: 1, IsBot: true, FirstName: "Convene", UserName: s.opts.Username,
			CanJoinGroups: true, SupportsInlineQueries: false}, nil
	case "getUpdates":
		return s.getUpdates(r)
	case "sendMessage":
		return s.sendMessage(r)
	case "sendDocument", "sendPhoto":
		return s.sendFile(r, method)
	case "editMessageText", "editMessageReplyMarkup":
		return s.editMessage(r, method)
	case "deleteMessage":
		return s.deleteMessage(r)
	case "answerCallbackQuery":
		s.mu.Lock()
		s.answers = append(s.answers, CallbackAnswer{ID: r.FormValue("callback_query_id"), Text: r.FormValue("text"), At: time.Now()})
		s.changed.Broadcast()
		s.mu.Unlock()
		return true, nil
	case "sendChatAction":
		if _, err := s.reachable(r.FormValue("chat_id")); err != nil {
			return nil, err
		}
		return true, nil
	case "setMyCommands":
		var cmds []tgbotapi.BotCommand
		if err := json.Unmarshal([]byte(r.FormValue("commands")), &cmds); err != nil {
			return nil, errorf(400, "Bad Request: can't parse commands JSON object")
		}
		var scope struct {
			Type   string `json:"type"`
			ChatID int64  `json:"chat_id"`
		}
		_ = json.Unmarshal([]byte(r.FormValue("scope")), &scope)
		key := r.FormValue("language_code")
		if scope.Type == "chat" {
			key = "chat:" + strconv.FormatInt(scope.ChatID, 10)
		}
		s.mu.Lock()
		s.commands[key] = cmds
		s.mu.Unlock()
		return true, nil
	case "getMyCommands":
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.commands[r.FormValue("language_code")], nil
	case "setWebhook":
		s.mu.Lock()
		s.webhook.url, s.webhook.secret = r.FormValue("url"), r.FormValue("secret_token")
		s.mu.Unlock()
		return true, nil
	case "deleteWebhook":
		s.mu.Lock()
		s.webhook.url, s.webhook.secret = "", ""
		s.mu.Unlock()
		return true, nil
	case "getWebhookInfo":
		s.mu.Lock()
		defer s.mu.Unlock()
		return tgbotapi.WebhookInfo{URL: s.webhook.url, PendingUpdateCount: len(s.updates)}, nil
	}
	return nil, errorf(404, "Not Found")
}

// admit applies faults and limits to a sending call.
func (s *Server) admit(r *http.Request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.sendTimes = append(s.sendTimes, now)
	if now.Before(s.failUntil) {
		s.stats.Failures++
		return errorf(s.failCode, "%s", http.StatusText(s.failCode))
	}
	if now.Before(s.pauseTill) {
		s.stats.TooMany++
		secs := int(s.pauseTill.Sub(now).Seconds() + 0.999)
		return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	chatID, _ := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
	if wait := s.limiter.take(chatID, now); wait > 0 {
		s.stats.TooMany++
		secs := int(wait.Seconds() + 0.999)
		return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	return nil
}

// reachable returns the chat the bot may write to, or Telegram's error.
func (s *Server) reachable(chatText string) (*chat, *apiError) {
	id, err := strconv.ParseInt(chatText, 10, 64)
	if err != nil {
		return nil, errorf(400, "Bad Request: chat not found")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if why, ok := s.blocked[id]; ok {
		return nil, errorf(403, "Forbidden: %s", why)
	}
	c, ok := s.chats[id]
	if !ok {
		if _, known := s.users[id]; !known && !s.opts.AllowUnknownChats {
			return nil, errorf(400, "Bad Request: chat not found")
		}
		c = &chat{id: id}
		s.chats[id] = c
	}
	if !c.wrote && !c.group && !s.opts.AllowUnknownChats {
		return nil, errorf(403, "Forbidden: bot can't initiate conversation with a user")
	}
	return c, nil
}
