package rpcinfo_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/transport"
)

func TestContextRoundTrip(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8888}
	info := rpcinfo.New(rpcinfo.Data{
		Caller:     rpcinfo.Peer{Service: "gateway"},
		Callee:     rpcinfo.Peer{Service: "Echo", Method: "Echo", Addr: addr},
		SeqID:      7,
		Protocol:   transport.TTHeader,
		RPCTimeout: time.Second,
	})
	got := rpcinfo.FromContext(rpcinfo.NewContext(context.Background(), info))
	if got.Method() != "Echo" || got.Caller().Service != "gateway" || got.Callee().Addr != addr ||
		got.SeqID() != 7 || got.Protocol() != transport.TTHeader || got.RPCTimeout() != time.Second || got.Oneway() {
		t.Fatalf("unexpected info %+v", got.Data())
	}
	d := got.Data()
	d.Callee.Method = "Other"
	if got.Method() != "Echo" {
		t.Fatal("changing a Data copy changed the Info")
	}
}

func TestNilInfo(t *testing.T) {
	var i *rpcinfo.Info = rpcinfo.FromContext(context.Background())
	if i != nil || i.Method() != "" || i.Oneway() || i.RPCTimeout() != 0 || i.Callee().Service != "" {
		t.Fatal("nil Info should read as zero values")
	}
}

// A CallContext answers FromContext with its own Info in one allocation, and leaves every other key,
// the deadline and cancellation to its parent.
func TestCallContext(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Hour)
	d := rpcinfo.Data{Callee: rpcinfo.Peer{Service: "Echo", Method: "Say"}, SeqID: 7}
	ctx := rpcinfo.NewCallContext(parent, d)
	if got := rpcinfo.FromContext(ctx); got == nil || got.Method() != "Say" || got.SeqID() != 7 {
		t.Fatalf("FromContext = %+v", got)
	}
	if ctx.Value(key{}) != "v" {
		t.Error("the parent's values are lost")
	}
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) < time.Minute {
		t.Errorf("deadline %v, %v", dl, ok)
	}
	cancel()
	if ctx.Err() != context.Canceled {
		t.Errorf("Err after the parent's cancel = %v", ctx.Err())
	}
	if n := testing.AllocsPerRun(100, func() { _ = rpcinfo.NewCallContext(parent, d) }); n > 1 {
		t.Errorf("%v allocations per call context, want 1", n)
	}
}
