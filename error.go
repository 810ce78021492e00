package convene

import (
	"errors"
	"fmt"
)

// Error codes. The bot maps each code to the reply a person sees in one place;
// only EINTERNAL is logged as a fault.
const (
	ECONFLICT  = "conflict"
	EINTERNAL  = "internal"
	EINVALID   = "invalid"
	ENOTFOUND  = "not_found"
	EFORBIDDEN = "forbidden"
	EEXPIRED   = "expired"
)

// Error is an application error with a machine code and a human message.
// Cause, when set, is a sentinel naming which of the code's several reasons
// it is (ErrOverQuota, ErrAfterDeadline…): callers test it with errors.Is
// instead of reading the message.
type Error struct {
	Code    string
	Message string
	Cause   error
}

// Unwrap returns the error's cause, so errors.Is(err, ErrOverQuota) works
// through any wrapping.
func (e *Error) Unwrap() error { return e.Cause }

// Because returns e with its cause set to cause, for a chain:
// Errorf(ECONFLICT, "…").Because(ErrOverQuota).
func (e *Error) Because(cause error) *Error {
	e.Cause = cause
	return e
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("convene error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or
// "Internal error." for any other non-nil error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
