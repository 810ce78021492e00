package bot

import (
	"errors"
	"net/url"
	"regexp"
)

// tokenInURL matches the token part of a Bot API URL, /bot<TOKEN>/, also
// in its escaped forms inside a quoted URL. Telegram and Zalo both put the
// token there.
var tokenInURL = regexp.MustCompile(`/bot[^/\s"']+/`)

// redacted is an error whose text had the bot token removed; it still
// unwraps to the original for errors.Is and errors.As.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// RedactToken removes a bot token from err's text: net/http's errors (a
// *url.Error on a connection reset, a timeout, a bad URL) carry the request
// URL, …/bot<TOKEN>/method. Each *url.Error in the chain gets its URL
// rewritten, and if the text still shows a token, err is wrapped in one
// whose text does not. Adapters apply it where they classify errors.
func RedactToken(err error) error {
	if err == nil {
		return nil
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ue, ok := e.(*url.Error); ok {
			ue.URL = tokenInURL.ReplaceAllString(ue.URL, "/bot<token>/")
		}
	}
	msg := err.Error()
	if clean := tokenInURL.ReplaceAllString(msg, "/bot<token>/"); clean != msg {
		return &redacted{msg: clean, err: err}
	}
	return err
}
