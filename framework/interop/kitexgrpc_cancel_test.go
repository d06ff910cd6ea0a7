package interop_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/rpcerr"
)

// endsWatcher is the Tern handler with a BidiStream that reports how its receive loop ended.
type endsWatcher struct {
	ternPBHandler
	ends chan error
}

func (w endsWatcher) BidiStream(st echopb.Echo_BidiStreamServer) error {
	for i := int32(0); ; i++ {
		req, err := st.Recv()
		if errors.Is(err, io.EOF) {
			w.ended(nil)
			return nil
		}
		if err != nil {
			w.ended(err)
			return err
		}
		if err := st.Send(&echopb.Response{Message: req.GetMessage(), Index: i}); err != nil {
			w.ended(err)
			return err
		}
	}
}

// ended reports a stream's end unless an earlier one is still unread.
func (w endsWatcher) ended(err error) {
	select {
	case w.ends <- err:
	default:
	}
}

// waitEnd returns the next stream end from ends, failing the test after 5 seconds.
func waitEnd(t *testing.T, ends <-chan error) error {
	t.Helper()
	select {
	case err := <-ends:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("the server's stream handler did not end within 5s")
		return nil
	}
}

// TestGRPCStreamCancel: a client that cancels a bidi stream mid-call ends the server handler's receive
// loop with an error (not io.EOF), and its own next Recv fails with a cancellation, in both directions.
func TestGRPCStreamCancel(t *testing.T) {
	t.Run("kitex_to_tern", func(t *testing.T) {
		w := endsWatcher{ends: make(chan error, 1)}
		c := newKitexPBClient(t, startTernPBServerWith(t, w), kitexpeer.PBGRPC)
		ctx, cancel := context.WithCancel(testContext(t))
		defer cancel()
		st, err := c.Stream(ctx, "BidiStream")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SendMsg(&echopb.Request{Message: "one"}); err != nil {
			t.Fatal(err)
		}
		if err := st.RecvMsg(new(echopb.Response)); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := st.RecvMsg(new(echopb.Response)); err == nil {
			t.Error("Recv after cancel succeeded")
		}
		end := waitEnd(t, w.ends)
		if code := rpcerr.CodeOf(end); end == nil || code != rpcerr.CodeCanceled {
			t.Errorf("the Tern handler's Recv ended with %v (code %v), want canceled", end, code)
		}
	})
	t.Run("tern_to_kitex", func(t *testing.T) {
		srv := sharedKitexPBServer(t, "cancel")
		c := newTernGRPCClient(t, srv.Addr())
		ctx, cancel := context.WithCancel(testContext(t))
		defer cancel()
		st, err := c.BidiStream(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Send(&echopb.Request{Message: "one"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Recv(); err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := st.Recv(); rpcerr.CodeOf(err) != rpcerr.CodeCanceled {
			t.Errorf("Recv after cancel = %v (code %v), want canceled", err, rpcerr.CodeOf(err))
		}
		if end := waitEnd(t, srv.BidiEnds()); end == nil {
			t.Error("the Kitex handler's Recv ended with io.EOF, want a cancellation")
		} else {
			t.Logf("the Kitex handler's Recv ended with %v", end)
		}
	})
}
