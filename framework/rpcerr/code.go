// Package rpcerr is Tern's one error model: every error the framework returns carries a Code the caller
// can test with CodeOf, whatever protocol carried it.
//
// Codes are the gRPC status codes, so they map one to one onto gRPC, plus a few of Tern's own (from 100)
// for conditions a caller must tell apart, such as an open circuit breaker. Thrift's TApplicationException types
// map onto codes too, and an Error remembers the exception type it came from (or should be sent as), so a
// Tern server answers a Kitex client with exactly the type Kitex expects.
//
//	resp, err := cli.Echo(ctx, req)
//	switch rpcerr.CodeOf(err) {
//	case rpcerr.CodeDeadlineExceeded: // the RPC timeout fired
//	case rpcerr.CodeUnimplemented:    // the server has no such service or method
//	}
package rpcerr

import "strconv"

// Code classifies an error. The zero value, CodeOK, means no error.
type Code uint32

// Codes, with the values of the gRPC status codes.
const (
	CodeOK                 Code = 0
	CodeCanceled           Code = 1  // the caller cancelled the call
	CodeUnknown            Code = 2  // an error with no better code (a plain error from a handler...)
	CodeInvalidArgument    Code = 3  // the request is invalid
	CodeDeadlineExceeded   Code = 4  // the call's timeout fired
	CodeNotFound           Code = 5  // something requested does not exist
	CodeAlreadyExists      Code = 6  // something to create exists already
	CodePermissionDenied   Code = 7  // the caller may not do this
	CodeResourceExhausted  Code = 8  // a limit was hit (rate, concurrency, connections, size)
	CodeFailedPrecondition Code = 9  // the system is not in a state for this call
	CodeAborted            Code = 10 // the call was aborted, typically by a conflict
	CodeOutOfRange         Code = 11 // a value is out of its valid range
	CodeUnimplemented      Code = 12 // the server has no such service or method
	CodeInternal           Code = 13 // a broken invariant: protocol error, handler panic
	CodeUnavailable        Code = 14 // the server cannot be reached or is shutting down; retrying may help
	CodeDataLoss           Code = 15 // unrecoverable loss or corruption of data
	CodeUnauthenticated    Code = 16 // the caller's identity is missing or invalid
)

// Codes of Tern's own, for conditions callers must tell apart from the gRPC ones; over gRPC they travel
// as the gRPC code noted.
const (
	// CodeCircuitOpen: a circuit breaker refused the call without sending it (gRPC: Unavailable).
	CodeCircuitOpen Code = 100
)

var codeNames = [...]string{
	CodeOK:                 "ok",
	CodeCanceled:           "canceled",
	CodeUnknown:            "unknown",
	CodeInvalidArgument:    "invalid_argument",
	CodeDeadlineExceeded:   "deadline_exceeded",
	CodeNotFound:           "not_found",
	CodeAlreadyExists:      "already_exists",
	CodePermissionDenied:   "permission_denied",
	CodeResourceExhausted:  "resource_exhausted",
	CodeFailedPrecondition: "failed_precondition",
	CodeAborted:            "aborted",
	CodeOutOfRange:         "out_of_range",
	CodeUnimplemented:      "unimplemented",
	CodeInternal:           "internal",
	CodeUnavailable:        "unavailable",
	CodeDataLoss:           "data_loss",
	CodeUnauthenticated:    "unauthenticated",
}

var ternCodeNames = map[Code]string{CodeCircuitOpen: "circuit_open"}

// String returns the code's name in snake case ("deadline_exceeded").
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	if n, ok := ternCodeNames[c]; ok {
		return n
	}
	return "code_" + strconv.FormatUint(uint64(c), 10)
}
