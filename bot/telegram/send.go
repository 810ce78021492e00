package telegram

import (
	"context"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Telegram's length limits, in characters.
const (
	maxText    = 4096
	maxCaption = 1024
)

// Send delivers m as plain text (no parse mode): a text over 4096 characters
// goes as several messages cut at line breaks, the last one carrying the
// buttons or keyboard; a document or photo carries the text as its caption,
// or follows it when the text is over 1024 characters. It returns the last
// message's id. Failures are *bot.Error values.
func (c *Channel) Send(ctx context.Context, chatID string, m bot.Outgoing) (string, error) {
	id, err := parseChat(chatID)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	api := c.api(ctx)
	if m.Document == nil && m.Photo == nil {
		return sendTexts(api, id, m.Text, markup(m))
	}
	text := m.Text
	if utf8.RuneCountInString(text) > maxCaption {
		if _, err := sendTexts(api, id, text, nil); err != nil {
			return "", err
		}
		text = ""
	}
	var last string
	if m.Document != nil {
		var mk any
		if m.Photo == nil {
			mk = markup(m)
		}
		// files.go: a material goes by the file id of an earlier upload.
		if last, err = c.sendDocument(ctx, api, id, m.Document, text, mk); err != nil {
			return "", err
		}
		text = ""
	}
	if m.Photo != nil {
		p := tgbotapi.NewPhoto(id, fileBytes(m.Photo))
		p.Caption, p.ReplyMarkup = text, markup(m)
		if last, err = send(api, p); err != nil {
			return "", err
		}
	}
	return last, nil
}

func parseChat(chatID string) (int64, error) {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return 0, &bot.Error{Kind: bot.ErrPermanent, Err: fmt.Errorf("telegram: bad chat id %q", chatID)}
	}
	return id, nil
}

func fileBytes(f *convene.File) tgbotapi.FileBytes {
	return tgbotapi.FileBytes{Name: f.Name, Bytes: f.Data}
}

func send(api *tgbotapi.BotAPI, c tgbotapi.Chattable) (string, error) {
	msg, err := api.Send(c)
	if err != nil {
		return "", classify(err)
	}
	return strconv.Itoa(msg.MessageID), nil
}

// sendTexts sends text in parts of at most 4096 characters; the last part carries markup.
func sendTexts(api *tgbotapi.BotAPI, chatID int64, text string, markup any) (string, error) {
	parts := Split(text, maxText)
	var last string
	for i, p := range parts {
		msg := tgbotapi.NewMessage(chatID, p)
		msg.DisableWebPagePreview = true
		if i == len(parts)-1 {
			msg.ReplyMarkup = markup
		}
		id, err := send(api, msg)
		if err != nil {
			return "", err
		}
		last = id
	}
	return last, nil
}

// markup converts buttons and keyboard requests to Telegram's reply markup,
// nil if none: inline buttons first, then a one-time contact keyboard, then
// the removal of a keyboard.
func markup(m bot.Outgoing) any {
	switch {
	case len(m.Buttons) > 0:
		return inlineKeyboard(m)
	case m.RequestContact != "":
		kb := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(m.RequestContact)))
		kb.OneTimeKeyboard = true
		return kb
	case m.RemoveKeyboard:
		return tgbotapi.NewRemoveKeyboard(true)
	}
	return nil
}

func inlineKeyboard(m bot.Outgoing) tgbotapi.InlineKeyboardMarkup {
	rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(m.Buttons))
	for _, row := range m.Buttons {
		r := make([]tgbotapi.InlineKeyboardButton, 0, len(row))
		for _, b := range row {
			if b.URL != "" {
				r = append(r, tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
			} else {
				r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
		}
		rows = append(rows, r)
	}
	return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// Split cuts text into parts of at most max characters, at line breaks when it can.
func Split(text string, max int) []string { return bot.SplitText(text, max) }

// Edit replaces a text message's text (its first 4096 characters) and
// inline buttons; without buttons the keyboard is removed. An edit that
// changes nothing counts as success.
func (c *Channel) Edit(ctx context.Context, chatID, messageID string, m bot.Outgoing) error {
	cid, err := parseChat(chatID)
	if err != nil {
		return err
	}
	mid, err := strconv.Atoi(messageID)
	if err != nil {
		return &bot.Error{Kind: bot.ErrPermanent, Err: fmt.Errorf("telegram: bad message id %q", messageID)}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	e := tgbotapi.NewEditMessageText(cid, mid, Split(m.Text, maxText)[0])
	e.DisableWebPagePreview = true
	if len(m.Buttons) > 0 {
		kb := inlineKeyboard(m)
		e.ReplyMarkup = &kb
	}
	if _, err := c.api(ctx).Request(e); err != nil && !notModified(err) {
		return classify(err)
	}
	return nil
}

// Answer acknowledges a button press, showing text as a brief notice if not empty.
func (c *Channel) Answer(ctx context.Context, callbackID, text string) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	_, err := c.api(ctx).Request(tgbotapi.NewCallback(callbackID, text))
	return classify(err)
}

// SendChatAction shows an action such as "typing" in the chat for a few seconds.
func (c *Channel) SendChatAction(ctx context.Context, chatID, action string) error {
	id, err := parseChat(chatID)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	_, err = c.api(ctx).Request(tgbotapi.NewChatAction(id, action))
	return classify(err)
}

// SetCommands registers the command menu shown to users whose language is
// lang ("" for everyone else).
func (c *Channel) SetCommands(ctx context.Context, lang string, cmds []bot.MenuCommand) error {
	return c.setCommands(ctx, tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), lang, botCommands(cmds)...))
}

// SetChatCommands registers the command menu of one chat, e.g. an
// organizer's, over the menus set by SetCommands.
func (c *Channel) SetChatCommands(ctx context.Context, chatID string, cmds []bot.MenuCommand) error {
	id, err := parseChat(chatID)
	if err != nil {
		return err
	}
	return c.setCommands(ctx, tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(id), botCommands(cmds)...))
}

func (c *Channel) setCommands(ctx context.Context, cfg tgbotapi.SetMyCommandsConfig) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SendTimeout)
	defer cancel()
	_, err := c.api(ctx).Request(cfg)
	return classify(err)
}

func botCommands(cmds []bot.MenuCommand) []tgbotapi.BotCommand {
	out := make([]tgbotapi.BotCommand, len(cmds))
	for i, cmd := range cmds {
		out[i] = tgbotapi.BotCommand{Command: cmd.Name, Description: cmd.Description}
	}
	return out
}
