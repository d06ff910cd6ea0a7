package rpcerr

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// Error is an error with a Code. Create one with New, Errorf or Wrap; test one with CodeOf or errors.As.
type Error struct {
	code    Code
	msg     string
	cause   error
	exType  int32 // TApplicationException type, valid when hasType
	hasType bool
	biz     *bizStatus // set for business status errors (BizStatus)
}

// New returns an error with the given code and message.
func New(code Code, msg string) *Error {
	return &Error{code: code, msg: msg}
}

// Errorf returns an error with the given code and a formatted message. A %w verb makes the wrapped error
// reachable through errors.Is and errors.As.
func Errorf(code Code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{code: code, msg: err.Error(), cause: errors.Unwrap(err)}
}

// Wrap returns an error with the given code whose message is err's; err stays reachable through
// errors.Is and errors.As. Wrap(code, nil) returns nil.
func Wrap(code Code, err error) *Error {
	if err == nil {
		return nil
	}
	return &Error{code: code, msg: err.Error(), cause: err}
}

// Code returns the error's code.
func (e *Error) Code() Code { return e.code }

// Message returns the error's message, without the code.
func (e *Error) Message() string { return e.msg }

// Error formats the error as "code: message", or "biz status N: message" for a business status.
func (e *Error) Error() string {
	if e.biz != nil {
		return "biz status " + strconv.FormatInt(int64(e.biz.status), 10) + ": " + e.msg
	}
	if e.msg == "" {
		return e.code.String()
	}
	return e.code.String() + ": " + e.msg
}

// Unwrap returns the error this one wraps, if any.
func (e *Error) Unwrap() error { return e.cause }

// CodeOf returns err's code: CodeOK for nil, the code of the first *Error in err's chain, CodeCanceled or
// CodeDeadlineExceeded for the context errors, and CodeUnknown for anything else.
func CodeOf(err error) Code {
	if err == nil {
		return CodeOK
	}
	if e, ok := err.(*Error); ok { // the common case, without errors.As's allocation
		return e.code
	}
	var e *Error
	if errors.As(err, &e) {
		return e.code
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return CodeDeadlineExceeded
	case errors.Is(err, context.Canceled):
		return CodeCanceled
	}
	return CodeUnknown
}

// FromError returns err as an *Error: err itself if it is one (or wraps one), otherwise err wrapped with
// the code CodeOf gives. FromError(nil) returns nil.
func FromError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Wrap(CodeOf(err), err)
}
