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
