package grpc_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/transport/grpc"
)

func keepaliveConfig() grpc.Config {
	cfg := grpc.DefaultConfig()
	cfg.KeepaliveTime, cfg.KeepaliveTimeout = 30*time.Millisecond, 150*time.Millisecond
	return cfg
}

// A live peer answers the pings: an idle connection stays open and usable.
func TestKeepaliveKeepsLiveConnection(t *testing.T) {
	s := startServer(t, grpc.DefaultConfig())
	cc := dial(t, s.addr, keepaliveConfig())
	time.Sleep(400 * time.Millisecond) // many keepalive periods without a call
	if !cc.Usable() {
		t.Fatal("an idle connection to a live server was closed")
	}
	if _, _, _, err := cc.Invoke(testCtx(t), "/test.Echo/Echo", nil, []byte("x")); err != nil {
		t.Fatalf("call after idling: %v", err)
	}
}

// A peer that stops answering (here: it reads and never writes after its SETTINGS) is detected and the
// connection closed, on the client and on the server.
func TestKeepaliveClosesDeadConnection(t *testing.T) {
	t.Run("client", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			defer nc.Close()
			_ = http2.NewFramer(nc, nil).WriteSettings()
			_, _ = io.Copy(io.Discard, nc) // silent from now on
		}()
		cc := dial(t, ln.Addr().String(), keepaliveConfig())
		select {
		case <-cc.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("the connection to a silent server is still open")
		}
		if cc.Usable() {
			t.Fatal("a dead connection reports itself usable")
		}
	})
	t.Run("server", func(t *testing.T) {
		s := startServer(t, keepaliveConfig())
		nc, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		_, _ = nc.Write([]byte(http2.ClientPreface))
		fr := http2.NewFramer(nc, bufio.NewReader(nc))
		_ = fr.WriteSettings()
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		pinged := false
		for { // read without ever answering; the server pings, then gives up
			f, err := fr.ReadFrame()
			if err != nil {
				if !pinged {
					t.Fatalf("connection ended (%v) without a keepalive ping", err)
				}
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatal("the server kept a silent client's connection open")
				}
				return
			}
			if p, ok := f.(*http2.PingFrame); ok && !p.IsAck() {
				pinged = true
			}
		}
	})
}

// A GOAWAY makes a connection unusable for new calls at once, while the call in flight goes on: a
// client pool then dials afresh instead of failing calls on a draining connection.
func TestGoAwayMakesConnectionUnusable(t *testing.T) {
	arrived := make(chan struct{}, 1)
	s := startHandler(t, grpc.MethodMap{
		"/test.Echo/Block": grpc.UnaryFunc(func(ctx context.Context, _ metadata.MD, _ []byte) ([]byte, metadata.MD, error) {
			arrived <- struct{}{}
			<-ctx.Done()
			return nil, nil, ctx.Err()
		}),
	}, grpc.DefaultConfig())
	cc := dial(t, s.addr, grpc.DefaultConfig())
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	blocked := make(chan error, 1)
	go func() {
		_, _, _, err := cc.Invoke(ctx, "/test.Echo/Block", nil, nil)
		blocked <- err
	}()
	<-arrived
	go func() { _ = s.srv.Shutdown(testCtx(t)) }()
	for deadline := time.Now().Add(5 * time.Second); cc.Usable(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the connection stays usable after the server's GOAWAY")
		}
	}
	select {
	case <-cc.Done():
		t.Fatal("the connection closed under the call in flight")
	default:
	}
	cancel()
	<-blocked
}
