package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// protoPingProgram calls Greet of the scaffolded proto service on the address given as its argument,
// over Kitex Protobuf (the client's default transport), and prints the reply.
const protoPingProgram = `package main

import (
	"context"
	"fmt"
	"os"
	"time"

	hellopb "example.com/hello/tern_gen/hello"
	"example.com/hello/tern_gen/hello/helloservice"
	"github.com/ternhq/tern/framework/client"
)

func main() {
	c, err := helloservice.NewClient("hello", client.WithHostPorts(os.Args[1]))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.Greet(ctx, &hellopb.Req{Name: "tern"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("reply=%t greeting=%q\n", resp != nil, resp.GetGreeting())
}
`

const (
	protoHelloV1 = `syntax = "proto3";
package hello;
option go_package = "hello;hellopb";
message Req { string name = 1; }
message Resp { string greeting = 1; }
service Hello { rpc Greet(Req) returns (Resp); }
`
	protoHelloV2 = `syntax = "proto3";
package hello;
option go_package = "hello;hellopb";
import "google/protobuf/empty.proto";
message Req { string name = 1; }
message Resp { string greeting = 1; }
service Hello {
  rpc Greet(Req) returns (Resp);
  rpc Upload(stream Req) returns (Resp);
  rpc Feed(Req) returns (stream Resp);
  rpc Chat(stream Req) returns (stream Resp);
  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);
}
`
)

func writeFiles(t *testing.T, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A proto service from scratch: tern -service scaffolds it, the binary answers a generated client
// over Kitex Protobuf, and after the .proto gains streaming methods a rerun appends their stubs and
// the service still builds and vets.
func TestScaffoldProtoEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	framework, dir := testdata(t, "."), t.TempDir()
	t.Chdir(dir)
	writeFiles(t, map[string]string{"idl/hello.proto": protoHelloV1})
	args := []string{"-service", "hello", "-module", "example.com/hello", "-I", "idl", "idl/hello.proto"}
	if code, _, stderr := tern(t, args...); code != 0 || !strings.Contains(stderr, "tern: created handler.go\n") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	gomod := readFile(t, "go.mod") + "\nreplace github.com/ternhq/tern/framework => " + framework + "\n"
	writeFiles(t, map[string]string{"go.mod": gomod, "go.sum": readFile(t, filepath.Join(framework, "go.sum")),
		"cmd/ping/main.go": protoPingProgram})
	for _, args := range [][]string{{"./build.sh"}, {"go", "build", "-o", "output/bin/ping", "./cmd/ping"}} {
		if out, err := command(ctx, dir, args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if got, want := servePing(ctx, t, dir), "reply=true greeting=\"\"\n"; got != want {
		t.Errorf("ping: %q, want %q", got, want)
	}

	writeFiles(t, map[string]string{"idl/hello.proto": protoHelloV2})
	code, _, stderr := tern(t, args...)
	if code != 0 || !strings.Contains(stderr, "tern: handler.go: added Upload, Feed, Chat, Ping\n") {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{{"go", "build", "./..."}, {"go", "vet", "./..."}} {
		if out, err := command(ctx, dir, args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// servePing runs the built service on a free port, runs the ping program against it, stops the
// service with SIGTERM and returns what ping printed.
func servePing(ctx context.Context, t *testing.T, dir string) string {
	t.Helper()
	addr := freePort(t)
	var logs syncBuffer
	svc := command(ctx, dir, filepath.Join(dir, "output", "bin", "hello"))
	svc.Env = append(svc.Env, "TERN_ENV=test", "TERN_ADDR="+addr, "TERN_CONF_DIR=")
	svc.Stdout, svc.Stderr = &logs, &logs
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- svc.Wait() }()
	t.Cleanup(func() { _ = svc.Process.Kill() })
	waitListening(t, addr, exited, &logs)
	pingCtx, pingCancel := context.WithTimeout(ctx, 15*time.Second)
	defer pingCancel()
	out, err := command(pingCtx, dir, filepath.Join(dir, "output", "bin", "ping"), addr).CombinedOutput()
	if err != nil {
		t.Errorf("ping: %v: %s\nservice log:\n%s", err, out, logs.String())
	}
	if err := svc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the service exited with %v after SIGTERM:\n%s", err, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the service did not stop within 10s of SIGTERM:\n%s", logs.String())
	}
	return string(out)
}
