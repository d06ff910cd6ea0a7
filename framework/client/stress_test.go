package client_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/client/callopt"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/rpcerr"
)

// TestCloseUnderLoad closes clients while calls are in flight: every call ends with an error that says
// why (or succeeds), and nothing crashes.
func TestCloseUnderLoad(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	for name, opt := range map[string]client.Option{"mux": client.WithMuxConnection(1), "long": client.WithLongConnection(connpoolDefault())} {
		t.Run(name, func(t *testing.T) {
			cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithConnectTimeout(5*time.Second), opt)
			var wg sync.WaitGroup
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 200; i++ {
						_, err := cli.Echo(testContext(t), &echo.Request{Message: "load"})
						switch rpcerr.CodeOf(err) {
						case rpcerr.CodeOK:
						case rpcerr.CodeCanceled, rpcerr.CodeUnavailable:
							return
						default:
							t.Errorf("call during Close: %v", err)
							return
						}
					}
				}()
			}
			time.Sleep(20 * time.Millisecond)
			if err := cli.Close(); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
		})
	}
}

// TestTimeoutsUnderLoad fires calls whose deadlines expire while replies are arriving: each either
// succeeds or times out, and the client stays usable.
func TestTimeoutsUnderLoad(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	msg := strings.Repeat("t", 6<<10)
	for name, opt := range map[string]client.Option{"mux": client.WithMuxConnection(1), "long": client.WithLongConnection(connpoolDefault())} {
		t.Run(name, func(t *testing.T) {
			cli := echoservice.MustNewClient("echo", client.WithHostPorts(addr), client.WithConnectTimeout(5*time.Second), opt)
			defer cli.Close()
			var wg sync.WaitGroup
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 60; i++ {
						timeout := time.Duration(200+(g*60+i)%3000) * time.Microsecond
						resp, err := cli.Echo(context.Background(), &echo.Request{Message: msg}, callopt.WithRPCTimeout(timeout))
						switch {
						case err == nil && resp.Message != msg:
							t.Errorf("wrong reply of %d bytes", len(resp.Message))
							return
						case err != nil && rpcerr.CodeOf(err) != rpcerr.CodeDeadlineExceeded:
							t.Errorf("call with a %v timeout: %v", timeout, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if resp, err := cli.Echo(testContext(t), &echo.Request{Message: "after"}); err != nil || resp.Message != "after" {
				t.Fatalf("call after the storm: %v, %v", resp, err)
			}
		})
	}
}

// panicky is an argument value whose encoding panics, as generated code does on a nil element.
type panicky struct{ echo.EchoEchoArgs }

func (p *panicky) FastWrite(b []byte) int { panic("nil element in a list") }

func TestEncodingPanicBecomesAnError(t *testing.T) {
	_, addr, _ := echotest.StartServer(t)
	for name, opt := range map[string]client.Option{"mux": client.WithMuxConnection(1), "long": client.WithLongConnection(connpoolDefault())} {
		t.Run(name, func(t *testing.T) {
			cli, err := client.NewClient(echoservice.NewServiceInfo(), client.WithHostPorts(addr), opt)
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			for i := 0; i < 3; i++ {
				err := cli.Call(testContext(t), "Echo", &panicky{}, new(echo.EchoEchoResult))
				if rpcerr.CodeOf(err) != rpcerr.CodeInternal || !strings.Contains(err.Error(), "panic") {
					t.Fatalf("encoding panic: err = %v", err)
				}
				var res echo.EchoEchoResult
				err = cli.Call(testContext(t), "Echo", &echo.EchoEchoArgs{Req: &echo.Request{Message: "ok"}}, &res)
				if err != nil || res.Success.GetMessage() != "ok" {
					t.Fatalf("call after an encoding panic: %v, %v", res.Success, err)
				}
			}
		})
	}
}
