package thrift

import "strconv"

// TApplicationException types: the values of ApplicationException.Type. They are wire facts shared
// with Apache Thrift (0–10) and Kitex (20, 21).
const (
	UnknownApplicationException = 0  // UnknownApplicationException is an unclassified error.
	UnknownMethod               = 1  // UnknownMethod: the server has no such method.
	InvalidMessageType          = 2  // InvalidMessageType: the message type was not CALL or ONEWAY.
	WrongMethodName             = 3  // WrongMethodName: the reply names a different method.
	BadSequenceID               = 4  // BadSequenceID: the reply's sequence id matches no call.
	MissingResult               = 5  // MissingResult: the reply's result struct has no field set.
	InternalError               = 6  // InternalError: the server failed while handling the call.
	ProtocolError               = 7  // ProtocolError: the message could not be decoded.
	InvalidTransform            = 8  // InvalidTransform: an unsupported header transform.
	InvalidProtocol             = 9  // InvalidProtocol: an unsupported protocol.
	UnsupportedClientType       = 10 // UnsupportedClientType: an unsupported client type.
	UnknownService              = 20 // UnknownService (Kitex): the server has no such service.
	NoServiceName               = 21 // NoServiceName (Kitex): the call did not name a service.
)

// ApplicationException is Thrift's TApplicationException, the struct {1: string message, 2: i32 type}
// a server sends in an EXCEPTION message when a call fails outside the IDL's declared exceptions. It is
// a Message and an error.
type ApplicationException struct {
	Message string // Message is field 1, a human-readable description.
	Type    int32  // Type is field 2, one of the UnknownApplicationException… constants.
}

// NewApplicationException returns an ApplicationException of type typ with message msg.
func NewApplicationException(typ int32, msg string) *ApplicationException {
	return &ApplicationException{Message: msg, Type: typ}
}

// Error describes the exception, for example
// "thrift application exception (unknown method): method Foo not found".
func (e *ApplicationException) Error() string {
	s := "thrift application exception (" + exceptionTypeName(e.Type) + ")"
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func exceptionTypeName(t int32) string {
	switch t {
	case UnknownApplicationException:
		return "unknown"
	case UnknownMethod:
		return "unknown method"
	case InvalidMessageType:
		return "invalid message type"
	case WrongMethodName:
		return "wrong method name"
	case BadSequenceID:
		return "bad sequence id"
	case MissingResult:
		return "missing result"
	case InternalError:
		return "internal error"
	case ProtocolError:
		return "protocol error"
	case InvalidTransform:
		return "invalid transform"
	case InvalidProtocol:
		return "invalid protocol"
	case UnsupportedClientType:
		return "unsupported client type"
	case UnknownService:
		return "unknown service"
	case NoServiceName:
		return "no service name"
	}
	return "type " + strconv.Itoa(int(t))
}

// BLength returns the encoded size: both fields and the STOP byte.
func (e *ApplicationException) BLength() int {
	return FieldBeginLength + StringLength(e.Message) + FieldBeginLength + I32Length + FieldStopLength
}

// FastWrite encodes the exception at b[0:] and returns BLength() bytes written.
func (e *ApplicationException) FastWrite(b []byte) int {
	n := WriteFieldBegin(b, STRING, 1)
	n += WriteString(b[n:], e.Message)
	n += WriteFieldBegin(b[n:], I32, 2)
	n += WriteI32(b[n:], e.Type)
	return n + WriteFieldStop(b[n:])
}

// FastRead decodes an exception from b[0:], skipping unknown fields, and returns the bytes consumed.
// Fields missing from the input are left zero.
func (e *ApplicationException) FastRead(b []byte) (int, error) {
	var msg string
	var typ int32
	pos := 0
	for {
		t, id, n, err := ReadFieldBegin(b[pos:])
		if err != nil {
			return 0, err
		}
		pos += n
		if t == STOP {
			break
		}
		switch {
		case id == 1 && t == STRING:
			msg, n, err = ReadString(b[pos:])
		case id == 2 && t == I32:
			typ, n, err = ReadI32(b[pos:])
		default:
			n, err = Skip(b[pos:], t)
		}
		if err != nil {
			return 0, err
		}
		pos += n
	}
	e.Message, e.Type = msg, typ
	return pos, nil
}
