package rpcerr_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/ternhq/tern/framework/rpcerr"
)

func TestCodeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want rpcerr.Code
	}{
		{"nil", nil, rpcerr.CodeOK},
		{"plain", errors.New("x"), rpcerr.CodeUnknown},
		{"rpcerr", rpcerr.New(rpcerr.CodeNotFound, "gone"), rpcerr.CodeNotFound},
		{"wrapped rpcerr", fmt.Errorf("ctx: %w", rpcerr.New(rpcerr.CodeAborted, "x")), rpcerr.CodeAborted},
		{"deadline", context.DeadlineExceeded, rpcerr.CodeDeadlineExceeded},
		{"canceled", fmt.Errorf("op: %w", context.Canceled), rpcerr.CodeCanceled},
		{"exception", rpcerr.FromException(rpcerr.ExceptionUnknownService, "no svc"), rpcerr.CodeUnimplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rpcerr.CodeOf(tt.err); got != tt.want {
				t.Fatalf("CodeOf = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestErrorfWrapsAndFormats(t *testing.T) {
	err := rpcerr.Errorf(rpcerr.CodeUnavailable, "dial %s: %w", "127.0.0.1:1", io.EOF)
	if !errors.Is(err, io.EOF) {
		t.Fatal("Errorf %w target not reachable with errors.Is")
	}
	if got, want := err.Error(), "unavailable: dial 127.0.0.1:1: EOF"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if rpcerr.Wrap(rpcerr.CodeInternal, nil) != nil {
		t.Fatal("Wrap(nil) should be nil")
	}
	var e *rpcerr.Error
	if !errors.As(fmt.Errorf("outer: %w", err), &e) || e.Message() != "dial 127.0.0.1:1: EOF" {
		t.Fatalf("errors.As: %v", e)
	}
}

func TestExceptionTypeRoundTrip(t *testing.T) {
	tests := []struct {
		err  *rpcerr.Error
		want int32
	}{
		{rpcerr.New(rpcerr.CodeUnimplemented, ""), rpcerr.ExceptionUnknownMethod},
		{rpcerr.New(rpcerr.CodeInternal, ""), rpcerr.ExceptionInternalError},
		{rpcerr.New(rpcerr.CodeUnknown, ""), rpcerr.ExceptionUnknown},
		{rpcerr.New(rpcerr.CodeInvalidArgument, ""), rpcerr.ExceptionProtocolError},
		{rpcerr.New(rpcerr.CodeUnimplemented, "").WithExceptionType(rpcerr.ExceptionUnknownService), rpcerr.ExceptionUnknownService},
		{rpcerr.FromException(rpcerr.ExceptionBadSequenceID, ""), rpcerr.ExceptionBadSequenceID},
	}
	for _, tt := range tests {
		if got := tt.err.ExceptionType(); got != tt.want {
			t.Errorf("%v: ExceptionType = %d, want %d", tt.err, got, tt.want)
		}
	}
	if got := rpcerr.FromError(errors.New("x")).Code(); got != rpcerr.CodeUnknown {
		t.Fatalf("FromError(plain).Code = %v", got)
	}
}

func TestCodeString(t *testing.T) {
	if rpcerr.CodeDeadlineExceeded.String() != "deadline_exceeded" || rpcerr.Code(99).String() != "code_99" ||
		rpcerr.CodeCircuitOpen.String() != "circuit_open" {
		t.Fatal("unexpected code names")
	}
}

func TestCodeOfDoesNotAllocate(t *testing.T) {
	err := error(rpcerr.New(rpcerr.CodeUnavailable, "x"))
	if n := testing.AllocsPerRun(100, func() { _ = rpcerr.CodeOf(err) }); n != 0 {
		t.Fatalf("CodeOf allocates %.0f times", n)
	}
}
