package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/convene/convene/bot"
)

// APIError is an answer of the Bot API with "ok": false. Code is the
// answer's error_code, or its HTTP status when the body has none.
type APIError struct {
	Method      string
	Code        int
	Description string
	// RetryAfter is parameters.retry_after or the Retry-After header, if any.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("zalo %s: %d %s", e.Method, e.Code, e.Description)
}

// defaultRetryAfter is the wait assumed when a 429 names none: Zalo does not
// document one, so it is longer than Telegram's usual second.
const defaultRetryAfter = 5 * time.Second

type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts params as JSON to method and decodes the result into out (if
// not nil). It returns *APIError for an "ok": false answer and a transport
// error, with the token removed from its text, otherwise.
func (c *Channel) call(ctx context.Context, method string, params, out any) error {
	if params == nil {
		params = struct{}{}
	}
	body, err := json.Marshal(params)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+method, bytes.NewReader(body))
	if err != nil {
		return c.redact(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return c.redact(err)
	}
	defer resp.Body.Close()
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized:
		c.ready.Observe(c.log, true)
	case code < 500 && code != http.StatusTooManyRequests && code != http.StatusRequestTimeout:
		c.ready.Observe(c.log, false)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return c.redact(err)
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		// Not JSON: a proxy's error page. The status says what it was.
		if resp.StatusCode >= 300 {
			return &APIError{Method: method, Code: resp.StatusCode, Description: http.StatusText(resp.StatusCode)}
		}
		return fmt.Errorf("zalo %s: bad answer: %w", method, err)
	}
	if !env.OK {
		e := &APIError{Method: method, Code: env.ErrorCode, Description: env.Description}
		if e.Code == 0 {
			e.Code = resp.StatusCode
		}
		if env.Parameters.RetryAfter > 0 {
			e.RetryAfter = time.Duration(env.Parameters.RetryAfter) * time.Second
		} else if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		return e
	}
	if out != nil && len(env.Result) > 0 && string(env.Result) != "null" {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return fmt.Errorf("zalo %s: bad result: %w", method, err)
		}
	}
	return nil
}

// redact removes the token, which is part of every request URL, from
// transport errors before they are logged or returned.
func (c *Channel) redact(err error) error { return redact(err) }

// redact removes the bot token from err's text (see bot.RedactToken).
func redact(err error) error { return bot.RedactToken(err) }

// unreachableHints are descriptions that mean the recipient cannot be
// written to. Zalo documents none; these cover Telegram's wording and the
// obvious ones.
var unreachableHints = []string{
	"blocked", "unfollow", "not follow", "deactivated", "user not found", "chat not found",
	"user not exist", "user does not exist", "can't initiate", "cannot send",
}

// classify maps an error of call to a *bot.Error, once, here, with the bot
// token removed from its text:
//
//	429                                   → rate limited (retry_after, else 5 s)
//	401 (a wrong token; a 404 is an unknown method) → unauthorized
//	403; 400/404 naming a blocked, unknown
//	or departed user or chat              → unreachable
//	5xx, 408, network, undecodable answer → temporary
//	other 4xx (bad token, bad request)    → permanent
func classify(err error) error {
	if err == nil {
		return nil
	}
	err = redact(err)
	var be *bot.Error
	if errors.As(err, &be) {
		return err
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		return &bot.Error{Kind: bot.ErrTemporary, Err: err}
	}
	desc := strings.ToLower(ae.Description)
	switch {
	case ae.Code == http.StatusTooManyRequests:
		wait := ae.RetryAfter
		if wait <= 0 {
			wait = defaultRetryAfter
		}
		return &bot.Error{Kind: bot.ErrRateLimited, RetryAfter: wait, Err: err}
	case ae.Code == http.StatusUnauthorized:
		return &bot.Error{Kind: bot.ErrUnauthorized, Err: fmt.Errorf("bot token refused: %w", err)}
	case ae.Code == http.StatusForbidden,
		(ae.Code == http.StatusBadRequest || ae.Code == http.StatusNotFound) && containsAny(desc, unreachableHints):
		return &bot.Error{Kind: bot.ErrUnreachable, Err: err}
	case ae.Code >= 500, ae.Code == http.StatusRequestTimeout:
		return &bot.Error{Kind: bot.ErrTemporary, Err: err}
	}
	return &bot.Error{Kind: bot.ErrPermanent, Err: err}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
