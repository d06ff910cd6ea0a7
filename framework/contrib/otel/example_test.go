package otel_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"sort"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ternhq/tern/framework/client"
	ternotel "github.com/ternhq/tern/framework/contrib/otel"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/server"
)

// Tracing a client and a server: here the spans go to memory; an application gives the tracer a
// provider built with NewTracerProvider and one of the exporters.
func ExampleNewTracer() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp.Shutdown(context.Background())
	tracer := ternotel.NewTracer(ternotel.WithTracerProvider(tp))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	svr := server.NewServer(server.WithListener(ln), server.WithTracer(tracer), server.WithLogger(echotest.QuietLogger()))
	if err := echoservice.RegisterService(svr, echotest.NewHandler()); err != nil {
		log.Fatal(err)
	}
	if err := svr.Start(); err != nil {
		log.Fatal(err)
	}
	defer svr.Stop()
	cli := echoservice.MustNewClient("echo", client.WithHostPorts(ln.Addr().String()), client.WithTracer(tracer))
	defer cli.Close()
	if _, err := cli.Echo(context.Background(), &echo.Request{Message: "hi"}); err != nil {
		log.Fatal(err)
	}

	for deadline := time.Now().Add(5 * time.Second); len(rec.Ended()) < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond) // the server ends its span after replying
	}
	var lines []string
	for _, s := range rec.Ended() {
		lines = append(lines, fmt.Sprintf("%v %s, same trace: %v", s.SpanKind(), s.Name(),
			s.SpanContext().TraceID() == rec.Ended()[0].SpanContext().TraceID()))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// client echo.Echo/Echo, same trace: true
	// server echo.Echo/Echo, same trace: true
}
