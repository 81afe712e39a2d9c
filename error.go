package kume

import (
	"errors"
	"fmt"
)

// Error codes. They are deliberately few: the HTTP layer maps each to one status.
const (
	ECONFLICT     = "conflict"      // the request conflicts with the current state
	EINTERNAL     = "internal"      // anything unexpected; never shown in detail to a client
	EINVALID      = "invalid"       // the input is malformed or out of range
	ENOTFOUND     = "not_found"     // the thing asked for does not exist (or is not visible)
	EUNAUTHORIZED = "unauthorized"  // no or bad credentials
	EFORBIDDEN    = "forbidden"     // credentials too weak for the action
	ETOOLARGE     = "too_large"     // a body or result beyond the configured limit
	EUNAVAILABLE  = "unavailable"   // a dependency (the database) is not reachable now
	ENOTSUPPORTED = "not_supported" // the store or configuration does not offer this
)

// Error is an application error with a code and a message that is safe to show a
// client. Wrap lower-level errors with fmt.Errorf("...: %w", err) instead; only
// errors built with Errorf or &Error{} carry a code.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface: the message alone, so that wrapped
// errors read as a sentence ("import berlin.csv: line 4: ...").
func (e *Error) Error() string {
	return e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the first *Error in err's chain,
// or "internal error" for any other non-nil error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
