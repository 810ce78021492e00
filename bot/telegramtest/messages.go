package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Button is an inline keyboard button as the bot sent it.
type Button struct {
	Text string
	Data string
	URL  string
}

// File is a document or photo the bot sent.
type File struct {
	Name string
	Data []byte
	// FileID is the id the server issued when the file was uploaded.
	FileID string
	// ByID marks a file sent by naming the id of an earlier upload.
	ByID bool
}

// Message is what the bot sent to a chat, as it stands after edits.
type Message struct {
	ID      int
	ChatID  int64
	Text    string // the text, or a file's caption
	Buttons [][]Button
	// ContactButton is the text of a reply-keyboard button requesting the
	// user's phone number, "" if none.
	ContactButton  string
	RemoveKeyboard bool
	Document       *File
	Photo          *File
	Edits          int // how many times it was edited
	Deleted        bool
	Date           time.Time
}

// HasButton reports whether the message has an inline button with that data.
func (m *Message) HasButton(data string) bool {
	return m.Button(data) != nil
}

// Button returns the inline button with that data, or nil.
func (m *Message) Button(data string) *Button {
	for _, row := range m.Buttons {
		for i := range row {
			if row[i].Data == data {
				return &row[i]
			}
		}
	}
	return nil
}

// markup reads a reply_markup parameter into m.
func (m *Message) markup(raw string) *apiError {
	m.Buttons, m.ContactButton, m.RemoveKeyboard = nil, "", false
	if raw == "" {
		return nil
	}
	var rm struct {
		InlineKeyboard [][]struct {
			Text         string  `json:"text"`
			CallbackData *string `json:"callback_data"`
			URL          *string `json:"url"`
		} `json:"inline_keyboard"`
		Keyboard [][]struct {
			Text           string `json:"text"`
			RequestContact bool   `json:"request_contact"`
		} `json:"keyboard"`
		RemoveKeyboard bool `json:"remove_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &rm); err != nil {
		return errorf(400, "Bad Request: can't parse reply keyboard markup JSON object")
	}
	for _, row := range rm.InlineKeyboard {
		var out []Button
		for _, b := range row {
			btn := Button{Text: b.Text}
			if b.CallbackData != nil {
				if len(*b.CallbackData) > 64 {
					return errorf(400, "Bad Request: BUTTON_DATA_INVALID")
				}
				btn.Data = *b.CallbackData
			}
			if b.URL != nil {
				btn.URL = *b.URL
			}
			out = append(out, btn)
		}
		m.Buttons = append(m.Buttons, out)
	}
	for _, row := range rm.Keyboard {
		for _, b := range row {
			if b.RequestContact {
				m.ContactButton = b.Text
			}
		}
	}
	m.RemoveKeyboard = rm.RemoveKeyboard
	return nil
}

// tgMessage is the message as the API returns it.
func (s *Server) tgMessage(m *Message) tgbotapi.Message {
	out := tgbotapi.Message{MessageID: m.ID, Date: int(m.Date.Unix()), Chat: &tgbotapi.Chat{ID: m.ChatID, Type: "private"},
		From: &tgbotapi.User{ID: 1, IsBot: true, FirstName: "Convene", UserName: s.opts.Username}}
	if m.Document != nil || m.Photo != nil {
		out.Caption = m.Text
	} else {
		out.Text = m.Text
	}
	if m.Document != nil {
		out.Document = &tgbotapi.Document{FileID: m.Document.FileID, FileName: m.Document.Name, FileSize: len(m.Document.Data)}
	}
	if m.Photo != nil {
		out.Photo = []tgbotapi.PhotoSize{{FileID: m.Photo.FileID, FileSize: len(m.Photo.Data)}}
	}
	if len(m.Buttons) > 0 {
		kb := tgbotapi.InlineKeyboardMarkup{}
		for _, row := range m.Buttons {
			var r []tgbotapi.InlineKeyboardButton
			for _, b := range row {
				b := b
				btn := tgbotapi.InlineKeyboardButton{Text: b.Text}
				if b.Data != "" {
					btn.CallbackData = &b.Data
				}
				if b.URL != "" {
					btn.URL = &b.URL
				}
				r = append(r, btn)
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, r)
		}
		out.ReplyMarkup = &kb
	}
	return out
}

// store appends a new message to c.
func (s *Server) store(c *chat, m *Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.nextID++
	m.ID, m.ChatID, m.Date = c.nextID, c.id, time.Now()
	c.messages = append(c.messages, m)
	s.changed.Broadcast()
}

func (s *Server) sendMessage(r *http.Request) (any, *apiError) {
	c, err := s.reachable(r.FormValue("chat_id"))
	if err != nil {
		return nil, err
	}
	text := r.FormValue("text")
	if text == "" {
		return nil, errorf(400, "Bad Request: message text is empty")
	}
	if len([]rune(text)) > 4096 {
		return nil, errorf(400, "Bad Request: message is too long")
	}
	m := &Message{Text: text}
	if err := m.markup(r.FormValue("reply_markup")); err != nil {
		return nil, err
	}
	s.store(c, m)
	return s.tgMessage(m), nil
}

func (s *Server) sendFile(r *http.Request, method string) (any, *apiError) {
	c, err := s.reachable(r.FormValue("chat_id"))
	if err != nil {
		return nil, err
	}
	field := "document"
	if method == "sendPhoto" {
		field = "photo"
	}
	f := &File{}
	upload := false
	if r.MultipartForm != nil && len(r.MultipartForm.File[field]) > 0 {
		fh := r.MultipartForm.File[field][0]
		if fh.Size > MaxUpload {
			return nil, errorf(413, "Request Entity Too Large")
		}
		if fh.Size == 0 {
			return nil, errorf(400, "Bad Request: file must be non-empty")
		}
		rd, ferr := fh.Open()
		if ferr != nil {
			return nil, errorf(400, "Bad Request: %v", ferr)
		}
		f.Name = fh.Filename
		f.Data, _ = io.ReadAll(rd)
		rd.Close()
		upload = true
	} else if v := r.FormValue(field); v != "" {
		// A file id from an earlier upload (files.go); URLs are not fetched.
		s.mu.Lock()
		known := s.lookup(v)
		s.mu.Unlock()
		if known == nil {
			return nil, errorf(400, "Bad Request: wrong file identifier/HTTP URL specified")
		}
		f = &File{Name: known.Name, Data: known.Data, FileID: known.FileID, ByID: true}
	} else {
		return nil, errorf(400, "Bad Request: there is no %s in the request", field)
	}
	caption := r.FormValue("caption")
	if len([]rune(caption)) > 1024 {
		return nil, errorf(400, "Bad Request: message caption is too long")
	}
	if upload {
		s.mu.Lock()
		s.issue(f)
		s.mu.Unlock()
	}
	m := &Message{Text: caption}
	if field == "photo" {
		m.Photo = f
	} else {
		m.Document = f
	}
	if err := m.markup(r.FormValue("reply_markup")); err != nil {
		return nil, err
	}
	s.store(c, m)
	return s.tgMessage(m), nil
}

func (s *Server) findMessage(r *http.Request) (*Message, *apiError) {
	c, err := s.reachable(r.FormValue("chat_id"))
	if err != nil {
		return nil, err
	}
	id, _ := strconv.Atoi(r.FormValue("message_id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range c.messages {
		if m.ID == id && !m.Deleted {
			return m, nil
		}
	}
	return nil, errorf(400, "Bad Request: message to edit not found")
}

func (s *Server) editMessage(r *http.Request, method string) (any, *apiError) {
	m, err := s.findMessage(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := *m
	if method == "editMessageText" {
		next.Text = r.FormValue("text")
		if next.Text == "" {
			return nil, errorf(400, "Bad Request: message text is empty")
		}
	}
	if err := next.markup(r.FormValue("reply_markup")); err != nil {
		return nil, err
	}
	if next.Text == m.Text && buttonsEqual(next.Buttons, m.Buttons) {
		return nil, errorf(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	next.Edits++
	*m = next
	s.changed.Broadcast()
	return s.tgMessage(m), nil
}

func buttonsEqual(a, b [][]Button) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func (s *Server) deleteMessage(r *http.Request) (any, *apiError) {
	m, err := s.findMessage(r)
	if err != nil {
		return nil, errorf(400, "Bad Request: message to delete not found")
	}
	s.mu.Lock()
	m.Deleted = true
	s.mu.Unlock()
	return true, nil
}

// getUpdates answers a long poll: confirmed updates (id < offset) are
// dropped; it returns at once when there are updates, else waits up to
// timeout seconds for one, or until the request is cancelled.
func (s *Server) getUpdates(r *http.Request) (any, *apiError) {
	offset, _ := strconv.Atoi(r.FormValue("offset"))
	limit, _ := strconv.Atoi(r.FormValue("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(r.FormValue("timeout"))
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	// Wake the wait when the request ends or the timeout passes.
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		select {
		case <-done:
		case <-r.Context().Done():
		case <-t.C:
		}
		s.mu.Lock()
		s.changed.Broadcast()
		s.mu.Unlock()
	}()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook.url != "" {
		return nil, errorf(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	}
	if offset > 0 && offset > s.confirmed {
		s.confirmed = offset
		kept := s.updates[:0]
		for _, u := range s.updates {
			if u.UpdateID >= offset {
				kept = append(kept, u)
			}
		}
		s.updates = kept
	}
	for len(s.updates) == 0 && !s.closed && time.Now().Before(deadline) && r.Context().Err() == nil {
		s.changed.Wait()
	}
	n := min(limit, len(s.updates))
	out := make([]tgbotapi.Update, n)
	copy(out, s.updates[:n])
	return out, nil
}
