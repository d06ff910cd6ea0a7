package shop

import (
	"errors"
	"fmt"
)

// Code classifies an Error; the API sends it as the "code" of its error body and maps it to a status.
type Code string

// The codes of Error.
const (
	// CodeInvalid: the request is malformed or a value is out of range (400).
	CodeInvalid Code = "invalid_argument"
	// CodeNotFound: the item does not exist (404).
	CodeNotFound Code = "not_found"
	// CodeEmptyCart: checkout of an empty cart (400).
	CodeEmptyCart Code = "empty_cart"
	// CodeOutOfStock: checkout needs more units than are available; nothing was deducted (409).
	CodeOutOfStock Code = "out_of_stock"
	// CodeConflict: the cart or catalogue changed under the request, e.g. an item in the cart was
	// removed from the catalogue, or the cart changed during checkout (409).
	CodeConflict Code = "conflict"
	// CodeUnavailable: a downstream service could not be reached or timed out (503).
	CodeUnavailable Code = "unavailable"
	// CodeDownstream: a downstream service failed in an unexpected way (502).
	CodeDownstream Code = "bad_gateway"
)

// Error is a failure of a shop operation, with a code and a message meant for the API's caller.
type Error struct {
	Code    Code
	Message string
	// Shortages lists the lines lacking stock, for CodeOutOfStock.
	Shortages []Shortage
	cause     error
}

// Error returns the code and message.
func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Unwrap returns the downstream error behind e, if any.
func (e *Error) Unwrap() error { return e.cause }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with code and message whose cause is err (kept for logs, not shown to the
// API's caller).
func WrapError(code Code, msg string, err error) *Error {
	return &Error{Code: code, Message: msg, cause: err}
}

// CodeOf returns err's Code when it is (or wraps) an *Error, and "" otherwise.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
