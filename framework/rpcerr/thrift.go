package rpcerr

// Thrift TApplicationException types (wire values), including Kitex's additions.
const (
	ExceptionUnknown               int32 = 0
	ExceptionUnknownMethod         int32 = 1
	ExceptionInvalidMessageType    int32 = 2
	ExceptionWrongMethodName       int32 = 3
	ExceptionBadSequenceID         int32 = 4
	ExceptionMissingResult         int32 = 5
	ExceptionInternalError         int32 = 6
	ExceptionProtocolError         int32 = 7
	ExceptionInvalidTransform      int32 = 8
	ExceptionInvalidProtocol       int32 = 9
	ExceptionUnsupportedClientType int32 = 10
	ExceptionUnknownService        int32 = 20 // Kitex
	ExceptionNoServiceName         int32 = 21 // Kitex
)

// FromException returns the error a TApplicationException of type typ and message msg stands for; the
// error remembers typ (see ExceptionType).
func FromException(typ int32, msg string) *Error {
	e := &Error{code: exceptionCode(typ), msg: msg, exType: typ, hasType: true}
	return e
}

// WithExceptionType returns a copy of e that is sent to Thrift peers as a TApplicationException of type typ.
func (e *Error) WithExceptionType(typ int32) *Error {
	c := *e
	c.exType, c.hasType = typ, true
	return &c
}

// ExceptionType returns the TApplicationException type this error is sent as: the type it was created
// with, or one derived from its code.
func (e *Error) ExceptionType() int32 {
	if e.hasType {
		return e.exType
	}
	switch e.code {
	case CodeUnimplemented:
		return ExceptionUnknownMethod
	case CodeUnknown:
		return ExceptionUnknown
	case CodeInvalidArgument, CodeDataLoss:
		return ExceptionProtocolError
	}
	return ExceptionInternalError
}

func exceptionCode(typ int32) Code {
	switch typ {
	case ExceptionUnknown:
		return CodeUnknown
	case ExceptionUnknownMethod, ExceptionUnknownService, ExceptionNoServiceName,
		ExceptionUnsupportedClientType, ExceptionInvalidProtocol, ExceptionInvalidTransform:
		return CodeUnimplemented
	case ExceptionProtocolError:
		return CodeInvalidArgument
	}
	return CodeInternal
}
