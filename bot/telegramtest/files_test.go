package telegramtest_test

import (
	"bytes"
	"testing"

	"github.com/convene/convene/bot/telegramtest"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestFileIDs: an upload gets a file id; a send naming it delivers the
// same file without upload; an id never issued, or forgotten, is refused
// as Telegram refuses it; the counts tell uploads from re-sends.
func TestFileIDs(t *testing.T) {
	srv, api := newBot(t, telegramtest.Options{NoLimits: true}) // a test of the fake itself
	srv.NewUser(100, "Lan", "", "", "vi").Send("/start")
	data := []byte("%PDF-1.4 agenda")
	up, err := api.Send(tgbotapi.NewDocument(100, tgbotapi.FileBytes{Name: "ct.pdf", Bytes: data}))
	if err != nil || up.Document == nil || up.Document.FileID == "" || up.Document.FileName != "ct.pdf" {
		t.Fatalf("upload: %+v %v", up.Document, err)
	}
	again, err := api.Send(tgbotapi.NewDocument(100, tgbotapi.FileID(up.Document.FileID)))
	if err != nil || again.Document.FileID != up.Document.FileID {
		t.Fatalf("by id: %+v %v", again.Document, err)
	}
	if got := srv.Message(100, again.MessageID).Document; !got.ByID || !bytes.Equal(got.Data, data) || got.Name != "ct.pdf" {
		t.Fatalf("delivered by id: %+v", got)
	}
	for _, bad := range []string{"BQACAgIAAxkBAAI-made-up", "https://example.com/x.pdf"} {
		_, err := api.Send(tgbotapi.NewDocument(100, tgbotapi.FileID(bad)))
		if e := apiErr(t, err); e.Code != 400 || e.Message != "Bad Request: wrong file identifier/HTTP URL specified" {
			t.Fatalf("unknown id %q: %d %q", bad, e.Code, e.Message)
		}
	}
	srv.ForgetFiles()
	_, err = api.Send(tgbotapi.NewDocument(100, tgbotapi.FileID(up.Document.FileID)))
	if e := apiErr(t, err); e.Code != 400 {
		t.Fatalf("forgotten id: %v", err)
	}
	if st := srv.Files(); st.Uploads != 1 || st.Resends != 1 || st.Refused != 3 || st.Uploaded["ct.pdf"] != 1 {
		t.Fatalf("stats %+v", st)
	}
	// An empty upload is refused, as Telegram does.
	_, err = api.Send(tgbotapi.NewDocument(100, tgbotapi.FileBytes{Name: "empty.pdf", Bytes: []byte{}}))
	if e := apiErr(t, err); e.Message != "Bad Request: file must be non-empty" {
		t.Fatalf("empty upload: %v", err)
	}
}
