package council

import (
	"errors"
	"fmt"
)

// Error codes named by the API contract.
const (
	CodeBadRequest      = "bad_request"
	CodeValidation      = "validation"
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodeNotFound        = "not_found"
	CodeConflict        = "conflict"
	CodeRoundNotOpen    = "round_not_open"
	CodeRoundClosed     = "round_closed"
	CodeTooLarge        = "too_large"
	CodeRateLimited     = "rate_limited"
	CodeUnavailable     = "unavailable"
)

// Error is a rule the request broke, with the code the API answers and a message fit for people.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Validation collects field problems; Err returns nil when there are none.
type Validation map[string]string

// Add records a problem with field unless one is already recorded.
func (v Validation) Add(field, problem string) {
	if _, ok := v[field]; !ok {
		v[field] = problem
	}
}

// Err returns the collected problems as one validation error, or nil.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Code: CodeValidation, Message: "Some fields are not valid.", Fields: v}
}

var (
	errNotFound     = Errorf(CodeNotFound, "Not found.")
	errForbidden    = Errorf(CodeForbidden, "You may not do this.")
	errUnauth       = Errorf(CodeUnauthenticated, "Sign in first.")
	errRoundNotOpen = Errorf(CodeRoundNotOpen, "The round is not open.")
	errRoundClosed  = Errorf(CodeRoundClosed, "The round has closed; the vote was not recorded.")
)
