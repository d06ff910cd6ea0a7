package kitexpeer

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudwego/gopkg/bufiox"
	gthrift "github.com/cloudwego/gopkg/protocol/thrift"
	"github.com/cloudwego/kitex/pkg/generic"
	"github.com/cloudwego/kitex/pkg/serviceinfo"
)

// patchGenericMethods makes svcInfo's Echo method able to throw EchoError, and its oneway methods
// work at all. Kitex's generic codecs
// write only the success field of a result ("generic server ignore the exception"), and a handler
// error becomes a TApplicationException. Generated Kitex code instead stores a declared exception in
// the result struct and answers a normal reply; this wrapper does the same for Echo.
func patchGenericMethods(svcInfo *serviceinfo.ServiceInfo) {
	inner := svcInfo.GenericMethod
	svcInfo.GenericMethod = func(ctx context.Context, method string) serviceinfo.MethodInfo {
		mi := inner(ctx, method)
		switch {
		case mi == nil:
			return nil
		case method == "Echo":
			return echoMethodInfo{MethodInfo: mi}
		case mi.OneWay():
			return onewayMethodInfo{MethodInfo: mi}
		}
		return mi
	}
}

// onewayMethodInfo works around Kitex v0.16.3's generic handler, which asserts the result to
// *generic.Result even for oneway methods, where the server passes nil, and so panics on every call.
type onewayMethodInfo struct{ serviceinfo.MethodInfo }

func (m onewayMethodInfo) Handler() serviceinfo.MethodHandler { return handleOneway }

func handleOneway(ctx context.Context, handler, args, _ any) error {
	a, ok := args.(*generic.Args)
	if !ok {
		return fmt.Errorf("kitexpeer: oneway args are %T", args)
	}
	_, err := handler.(generic.Service).GenericCall(ctx, a.Method, a.Request)
	return err
}

type echoMethodInfo struct{ serviceinfo.MethodInfo }

func (m echoMethodInfo) NewResult() any {
	return &echoResult{Result: m.MethodInfo.NewResult().(*generic.Result)}
}

func (m echoMethodInfo) Handler() serviceinfo.MethodHandler { return handleEcho }

// handleEcho plays the part of a generated handler wrapper: a declared exception goes into the result.
func handleEcho(ctx context.Context, handler, args, result any) error {
	a, ok := args.(*generic.Args)
	if !ok {
		return fmt.Errorf("kitexpeer: Echo args are %T", args)
	}
	r, ok := result.(*echoResult)
	if !ok {
		return fmt.Errorf("kitexpeer: Echo result is %T", result)
	}
	resp, err := handler.(generic.Service).GenericCall(ctx, "Echo", a.Request)
	var ee *EchoError
	if errors.As(err, &ee) {
		r.exception = ee
		return nil
	}
	if err != nil {
		return err
	}
	r.Success = resp
	return nil
}

// echoResult is Echo's result: the generic result, or EchoError as field 1.
type echoResult struct {
	*generic.Result
	exception *EchoError
}

// Write writes the result struct after the message header, as Kitex's generic codec does.
func (r *echoResult) Write(ctx context.Context, method string, out bufiox.Writer) error {
	if r.exception == nil {
		return r.Result.Write(ctx, method, out)
	}
	b := gthrift.Binary
	buf := make([]byte, 0, 32+len(r.exception.Message))
	buf = b.AppendFieldBegin(buf, gthrift.STRUCT, 1) // result field 1: err
	buf = b.AppendFieldBegin(buf, gthrift.I32, 1)    // EchoError.code
	buf = b.AppendI32(buf, r.exception.Code)
	buf = b.AppendFieldBegin(buf, gthrift.STRING, 2) // EchoError.message
	buf = b.AppendString(buf, r.exception.Message)
	buf = b.AppendFieldStop(buf) // end of EchoError
	buf = b.AppendFieldStop(buf) // end of result
	_, err := out.WriteBinary(buf)
	return err
}
