package zalo

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/convene/convene/bot"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"Short", "xin chào", 10, []string{"xin chào"}},
		{"Empty", "", 10, []string{""}},
		{"AtLineBreak", "aaaa\nbbbb\ncc", 10, []string{"aaaa\nbbbb", "cc"}},
		{"AtSpace", "aaaa bbbb cc", 10, []string{"aaaa bbbb", "cc"}},
		{"Hard", "aaaaaaaaaaaa", 5, []string{"aaaaa", "aaaaa", "aa"}},
		{"RuneSafe", "ạạạạạạ", 4, []string{"ạạạạ", "ạạ"}},
		// An emoji is two UTF-16 units: it never straddles a cut.
		{"Surrogates", "😀😀😀", 5, []string{"😀😀", "😀"}},
		{"BlankLinesDropped", "aaaa\n\n\nbbbb", 6, []string{"aaaa", "bbbb"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Split(tc.text, tc.limit)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Fatalf("Split(%q, %d) = %q, want %q", tc.text, tc.limit, got, tc.want)
			}
			for _, p := range got {
				if !utf8.ValidString(p) || len(utf16.Encode([]rune(p))) > tc.limit {
					t.Fatalf("bad part %q", p)
				}
			}
		})
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		kind bot.ErrorKind
		wait time.Duration
	}{
		{"RetryAfter", &APIError{Code: 429, RetryAfter: 7 * time.Second}, bot.ErrRateLimited, 7 * time.Second},
		{"RateLimitDefault", &APIError{Code: 429}, bot.ErrRateLimited, defaultRetryAfter},
		{"Forbidden", &APIError{Code: 403, Description: "Forbidden"}, bot.ErrUnreachable, 0},
		{"UserNotFound", &APIError{Code: 400, Description: "Bad Request: user not found"}, bot.ErrUnreachable, 0},
		{"Unfollowed", &APIError{Code: 400, Description: "User has unfollowed the bot"}, bot.ErrUnreachable, 0},
		{"ChatNotFound404", &APIError{Code: 404, Description: "chat not found"}, bot.ErrUnreachable, 0},
		{"MethodNotFound", &APIError{Code: 404, Description: "Not Found"}, bot.ErrPermanent, 0},
		{"BadRequest", &APIError{Code: 400, Description: "Bad Request: text must be 1-2000 characters"}, bot.ErrPermanent, 0},
		{"Unauthorized", &APIError{Code: 401, Description: "Unauthorized"}, bot.ErrUnauthorized, 0},
		{"ServerError", &APIError{Code: 503}, bot.ErrTemporary, 0},
		{"Network", errors.New("dial tcp: connection refused"), bot.ErrTemporary, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := classify(tc.err)
			var be *bot.Error
			if !errors.As(err, &be) || be.Kind != tc.kind || bot.RetryAfterOf(err) != tc.wait {
				t.Fatalf("classify(%v) = %v, want %s after %s", tc.err, err, tc.kind, tc.wait)
			}
			if !errors.Is(err, tc.err) {
				t.Fatal("cause lost")
			}
		})
	}
}

func TestIncoming(t *testing.T) {
	parse := func(s string) *update {
		var u update
		if err := json.Unmarshal([]byte(s), &u); err != nil {
			t.Fatal(err)
		}
		return &u
	}
	msg := func(event, chatType, text, extra string) string {
		return `{"event_name":"` + event + `","message":{"from":{"id":"u1","display_name":"Lan"` + extra + `},` +
			`"chat":{"id":"c1","chat_type":"` + chatType + `"},"text":"` + text + `","message_id":"m1","date":1}}`
	}
	t.Run("GroupCommandKept", func(t *testing.T) {
		in := incoming(parse(msg("message.text.received", "GROUP", "/rsvp  no\\nsick", "")))
		if in == nil || in.Private || in.ChatID != "c1" || in.Command != "rsvp" || in.Args != "no\nsick" {
			t.Fatalf("incoming %+v", in)
		}
	})
	for _, tc := range []struct{ name, body string }{
		{"GroupChatterIgnored", msg("message.text.received", "GROUP", "hello", "")},
		{"StickerIgnored", msg("message.sticker.received", "PRIVATE", "", "")},
		{"ImageIgnored", msg("message.image.received", "PRIVATE", "", "")},
		{"BotIgnored", msg("message.text.received", "PRIVATE", "hi", `,"is_bot":true`)},
		{"EmptyTextIgnored", msg("message.text.received", "PRIVATE", "  ", "")},
		{"NoMessageIgnored", `{"event_name":"message.text.received"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if in := incoming(parse(tc.body)); in != nil {
				t.Fatalf("incoming %+v", in)
			}
		})
	}
	t.Run("NameFallback", func(t *testing.T) {
		u := parse(`{"event_name":"message.text.received","message":{"from":{"id":"u1","first_name":"Nguyen Van A"},"chat":{"id":"u1","chat_type":"PRIVATE"},"text":"x","message_id":"m"}}`)
		if in := incoming(u); in == nil || in.Name != "Nguyen Van A" || !in.Private {
			t.Fatalf("incoming %+v", in)
		}
	})
	t.Run("DecodeUpdates", func(t *testing.T) {
		for raw, n := range map[string]int{"null": 0, "": 0, msg("message.text.received", "PRIVATE", "a", ""): 1,
			"[" + msg("message.text.received", "PRIVATE", "a", "") + "," + msg("message.text.received", "PRIVATE", "b", "") + "]": 2} {
			us, err := decodeUpdates(json.RawMessage(raw))
			if err != nil || len(us) != n {
				t.Fatalf("decode %q: %d updates, err %v", raw, len(us), err)
			}
		}
	})
}
