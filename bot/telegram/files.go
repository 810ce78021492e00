package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// FileStore is what the adapter needs to send a meeting's material that a
// message names by reference (convene.File.Material) instead of carrying
// its bytes: the material, its bytes when they must be uploaded, and the
// file ids Telegram gave earlier uploads, per bot, so each content is
// uploaded once. storage.MaterialService implements it.
type FileStore interface {
	FindMaterial(ctx context.Context, id int64) (*convene.Material, error)
	MaterialData(ctx context.Context, id int64) ([]byte, error)
	FileID(ctx context.Context, channel, botID, sha256 string) (string, error)
	SaveFileID(ctx context.Context, channel, botID, sha256, fileID string) error
	DropFileID(ctx context.Context, channel, botID, sha256, fileID string) error
}

// sendDocument sends d's file: its bytes, or for a material the file id
// Telegram gave this bot for the same content, else the material's bytes
// uploaded (keeping the id Telegram returns). A file id Telegram refuses
// ("wrong file identifier") is forgotten and the bytes uploaded in the
// same send.
func (c *Channel) sendDocument(ctx context.Context, api *tgbotapi.BotAPI, chatID int64, f *convene.File, caption string, mk any) (string, error) {
	doc := func(file tgbotapi.RequestFileData) tgbotapi.DocumentConfig {
		d := tgbotapi.NewDocument(chatID, file)
		d.Caption, d.ReplyMarkup = caption, mk
		return d
	}
	if f.Material == 0 || len(f.Data) > 0 {
		return send(api, doc(fileBytes(f)))
	}
	store := c.cfg.Files
	if store == nil {
		return "", &bot.Error{Kind: bot.ErrPermanent, Err: errors.New("telegram: a material to send but no file store")}
	}
	m, err := store.FindMaterial(ctx, f.Material)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		return "", &bot.Error{Kind: bot.ErrPermanent, Err: fmt.Errorf("telegram: material %d no longer exists", f.Material)}
	} else if err != nil {
		return "", &bot.Error{Kind: bot.ErrTemporary, Err: err}
	}
	name := f.Name
	if name == "" {
		name = m.Name
	}
	fid, err := store.FileID(ctx, "telegram", c.botID(), m.SHA256)
	if err != nil {
		return "", &bot.Error{Kind: bot.ErrTemporary, Err: err}
	}
	if fid != "" {
		msg, err := api.Send(doc(tgbotapi.FileID(fid)))
		if err == nil {
			c.files.resent.Add(1)
			return strconv.Itoa(msg.MessageID), nil
		}
		if !wrongFileID(err) {
			return "", classify(err)
		}
		c.log.Warn("telegram refused a cached file id; uploading again", "material", m.ID)
		if err := store.DropFileID(ctx, "telegram", c.botID(), m.SHA256, fid); err != nil {
			return "", &bot.Error{Kind: bot.ErrTemporary, Err: err}
		}
	}
	data, err := store.MaterialData(ctx, m.ID)
	if err != nil {
		return "", &bot.Error{Kind: bot.ErrTemporary, Err: err}
	}
	msg, err := api.Send(doc(tgbotapi.FileBytes{Name: name, Bytes: data}))
	if err != nil {
		return "", classify(err)
	}
	c.files.uploaded.Add(1)
	if msg.Document != nil && msg.Document.FileID != "" {
		// The send succeeded: a failure to remember the id costs only a later upload.
		if err := store.SaveFileID(ctx, "telegram", c.botID(), m.SHA256, msg.Document.FileID); err != nil {
			c.log.Warn("remember file id", "material", m.ID, "err", err)
		}
	}
	return strconv.Itoa(msg.MessageID), nil
}

// wrongFileID reports whether Telegram refused a file id (400 "wrong file
// identifier/HTTP URL specified", or "file reference expired").
func wrongFileID(err error) bool {
	e, ok := apiError(err)
	if !ok || e.Code != 400 {
		return false
	}
	d := strings.ToLower(e.Message)
	return strings.Contains(d, "wrong file identifier") || strings.Contains(d, "file reference") ||
		strings.Contains(d, "wrong remote file")
}

// FileStats counts the materials sent by uploading their bytes and by a
// file id Telegram gave an earlier upload.
type FileStats struct{ Uploaded, Resent int64 }

// FileStats returns how materials were sent since the channel started.
func (c *Channel) FileStats() FileStats {
	return FileStats{Uploaded: c.files.uploaded.Load(), Resent: c.files.resent.Load()}
}
