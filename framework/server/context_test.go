package server

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/metainfo"
	"github.com/ternhq/tern/framework/rpcinfo"
	"github.com/ternhq/tern/framework/transport"
)

func TestHandlerContext(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "parent"), time.Minute)
	defer cancel()
	parent = metainfo.WithIncoming(parent, func(yield func(k, v []byte) bool) {
		yield([]byte(metainfo.PrefixTransient+"t"), []byte("1"))
	})
	d := rpcinfo.Data{
		Caller:   rpcinfo.Peer{Service: "caller"},
		Callee:   rpcinfo.Peer{Service: "Echo", Method: "Echo"},
		SeqID:    9,
		Protocol: transport.TTHeader,
	}
	ctx := newHandlerContext(parent, d)

	t.Run("rpcinfo", func(t *testing.T) {
		ri := rpcinfo.FromContext(ctx)
		if ri.Data() != d {
			t.Fatalf("FromContext(ctx).Data() = %+v, want %+v", ri.Data(), d)
		}
		if rpcinfo.FromContext(context.WithValue(ctx, key{}, "child")) != ri {
			t.Fatal("a derived context does not see the call's rpcinfo")
		}
	})
	t.Run("parent values and metainfo", func(t *testing.T) {
		if v := ctx.Value(key{}); v != "parent" {
			t.Fatalf("parent value = %v", v)
		}
		if v, ok := metainfo.GetValue(ctx, "t"); !ok || v != "1" {
			t.Fatalf("metainfo received: %q, %v", v, ok)
		}
	})
	t.Run("backward values", func(t *testing.T) {
		if ctx.back.All() != nil {
			t.Fatal("a backward value before any was sent")
		}
		sub, stop := context.WithCancel(ctx)
		defer stop()
		if !metainfo.SendBackwardValue(sub, "k", "v") {
			t.Fatal("SendBackwardValue on a handler's context reported false")
		}
		got := map[string]string{}
		metainfo.RangeBackwardToSend(ctx, func(k, v string) { got[k] = v })
		if len(got) != 1 || got["k"] != "v" {
			t.Fatalf("values to send = %v", got)
		}
	})
	t.Run("deadline and cancellation", func(t *testing.T) {
		want, _ := parent.Deadline()
		if dl, ok := ctx.Deadline(); !ok || !dl.Equal(want) {
			t.Fatalf("Deadline = %v, %v; want the parent's %v", dl, ok, want)
		}
		sub, stop := context.WithTimeout(ctx, time.Hour)
		defer stop()
		if dl, _ := sub.Deadline(); !dl.Equal(want) {
			t.Fatalf("a longer timeout moved the deadline to %v", dl)
		}
		cancel()
		<-sub.Done()
		if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(sub.Err(), context.Canceled) {
			t.Fatalf("after the parent's cancel: Err = %v, derived Err = %v", ctx.Err(), sub.Err())
		}
	})
	if s := ctx.String(); !strings.Contains(s, "Echo.Echo") {
		t.Errorf("String() = %q, want it to name the method", s)
	}
}
