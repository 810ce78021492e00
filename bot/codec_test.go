package bot

import (
	"errors"
	"math"
	"testing"

	"github.com/convene/convene"
)

// Each codec's parser never panics, refuses with errStale or EINVALID, and
// reads back what its encoder wrote (parse(encode(x)) == x); what the
// encoder writes fits Telegram's 64 bytes of callback data. The seeds run in
// every go test; go test -fuzz=FuzzRSVPData explores further.

// checkCodec runs the properties for one data string.
func checkCodec[T comparable](t *testing.T, s string, parse func(string) (T, error), encode func(T) string) {
	t.Helper()
	x, err := parse(s)
	if err != nil {
		if !errors.Is(err, errStale) && convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("parse(%q): %v, want errStale or EINVALID", s, err)
		}
		return
	}
	e := encode(x)
	y, err := parse(e)
	if err != nil || y != x {
		t.Fatalf("parse(encode(parse(%q))) = %+v, %v; want %+v", s, y, err, x)
	}
}

// fuzzCodec checks that every valid value encodes within 64 bytes and
// reads back, then fuzzes the parser from those and the junk seeds.
func fuzzCodec[T comparable](f *testing.F, valid []T, junk []string, parse func(string) (T, error), encode func(T) string) {
	for _, x := range valid {
		s := encode(x)
		if len(s) > 64 {
			f.Fatalf("callback data %q is %d bytes, over Telegram's 64", s, len(s))
		}
		if y, err := parse(s); err != nil || y != x {
			f.Fatalf("parse(encode(%+v)) = %+v, %v", x, y, err)
		}
		f.Add(s)
	}
	for _, s := range junk {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkCodec(t, s, parse, encode) })
}

const maxID = math.MaxInt64

func FuzzRSVPData(f *testing.F) {
	fuzzCodec(f, []rsvpData{{1, choiceAttend}, {maxID, choiceDecline}, {7, choiceSubstitute}},
		[]string{"", "rsvp", "rsvp:1", "rsvp:x:a", "rsvp:1:z", "rsvp:1:a:b", "sub:1:a", "rsvp:+01:a", "rsvp:-1:a"},
		parseRSVPData, rsvpData.encode)
}

func FuzzSubData(f *testing.F) {
	fuzzCodec(f, []subData{{1, true}, {maxID, false}},
		[]string{"sub", "sub:1", "sub:x:ok", "sub:1:maybe", "sub:1:ok:2", "sub::ok"},
		parseSubData, subData.encode)
}

func FuzzInviteData(f *testing.F) {
	fuzzCodec(f, []inviteData{{1, true}, {maxID, false}},
		[]string{"inv", "inv:ok", "inv:ok:x", "inv:yes:1", "inv:ok:1:2"},
		parseInviteData, inviteData.encode)
}

func FuzzBroadcastData(f *testing.F) {
	fuzzCodec(f, []broadcastData{{1, true}, {maxID, false}},
		[]string{"bc", "bc:ok", "bc:ok:x", "bc:no:1:2", "bcx:ok:1"},
		parseBroadcastData, broadcastData.encode)
}

func FuzzRollcallData(f *testing.F) {
	fuzzCodec(f, []rollcallData{{1, 2, 0}, {maxID, maxID, math.MaxInt32}},
		[]string{"rc", "rc:1:2", "rc:1:2:x", "rc:1:2:3:4", "rc:a:b:c"},
		parseRollcallData, rollcallData.encode)
}

func FuzzPageData(f *testing.F) {
	fuzzCodec(f, []pageData{{pagePending, 1, 0, ""}, {pageRollcall, maxID, 1 << 30, ""}, {pageRollcall, 3, 2, "thu:hà"}},
		[]string{"pg", "pg:pending:1", "pg:pending:x:0", "pg:pending:1:-1", "pg:rollcall:1:0:", "pg:rollcall:1:0:a:b"},
		parsePageData, pageData.encode)
}

func FuzzFeedbackData(f *testing.F) {
	fuzzCodec(f, []feedbackData{{fbStart, maxID, true}, {fbRate, 5, true}, {fbPick, 0, true}, {fbSkip, 0, false}, {fbBack, 0, false},
		{fbEdit, 0, false}, {fbSubmit, 0, false}, {fbCancel, 0, false}},
		[]string{"fb", "fb:", "fb:start", "fb:start:x", "fb:rate", "fb:rate:x", "fb:rate:-3", "fb:q:1:2", "fb:start:1:2"},
		parseFeedbackData, feedbackData.encode)
}

func FuzzLangData(f *testing.F) {
	fuzzCodec(f, []langData{{"vi"}, {"en"}}, []string{"lang", "lang:", "lang:vi:en"}, parseLangData, langData.encode)
}

func FuzzCalendarData(f *testing.F) {
	fuzzCodec(f, []calendarData{{1}, {maxID}}, []string{"ics", "ics:0", "ics:-1", "ics:abc", "ics:1:2"}, parseCalendarData, calendarData.encode)
}
