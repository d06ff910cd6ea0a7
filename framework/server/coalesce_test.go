package server_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

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
// together) and returns the replies by sequence
// id, the number of flushes, and how often the multiplexed reply path yielded before flushing. The
// yield waits until every reply has been written into the connection's buffer.
func serveBatch(t *testing.T, n int, outOfOrder bool) (replies map[int32]string, flushes, yields int64) {
	t.Helper()
	return serveBatchYielding(t, n, outOfOrder, true)
}

// serveBatchYielding is serveBatch; without hold, the multiplexed reply path yields as in production.
func serveBatchYielding(t *testing.T, n int, outOfOrder, hold bool) (replies map[int32]string, flushes, yields int64) {
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
	var yielded atomic.Int64
	restore := server.SetYieldForTest(func() {
		yielded.Add(1)
		for hold && tc.mallocs.Load() < int64(n) && ctx.Err() == nil {
			runtime.Gosched()
		}
		if !hold {
			runtime.Gosched()
		}
	})
	defer restore()
	for i := range n {
		tc.push(echoRequest(int32(i+1), fmt.Sprintf("message %d", i+1), outOfOrder))
	}
	onRead, err := server.ServeConnForTest(svr, tc)
	if err != nil {
		t.Fatal(err)
	}
	for range n { // as netpoll calls OnRead: one message at a time
		if err := onRead(); err != nil {
			t.Fatal(err)
		}
	}
	for tc.mallocs.Load() < int64(n) || tc.pendingLen() > 0 {
		if ctx.Err() != nil {
			t.Fatalf("%d of %d replies written, %d bytes not flushed", tc.mallocs.Load(), n, tc.pendingLen())
		}
		runtime.Gosched()
	}
	replies, err = readReplies(tc.written())
	if err != nil {
		t.Fatalf("replies: %v", err)
	}
	return replies, tc.flushes.Load(), yielded.Load()
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
	replies, flushes, yields := serveBatch(t, n, true)
	checkReplies(t, replies, n)
	if flushes != 1 || yields != 1 {
		t.Errorf("%d replies finishing together: %d flushes after %d yields, want 1 after 1", n, flushes, yields)
	}
}

func TestLoneMultiplexedReplyFlushesAtOnce(t *testing.T) {
	replies, flushes, yields := serveBatch(t, 1, true)
	checkReplies(t, replies, 1)
	if flushes != 1 || yields != 0 {
		t.Errorf("a lone reply: %d flushes after %d yields, want 1 flush without yielding", flushes, yields)
	}
}

func TestPooledRepliesFlushEach(t *testing.T) {
	const n = 8
	replies, flushes, yields := serveBatch(t, n, false)
	checkReplies(t, replies, n)
	if flushes != n || yields != 0 {
		t.Errorf("%d in-order calls: %d flushes after %d yields, want %d without yielding", n, flushes, yields, n)
	}
}

// TestMultiplexedRepliesShareAFlushOnOneP lets the scheduler alone decide, on one P as in the
// benchmark's server: the first reply's yield lets the other handlers, runnable since the gate opened,
// write their replies before it flushes.
func TestMultiplexedRepliesShareAFlushOnOneP(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 16
	replies, flushes, _ := serveBatchYielding(t, n, true, false)
	checkReplies(t, replies, n)
	if flushes > n/2 {
		t.Errorf("%d replies finishing together on one P: %d flushes, want at most %d", n, flushes, n/2)
	}
}
