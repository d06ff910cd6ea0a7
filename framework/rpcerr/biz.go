package rpcerr

import "maps"

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
