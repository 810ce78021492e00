package telegram

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/convene/convene/bot"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// statusError is an HTTP error answer whose body is not Telegram's JSON,
// such as a proxy's 502 page.
type statusError struct {
	Code       int
	RetryAfter time.Duration // from a Retry-After header in seconds
	Body       string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("http %d: %s", e.Code, e.Body)
}

func newStatusError(resp *http.Response) *statusError {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	e := &statusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}

// apiError returns the Telegram error in err's chain; v5.5.1 returns
// *tgbotapi.Error, but a value is accepted too.
func apiError(err error) (tgbotapi.Error, bool) {
	var p *tgbotapi.Error
	if errors.As(err, &p) && p != nil {
		return *p, true
	}
	var v tgbotapi.Error
	if errors.As(err, &v) {
		return v, true
	}
	return tgbotapi.Error{}, false
}

// unreachableDescriptions mark a 400 answer that means the recipient cannot
// be written to (every 403 means that too: blocked, deactivated, kicked,
// can't initiate conversation).
var unreachableDescriptions = []string{
	"chat not found", "user not found", "peer_id_invalid", "user is deactivated",
	"bot was blocked", "have no rights to send", "not enough rights to send",
	"chat_write_forbidden", "group chat was upgraded",
}

// redact removes the bot token from err's text (see bot.RedactToken).
func redact(err error) error { return bot.RedactToken(err) }

// classify maps a library, HTTP or network error to a *bot.Error, once,
// here, with the bot token removed from its text: 429 is rate limited (with
// retry_after), 401 and 404 (Telegram's answers to a bad token)
// unauthorized, 403 and the 400s above unreachable, 5xx and everything not
// answered by Telegram (network errors, timeouts, bodies that are not JSON)
// temporary, other 4xx permanent. Every error the adapter returns passes here.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var be *bot.Error
	if errors.As(err, &be) {
		return redact(err)
	}
	err = redact(err)
	if te, ok := apiError(err); ok {
		code := te.Code
		if code == 0 {
			// v5.5.1 leaves the code at 0 for multipart calls (sendDocument,
			// sendPhoto): read it from the description Telegram starts with.
			code = codeFromDescription(te.Message, te.RetryAfter)
		}
		return classifyCode(code, time.Duration(te.RetryAfter)*time.Second, te.Message, err)
	}
	var se *statusError
	if errors.As(err, &se) {
		if se.Code == http.StatusForbidden {
			// A proxy's 403 page says nothing about the recipient.
			return &bot.Error{Kind: bot.ErrPermanent, Err: err}
		}
		return classifyCode(se.Code, se.RetryAfter, "", err)
	}
	return &bot.Error{Kind: bot.ErrTemporary, Err: err}
}

func classifyCode(code int, retryAfter time.Duration, desc string, err error) error {
	desc = strings.ToLower(desc)
	switch {
	case code == http.StatusTooManyRequests:
		if retryAfter <= 0 {
			retryAfter = time.Second
		}
		return &bot.Error{Kind: bot.ErrRateLimited, RetryAfter: retryAfter, Err: err}
	case code == http.StatusUnauthorized,
		code == http.StatusNotFound && strings.EqualFold(strings.TrimSpace(desc), "not found"):
		return &bot.Error{Kind: bot.ErrUnauthorized, Err: fmt.Errorf("telegram %d (bot token refused): %w", code, err)}
	case code == http.StatusForbidden:
		return &bot.Error{Kind: bot.ErrUnreachable, Err: err}
	case code == http.StatusBadRequest && containsAny(desc, unreachableDescriptions):
		return &bot.Error{Kind: bot.ErrUnreachable, Err: err}
	case code >= 500, code == http.StatusRequestTimeout:
		return &bot.Error{Kind: bot.ErrTemporary, Err: err}
	}
	return &bot.Error{Kind: bot.ErrPermanent, Err: fmt.Errorf("telegram %d: %w", code, err)}
}

// codeFromDescription infers Telegram's error code from its description.
func codeFromDescription(desc string, retryAfter int) int {
	d := strings.ToLower(desc)
	switch {
	case retryAfter > 0 || strings.HasPrefix(d, "too many requests"):
		return http.StatusTooManyRequests
	case strings.HasPrefix(d, "forbidden"):
		return http.StatusForbidden
	case strings.HasPrefix(d, "bad request"):
		return http.StatusBadRequest
	case strings.HasPrefix(d, "unauthorized"):
		return http.StatusUnauthorized
	case strings.HasPrefix(d, "not found"):
		return http.StatusNotFound
	case strings.HasPrefix(d, "internal server error"), strings.HasPrefix(d, "bad gateway"),
		strings.HasPrefix(d, "service unavailable"), strings.HasPrefix(d, "gateway timeout"):
		return http.StatusBadGateway
	}
	return 0
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// notModified reports Telegram's answer to an edit that changes nothing.
func notModified(err error) bool {
	te, ok := apiError(err)
	return ok && strings.Contains(strings.ToLower(te.Message), "message is not modified")
}
