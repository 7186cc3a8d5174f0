package council

import (
	"errors"
	"fmt"

	"github.com/perushtitsa/council/server/store"
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

// Field codes say what is wrong with one field, in words the pages translate; the English text
// beside each is for API users.
const (
	FieldRequired      = "required"       // empty
	FieldTooLong       = "too_long"       // longer than the field may be
	FieldTooShort      = "too_short"      // shorter than the field must be
	FieldInvalid       = "invalid"        // not of the field's form: a choice not offered, not an email, not UTF-8, a wrong type
	FieldInPast        = "in_past"        // a time that has passed
	FieldTooFar        = "too_far"        // a time too far ahead
	FieldTaken         = "taken"          // a unique value in use (a slug)
	FieldAlreadyMember = "already_member" // the person already holds a seat
	FieldTooWeak       = "too_weak"       // a password too easy to guess
	FieldMismatch      = "mismatch"       // does not match what it must (a current password)
	FieldRoundFull     = "round_full"     // the round has no room for more text
)

// Error is a rule the request broke, with the code the API answers, a message fit for people
// and, for problems with fields, each field's text and code.
type Error struct {
	Code       string
	Message    string
	Fields     map[string]string // field → what is wrong, in English
	FieldCodes map[string]string // field → one of the Field… codes
	Reason     string            // for a conflict: one of the Reason… codes
}

// Reasons say what a conflict is with, in words the pages translate.
const (
	ReasonArchived          = "archived"           // the council is archived
	ReasonPostDeleted       = "post_deleted"       // the post was deleted by its author
	ReasonNotHidden         = "not_hidden"         // the post is not hidden
	ReasonProposalWithdrawn = "proposal_withdrawn" // the proposal was withdrawn
	ReasonProposalVoted     = "proposal_voted"     // somebody voted on the proposal
	ReasonRoundNotOpen      = "round_not_open"     // the round is not open (closing one that is not)
	ReasonRoundNotDraft     = "round_not_draft"    // the round is no longer a draft
	ReasonRoundOpen         = "round_open"         // the round is open: only its deadline may change
	ReasonRoundClosed       = "round_closed"       // the round is closed
	ReasonAlreadyMember     = "already_member"     // the person already holds a seat
	ReasonExists            = "exists"             // the thing already exists
)

// Conflict builds a conflict error with its reason.
func Conflict(reason, format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Message: fmt.Sprintf(format, args...), Reason: reason}
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError is an Error of code about one field, with its field code and text.
func FieldError(code, message, field, fieldCode, problem string) *Error {
	return &Error{Code: code, Message: message, Fields: map[string]string{field: problem}, FieldCodes: map[string]string{field: fieldCode}}
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Problem is what is wrong with one field.
type Problem struct {
	Code string // one of the Field… codes
	Text string // in English, for API users
}

// Validation collects field problems; Err returns nil when there are none.
type Validation map[string]Problem

// Add records a problem with field unless one is already recorded.
func (v Validation) Add(field, code, text string) {
	if _, ok := v[field]; !ok {
		v[field] = Problem{Code: code, Text: text}
	}
}

// Err returns the collected problems as one validation error, or nil.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	e := &Error{Code: CodeValidation, Message: "Some fields are not valid.", Fields: map[string]string{}, FieldCodes: map[string]string{}}
	for f, p := range v {
		e.Fields[f], e.FieldCodes[f] = p.Text, p.Code
	}
	return e
}

var (
	errNotFound     = Errorf(CodeNotFound, "Not found.")
	errForbidden    = Errorf(CodeForbidden, "You may not do this.")
	errUnauth       = Errorf(CodeUnauthenticated, "Sign in first.")
	errRoundNotOpen = Errorf(CodeRoundNotOpen, "The round is not open.")
	errRoundClosed  = Errorf(CodeRoundClosed, "The round has closed; the vote was not recorded.")
)

// Unavailable reports whether err means that the database did not answer in time or could not
// be reached, rather than that the request or the data was wrong: the API answers it 503.
func Unavailable(err error) bool { return store.Unavailable(err) }
