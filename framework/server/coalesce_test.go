package server_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/server"
)

// gatedEcho answers Echo once n calls have reached it, so that their replies finish together.
type gatedEcho struct {
	n       int32
	started atomic.Int32
	open    chan struct{}
}

func newGatedEcho(n int) *gatedEcho { return &gatedEcho{n: int32(n), open: make(chan struct{})} }

func (g *gatedEcho) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	if g.started.Add(1) == g.n {
		close(g.open)
	}
	select {
	case <-g.open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &echo.Response{Message: req.Message}, nil
}

func (g *gatedEcho) Notify(context.Context, *echo.Request) error { return nil }

// serveBatch serves n Echo calls sent at once on one connection (multiplexed: their handlers return
// together) and returns the replies by sequence id and the number of flushes. The connection's first
// flush does not start until every call but the one flushing has returned: replies finishing during a
// flush must go out together in the next one, without their calls waiting.
func serveBatch(t *testing.T, n int, outOfOrder bool) (replies map[int32]string, flushes int64) {
	t.Helper()
	ctx := testContext(t)
	svr := server.NewServer(server.WithLogger(echotest.QuietLogger()))
	gate := 1 // an in-order call is served inline: the next is read once it has been answered
	if outOfOrder {
		gate = n
	}
	if err := echoservice.RegisterService(svr, newGatedEcho(gate)); err != nil {
		t.Fatal(err)
	}
	tc := &memConn{}
	for i := range n {
		tc.push(echoRequest(int32(i+1), fmt.Sprintf("message %d", i+1), outOfOrder))
	}
	onRead, inflight, err := server.ServeConnForTest(svr, tc)
	if err != nil {
		t.Fatal(err)
	}
	var first atomic.Bool
	tc.onFlush = func() {
		if !outOfOrder || !first.CompareAndSwap(false, true) {
			return
		}
		// Were the other calls to wait for this flush, they would never return: give up after a while
		// and let the flush count tell.
		stuck, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		for inflight() > 1 && stuck.Err() == nil {
			runtime.Gosched()
		}
	}
	for range n { // as netpoll calls OnRead: one message at a time
		if err := onRead(); err != nil {
			t.Fatal(err)
		}
	}
	for inflight() > 0 || tc.pendingLen() > 0 {
		if ctx.Err() != nil {
			t.Fatalf("%d calls still in flight, %d bytes not flushed", inflight(), tc.pendingLen())
		}
		runtime.Gosched()
	}
	replies, err = readReplies(tc.written())
	if err != nil {
		t.Fatalf("replies: %v", err)
	}
	return replies, tc.flushes.Load()
}

func checkReplies(t *testing.T, replies map[int32]string, n int) {
	t.Helper()
	if len(replies) != n {
		t.Errorf("%d replies, want %d", len(replies), n)
	}
	for i := 1; i <= n; i++ {
		if want := fmt.Sprintf("message %d", i); replies[int32(i)] != want {
			t.Errorf("reply %d = %q, want %q", i, replies[int32(i)], want)
		}
	}
}

func TestMultiplexedRepliesShareAFlush(t *testing.T) {
	const n = 32
	replies, flushes := serveBatch(t, n, true)
	checkReplies(t, replies, n)
	if flushes > 2 {
		t.Errorf("%d replies finishing during one flush: %d flushes, want at most 2", n, flushes)
	}
}

func TestLoneMultiplexedReplyFlushesAtOnce(t *testing.T) {
	replies, flushes := serveBatch(t, 1, true)
	checkReplies(t, replies, 1)
	if flushes != 1 {
		t.Errorf("a lone reply: %d flushes, want 1", flushes)
	}
}

func TestPooledRepliesFlushEach(t *testing.T) {
	const n = 8
	replies, flushes := serveBatch(t, n, false)
	checkReplies(t, replies, n)
	if flushes != n {
		t.Errorf("%d in-order calls: %d flushes, want %d", n, flushes, n)
	}
}

// TestRepliesOfABurstShareAFlushOnOneP serves calls read in one go on one P, as the benchmark's
// server runs, with no hook in the way: the first reply goes out alone, the rest wait for nothing but
// the scheduler and share the flusher's next flush.
func TestRepliesOfABurstShareAFlushOnOneP(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 16
	ctx := testContext(t)
	svr := server.NewServer(server.WithLogger(echotest.QuietLogger()))
	if err := echoservice.RegisterService(svr, plainEcho{}); err != nil {
		t.Fatal(err)
	}
	tc := &memConn{}
	for i := range n {
		tc.push(echoRequest(int32(i+1), fmt.Sprintf("message %d", i+1), true))
	}
	onRead, inflight, err := server.ServeConnForTest(svr, tc)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := onRead(); err != nil {
			t.Fatal(err)
		}
	}
	for inflight() > 0 || tc.pendingLen() > 0 {
		if ctx.Err() != nil {
			t.Fatalf("%d calls still in flight", inflight())
		}
		runtime.Gosched()
	}
	replies, err := readReplies(tc.written())
	if err != nil {
		t.Fatal(err)
	}
	checkReplies(t, replies, n)
	if flushes := tc.flushes.Load(); flushes > n/4 {
		t.Errorf("%d calls read together on one P: %d flushes, want at most %d", n, flushes, n/4)
	}
}
