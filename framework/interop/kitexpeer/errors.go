package kitexpeer

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"

	"github.com/cloudwego/kitex/pkg/remote"
	"github.com/cloudwego/kitex/pkg/remote/trans/nphttp2/status"
)

// TransErrorType returns the TApplicationException type carried by a Kitex client error: the type the
// server sent for an exception reply, or the type Kitex chose for a local failure (7 protocol error
// when a reply could not be decoded — including a declared exception, see AsEchoError).
func TransErrorType(err error) (int32, bool) {
	var te *remote.TransError
	if !errors.As(err, &te) {
		return 0, false
	}
	return te.TypeID(), true
}

// goMapException matches the %#v form the non-dynamicgo reader (used for Buffered replies, whose length
// is unknown) gives a thrown exception: map[string]interface {}{"code":7, "message":"failed: hi"}.
var goMapException = regexp.MustCompile(`^map\[string\]interface \{\}\{"code":(-?\d+), "message":("(?:[^"\\]|\\.)*")\}$`)

// AsEchoError recovers the EchoError a Kitex generic client reports for a thrown EchoError. Kitex's
// generic reader turns a declared exception into a plain error whose text is the exception's fields
// (JSON, or Go syntax for Buffered), and the client wraps it as a protocol-error TransError inside a
// *kerrors.DetailedError (errors.Is(err, kerrors.ErrRemoteOrNetwork) is true).
func AsEchoError(err error) (*EchoError, bool) {
	var te *remote.TransError
	if !errors.As(err, &te) {
		return nil, false
	}
	text := te.Error()
	var j struct {
		Code    *int32 `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(text), &j) == nil && j.Code != nil {
		return &EchoError{Code: *j.Code, Message: j.Message}, true
	}
	m := goMapException.FindStringSubmatch(text)
	if m == nil {
		return nil, false
	}
	code, err1 := strconv.ParseInt(m[1], 10, 32)
	msg, err2 := strconv.Unquote(m[2])
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return &EchoError{Code: int32(code), Message: msg}, true
}

// GRPCStatus returns the gRPC status code and message a Kitex client error over gRPC carries (Kitex
// wraps the status in a *kerrors.DetailedError), and false if it carries none.
func GRPCStatus(err error) (code uint32, msg string, ok bool) {
	var se status.Iface
	if !errors.As(err, &se) {
		return 0, "", false
	}
	st := se.GRPCStatus()
	return uint32(st.Code()), st.Message(), true
}
