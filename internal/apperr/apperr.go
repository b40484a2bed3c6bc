// Package apperr is the one error type of businesstools. Services return
// *Error with a Code; the GraphQL layer maps codes to extensions.code and the
// REST layer to problem+json statuses, each in one table.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for clients.
type Code string

// Codes returned by services.
const (
	Invalid              Code = "invalid"                // bad input; Field names it
	NotFound             Code = "not_found"              // missing, or another account's
	Unauthenticated      Code = "unauthenticated"        // no or bad credentials
	Forbidden            Code = "forbidden"              // authenticated but not allowed
	Conflict             Code = "conflict"               // duplicate or state clash
	RateLimited          Code = "rate_limited"           // slow down; RetryAfter says how long
	RevealDisabled       Code = "reveal_disabled"        // BT_ALLOW_REVEAL=false
	TooLarge             Code = "too_large"              // body over the limit
	UnsupportedMediaType Code = "unsupported_media_type" // body not sent as application/json
	Unprocessable        Code = "unprocessable"          // well-formed but unusable (template errors)
	Internal             Code = "internal"               // our fault; details are logged, not shown
)

// Error is an error a client may see. Message is a full sentence safe to show;
// Err, if any, is the internal cause and is never shown.
type Error struct {
	Code       Code
	Message    string
	Field      string
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an Invalid error naming the field at fault.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NotFound error.
func NotFoundf(format string, args ...any) *Error {
	return &Error{Code: NotFound, Message: fmt.Sprintf(format, args...)}
}

// Internalf wraps an infrastructure error; the message shown is generic.
func Internalf(err error, format string, args ...any) *Error {
	return &Error{Code: Internal, Message: "Something went wrong on our side.", Err: fmt.Errorf(format+": %w", append(args, err)...)}
}

// As returns err as *Error, wrapping unknown errors as Internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "Something went wrong on our side.", Err: err}
}

// CodeOf returns the code of err, or Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}
