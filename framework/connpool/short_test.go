package connpool_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/connpool"
	"github.com/ternhq/tern/framework/rpcerr"
)

func TestShortPool(t *testing.T) {
	ctx := testContext(t)
	srv := newEchoServer(t)
	var d countingDialer
	p := connpool.NewShortPool(d.dial)

	c1 := mustGet(ctx, t, p, srv.addr)
	roundTrip(t, c1, "one")
	mustPut(t, p, c1)
	if c1.IsActive() {
		t.Fatal("Put did not close the connection")
	}
	c2 := mustGet(ctx, t, p, srv.addr)
	if c2 == c1 {
		t.Fatal("short pool reused a connection")
	}
	if err := p.Discard(c2); err != nil {
		t.Fatal(err)
	}
	if c2.IsActive() {
		t.Fatal("Discard did not close the connection")
	}
	if _, err := p.Get(ctx, "tcp", "127.0.0.1:1", time.Second); err == nil {
		t.Fatal("Get of a refused address succeeded")
	}
	if st := p.Stats(); d.n.Load() != 3 || st.Dials != 2 || st.DialErrors != 1 || st.Discards != 1 {
		t.Fatalf("dialer calls %d, stats %+v", d.n.Load(), st)
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Get(ctx, "tcp", srv.addr, time.Second); !errors.Is(err, connpool.ErrPoolClosed) {
		t.Fatalf("Get after Close = %v, want ErrPoolClosed", err)
	}
}

func TestPoolsImplementInterfaces(t *testing.T) {
	var (
		_ connpool.Pool          = connpool.NewShortPool(nil)
		_ connpool.StatsReporter = connpool.NewShortPool(nil)
	)
	long := connpool.NewLongPool(nil, connpool.DefaultLongPoolConfig())
	defer long.Close()
	var pool connpool.Pool = long
	if _, ok := pool.(connpool.StatsReporter); !ok {
		t.Fatal("LongPool does not report stats")
	}
	if _, ok := pool.(connpool.Cleaner); !ok {
		t.Fatal("LongPool is not a Cleaner")
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		err  error
		want rpcerr.Code
	}{
		{connpool.ErrPoolClosed, rpcerr.CodeCanceled},
		{connpool.ErrForeignConn, rpcerr.CodeInternal},
		{connpool.ErrNotInUse, rpcerr.CodeInternal},
	}
	for _, tt := range tests {
		if got := rpcerr.CodeOf(tt.err); got != tt.want {
			t.Errorf("CodeOf(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
