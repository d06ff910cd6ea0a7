package rpcerr

import (
	"encoding/json"
	"maps"
	"strconv"
)

// bizStatus is what a business status error carries besides its message.
type bizStatus struct {
	status int32
	extra  map[string]string
}

// BizStatus returns a business status error: an outcome of the application that a handler reports and
// its caller tests by number (Kitex's biz status error), as opposed to a failure of the call itself.
// The server sends it as an ordinary reply whose headers say biz-status, biz-message and biz-extra
// (TTHeader string keys, as Kitex's TTHeader meta handlers do; gRPC trailers of the same names), so it
// crosses Kitex and Tern peers alike. status must not be zero. Its code is CodeUnknown.
func BizStatus(status int32, msg string) *Error {
	return &Error{code: CodeUnknown, msg: msg, biz: &bizStatus{status: status}}
}

// WithBizExtra returns a copy of e with extra key-values attached to its business status.
func (e *Error) WithBizExtra(extra map[string]string) *Error {
	c := *e
	b := bizStatus{}
	if e.biz != nil {
		b = *e.biz
	}
	b.extra = maps.Clone(extra)
	c.biz = &b
	return &c
}

// BizStatus returns e's business status and true, or 0 and false when e is not a business status error.
func (e *Error) BizStatus() (int32, bool) {
	if e.biz == nil {
		return 0, false
	}
	return e.biz.status, true
}

// BizExtra returns the extra key-values of e's business status (nil for none).
func (e *Error) BizExtra() map[string]string {
	if e.biz == nil {
		return nil
	}
	return e.biz.extra
}

// BizStatusOf returns the business status error in err's chain, if any.
func BizStatusOf(err error) (*Error, bool) {
	e := FromError(err)
	if e == nil || e.biz == nil {
		return nil, false
	}
	return e, true
}

// BizStatusWire returns e's business status as Kitex carries it in headers (TTHeader biz-status and
// biz-extra, the gRPC trailers of the same names): the status in decimal and the extra values as a JSON
// object ("" without any). ok is false when e is not a business status error.
func (e *Error) BizStatusWire() (status, extra string, ok bool) {
	if e == nil || e.biz == nil {
		return "", "", false
	}
	if len(e.biz.extra) > 0 {
		if b, err := json.Marshal(e.biz.extra); err == nil {
			extra = string(b)
		}
	}
	return strconv.FormatInt(int64(e.biz.status), 10), extra, true
}

// BizStatusFromWire is the business status error headers carry, as BizStatusWire writes them, with its
// message; nil when status is empty, zero or not a number. Extra values that are not a JSON object of
// strings are dropped.
func BizStatusFromWire(status, msg, extra string) *Error {
	n, err := strconv.ParseInt(status, 10, 32)
	if err != nil || n == 0 {
		return nil
	}
	e := BizStatus(int32(n), msg)
	var kv map[string]string
	if extra != "" && json.Unmarshal([]byte(extra), &kv) == nil && len(kv) > 0 {
		e.biz.extra = kv
	}
	return e
}
