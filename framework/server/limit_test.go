package server_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/limit"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/transport"
)

func TestQPSLimitRejectsTheExcessAndServesTheRest(t *testing.T) {
	for _, p := range []transport.Protocol{transport.TTHeader, transport.Framed} {
		svr, addr, _ := echotest.StartServer(t, server.WithLimit(limit.Config{QPS: 1, QPSBurst: 5}))
		cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithTransportProtocol(p))
		var ok, limited int
		for i := 0; i < 20; i++ {
			_, err := cli.Echo(testContext(t), &echo.Request{Message: "q"})
			switch {
			case err == nil:
				ok++
			case rpcerr.CodeOf(err) == rpcerr.CodeResourceExhausted || (p == transport.Framed && rpcerr.CodeOf(err) == rpcerr.CodeInternal):
				// Over Framed there is no header for the exact code; the message still says why.
				if !strings.Contains(err.Error(), "QPS limit") {
					t.Fatalf("%v: rejection does not say why: %v", p, err)
				}
				limited++
			default:
				t.Fatalf("%v: unexpected error %v", p, err)
			}
		}
		if limited == 0 || ok == 0 {
			t.Fatalf("%v: %d served, %d limited; want both", p, ok, limited)
		}
		cli.Close()
		if st := svr.LimitStats(); st.QPSRejected != uint64(limited) {
			t.Fatalf("%v: %d rejections counted, %d seen", p, st.QPSRejected, limited)
		}
	}
}

func TestConcurrencyLimit(t *testing.T) {
	svr, addr, _ := echotest.StartServer(t, server.WithLimit(limit.Config{MaxConcurrency: 2}))
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithMuxConnection(1))
	defer cli.Close()
	var ok, limited atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := cli.Echo(testContext(t), &echo.Request{Message: "c", DelayMs: 300})
			switch rpcerr.CodeOf(err) {
			case rpcerr.CodeOK:
				ok.Add(1)
			case rpcerr.CodeResourceExhausted:
				limited.Add(1)
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() < 2 || limited.Load() == 0 || ok.Load()+limited.Load() != 6 {
		t.Fatalf("%d served, %d limited", ok.Load(), limited.Load())
	}
	if svr.LimitStats().ConcurrencyRejected != uint64(limited.Load()) {
		t.Fatalf("stats %+v, %d limited", svr.LimitStats(), limited.Load())
	}
}

func TestConnectionLimit(t *testing.T) {
	svr, addr, _ := echotest.StartServer(t, server.WithLimit(limit.Config{MaxConnections: 1}))
	first := echoservice.MustNewClient("echo", client.WithHostPorts(addr))
	defer first.Close()
	if _, err := first.Echo(testContext(t), &echo.Request{Message: "1"}); err != nil {
		t.Fatal(err)
	}
	second := echoservice.MustNewClient("echo", client.WithHostPorts(addr))
	defer second.Close()
	_, err := second.Echo(testContext(t), &echo.Request{Message: "2"})
	if rpcerr.CodeOf(err) != rpcerr.CodeResourceExhausted || !strings.Contains(err.Error(), "connection limit") {
		t.Fatalf("second connection: err = %v", err)
	}
	if _, err := first.Echo(testContext(t), &echo.Request{Message: "1 again"}); err != nil {
		t.Fatalf("first connection after the refusal: %v", err)
	}
	if svr.LimitStats().ConnRejected == 0 {
		t.Fatal("connection rejection not counted")
	}
}
