package telegramtest

import (
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// User is a simulated Telegram user in a private chat with the bot (chat id = user id).
type User struct {
	s            *Server
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
}

// NewUser adds a user. They may not be written to until they write (Send, Press or ShareContact).
func (s *Server) NewUser(id int64, firstName, lastName, username, languageCode string) *User {
	u := &User{s: s, ID: id, FirstName: firstName, LastName: lastName, Username: username, LanguageCode: languageCode}
	s.mu.Lock()
	s.users[id] = u
	if _, ok := s.chats[id]; !ok {
		s.chats[id] = &chat{id: id}
	}
	s.mu.Unlock()
	return u
}

// NewGroup adds a group chat (negative id) the bot is a member of.
func (s *Server) NewGroup(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chats[id] = &chat{id: id, group: true, wrote: true}
}

func (u *User) tgUser() *tgbotapi.User {
	return &tgbotapi.User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, UserName: u.Username, LanguageCode: u.LanguageCode}
}

// Inject queues a raw update, giving it the next update id, which it returns.
func (s *Server) Inject(u tgbotapi.Update) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	u.UpdateID = s.nextUpd
	s.nextUpd++
	s.updates = append(s.updates, u)
	s.changed.Broadcast()
	return u.UpdateID
}

func (u *User) message() *tgbotapi.Message {
	u.s.mu.Lock()
	c := u.s.chats[u.ID]
	c.wrote = true
	c.nextID++
	id := c.nextID
	u.s.mu.Unlock()
	return &tgbotapi.Message{MessageID: id, From: u.tgUser(), Date: int(time.Now().Unix()),
		Chat: &tgbotapi.Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, LastName: u.LastName, UserName: u.Username}}
}

// Send writes text to the bot; "/cmd args" is sent as a command with its entity. It returns the update id.
func (u *User) Send(text string) int {
	m := u.message()
	m.Text = text
	if strings.HasPrefix(text, "/") {
		word, _, _ := strings.Cut(text, " ")
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: len([]rune(word))}}
	}
	return u.s.Inject(tgbotapi.Update{Message: m})
}

// ShareContact shares a contact card with phone; contactUserID is whose
// contact it is (the user's own id when they press the request-contact
// button; another id for a forwarded card).
func (u *User) ShareContact(phone string, contactUserID int64) int {
	m := u.message()
	m.Contact = &tgbotapi.Contact{PhoneNumber: phone, FirstName: u.FirstName, LastName: u.LastName, UserID: contactUserID}
	return u.s.Inject(tgbotapi.Update{Message: m})
}

// Press presses the inline button with data on the bot's message msgID in
// the user's chat. It returns the update id and the callback query id.
func (u *User) Press(msgID int, data string) (int, string) {
	u.s.mu.Lock()
	c := u.s.chats[u.ID]
	c.wrote = true
	var msg *Message
	for _, m := range c.messages {
		if m.ID == msgID {
			msg = m
		}
	}
	u.s.nextCBID++
	cbID := strconv.Itoa(u.s.nextCBID)
	u.s.mu.Unlock()
	cq := &tgbotapi.CallbackQuery{ID: cbID, From: u.tgUser(), Data: data, ChatInstance: strconv.FormatInt(u.ID, 10)}
	if msg != nil {
		tm := u.s.tgMessage(msg)
		cq.Message = &tm
	} else {
		cq.Message = &tgbotapi.Message{MessageID: msgID, Chat: &tgbotapi.Chat{ID: u.ID, Type: "private"}}
	}
	return u.s.Inject(tgbotapi.Update{CallbackQuery: cq}), cbID
}

// PressOn presses a button of another chat's message, as a user who can
// see it (a forwarded message or a group): the message lives in chatID.
func (u *User) PressOn(chatID int64, msgID int, data string) (int, string) {
	u.s.mu.Lock()
	u.s.chats[u.ID].wrote = true
	var msg *Message
	if c := u.s.chats[chatID]; c != nil {
		for _, m := range c.messages {
			if m.ID == msgID {
				msg = m
			}
		}
	}
	u.s.nextCBID++
	cbID := strconv.Itoa(u.s.nextCBID)
	u.s.mu.Unlock()
	cq := &tgbotapi.CallbackQuery{ID: cbID, From: u.tgUser(), Data: data, ChatInstance: strconv.FormatInt(chatID, 10)}
	if msg != nil {
		tm := u.s.tgMessage(msg)
		cq.Message = &tm
	}
	return u.s.Inject(tgbotapi.Update{CallbackQuery: cq}), cbID
}
