package stats_test

import (
	"context"
	"fmt"
	"log"
	"net"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/stats"
)

// eventPrinter is a Tracer that prints the events each call recorded.
type eventPrinter struct{}

func (eventPrinter) Start(ctx context.Context, _ *stats.Call) context.Context { return ctx }

func (eventPrinter) Finish(_ context.Context, c *stats.Call) {
	fmt.Println(c.Side(), c.Info().Method(), "error:", c.Err())
	for _, e := range stats.Events(c.Side()) {
		if _, ok := c.Time(e); ok {
			fmt.Println(" ", e)
		}
	}
}

// A tracer of one's own, on a client.
func ExampleTracer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	svr := server.NewServer(server.WithListener(ln), server.WithLogger(echotest.QuietLogger()))
	if err := echoservice.RegisterService(svr, echotest.NewHandler()); err != nil {
		log.Fatal(err)
	}
	if err := svr.Start(); err != nil {
		log.Fatal(err)
	}
	defer svr.Stop()

	cli := echoservice.MustNewClient("echo", client.WithHostPorts(ln.Addr().String()), client.WithTracer(eventPrinter{}))
	defer cli.Close()
	if _, err := cli.Echo(context.Background(), &echo.Request{Message: "hi"}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// client Echo error: <nil>
	//   client_start
	//   client_connected
	//   client_request_written
	//   client_response_read
	//   client_finish
}
