package grpc

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// gatedConn counts the writes to a connection and, once armed, holds the next write until the gate
// opens.
type gatedConn struct {
	net.Conn
	mu     sync.Mutex
	writes int
	gate   chan struct{} // when set, the next write waits until it is closed
	opened sync.Once
	open   func() // lets the held write go; set by arm
}

func (g *gatedConn) Write(p []byte) (int, error) {
	g.mu.Lock()
	g.writes++
	gate := g.gate
	g.gate = nil
	g.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return g.Conn.Write(p)
}

// arm resets the count and holds the next write until open.
func (g *gatedConn) arm() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.writes = 0
	g.gate = make(chan struct{})
	gate := g.gate
	g.opened = sync.Once{}
	g.open = func() { g.opened.Do(func() { close(gate) }) }
}

func (g *gatedConn) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.writes
}

// gatedPair connects a client and a server over loopback TCP, both ends' connections gated. The
// server's handler echoes every message on /t.T/Echo: it tells arrived, waits for release, sends the
// message back and tells replied how that went.
func gatedPair(t *testing.T, arrived chan<- struct{}, release <-chan struct{}, replied chan<- error) (*ClientConn, *gatedConn, *gatedConn) {
	t.Helper()
	h := MethodMap{"/t.T/Echo": StreamFunc(func(ctx context.Context, ss *ServerStream) error {
		for {
			b, err := ss.RecvMsg()
			if err != nil {
				return nil
			}
			arrived <- struct{}{}
			<-release
			err = ss.SendMsg(b)
			replied <- err
			if err != nil {
				return err
			}
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(h, DefaultConfig())
	sconn := make(chan *gatedConn, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			close(sconn)
			return
		}
		g := &gatedConn{Conn: nc}
		sconn <- g
		_ = srv.ServeConn(g)
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cg := &gatedConn{Conn: nc}
	cc, err := NewClientConn(cg, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cc.Close()
		_ = ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	sg := <-sconn
	if sg == nil {
		t.Fatal("no server connection")
	}
	return cc, cg, sg
}

// TestWriteCoalescing sends a message on each of many streams at once while the connection's previous
// write is held up: the senders must not wait for it, and their frames must leave together in one
// write, not one write per stream. Each stream must still get its own message back intact.
func TestWriteCoalescing(t *testing.T) {
	const streams = 50
	for _, side := range []string{"server", "client"} {
		t.Run(side, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			arrived := make(chan struct{}, streams)
			release := make(chan struct{})
			if side == "client" {
				close(release)
			}
			replied := make(chan error, streams)
			cc, cg, sg := gatedPair(t, arrived, release, replied)
			css := make([]*ClientStream, streams)
			for i := range css {
				cs, err := cc.NewStream(ctx, "/t.T/Echo", nil)
				if err != nil {
					t.Fatal(err)
				}
				css[i] = cs
			}
			g := sg
			if side == "client" {
				g = cg
			}
			if side == "client" {
				g.arm() // the first SendMsg's write is held, the others must pile up behind it
				t.Cleanup(g.open)
			}
			sent := make(chan error, streams)
			for i, cs := range css {
				go func() { sent <- cs.SendMsg(fmt.Appendf(nil, "message %d", i)) }()
			}
			if side == "server" {
				for range streams {
					select {
					case <-arrived:
					case <-ctx.Done():
						t.Fatal("requests did not arrive")
					}
				}
				g.arm()
				t.Cleanup(g.open)
				close(release) // every handler sends its reply now
			}
			done := (<-chan error)(sent)
			if side == "server" {
				done = replied
			}
			for range streams {
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
				case <-ctx.Done():
					t.Fatal("senders waited for a write held up by another stream")
				}
			}
			g.open()
			for i, cs := range css {
				want := fmt.Sprintf("message %d", i)
				if got, err := cs.RecvMsg(); err != nil || string(got) != want {
					t.Fatalf("stream %d: %q, %v; want %q", i, got, err, want)
				}
			}
			if n := g.count(); n > streams/10 {
				t.Fatalf("the %s wrote %d times for %d streams' messages; want them coalesced into a few writes",
					side, n, streams)
			}
		})
	}
}
