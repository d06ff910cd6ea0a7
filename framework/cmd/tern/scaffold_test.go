package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pingProgram is a client of the scaffolded service, written into its module by the test: it calls
// Greet on the address given as its argument and prints the reply.
const pingProgram = `package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"example.com/hello/tern_gen/hello"
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
	resp, err := c.Greet(ctx, &hello.HelloRequest{Name: "tern"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("reply=%t greeting=%q\n", resp != nil, resp.GetGreeting())
}
`

// syncBuffer is a bytes.Buffer a child process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// command returns a command bounded by ctx, run in dir, building in module mode without the workspace.
func command(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod -buildvcs=false")
	cmd.WaitDelay = time.Second
	return cmd
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The whole path of a new service: tern -service in an empty directory creates the module and the
// scaffold; build.sh builds it; the binary serves the stub on TERN_ADDR, answers a generated client,
// and stops cleanly on SIGTERM.
func TestScaffoldEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	idl, framework := testdata(t, "tool/testdata/scaffold/v1/hello.thrift"), testdata(t, ".")
	dir := t.TempDir()
	t.Chdir(dir)
	code, _, stderr := tern(t, "-service", "hello", "-module", "example.com/hello", idl)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"tern: created go.mod (module example.com/hello)\n", "tern: created handler.go\n",
		"tern: hint: go.mod requires github.com/ternhq/tern/framework v0.0.0"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in:\n%s", want, stderr)
		}
	}
	// What the hint asks for: point go.mod at this framework.
	gomod := readFile(t, "go.mod")
	if want := "module example.com/hello\n\ngo 1.26\n\nrequire github.com/ternhq/tern/framework v0.0.0\n"; gomod != want {
		t.Errorf("go.mod:\n%s\nwant:\n%s", gomod, want)
	}
	gomod += "\nreplace github.com/ternhq/tern/framework => " + framework + "\n"
	if err := os.WriteFile("go.mod", []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"go.sum": readFile(t, filepath.Join(framework, "go.sum")), "cmd/ping/main.go": pingProgram} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"./build.sh"}, {"go", "build", "-o", "output/bin/ping", "./cmd/ping"}} {
		if out, err := command(ctx, dir, args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	addr := freePort(t)
	var logs syncBuffer
	svc := command(ctx, dir, filepath.Join(dir, "output", "bin", "hello"))
	svc.Env = append(svc.Env, "TERN_ENV=test", "TERN_ADDR="+addr, "TERN_LOG_LEVEL=info", "TERN_CONF_DIR=")
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
	if got, want := string(out), "reply=true greeting=\"\"\n"; err != nil || got != want {
		t.Errorf("ping: %v: %q, want %q", err, got, want)
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
	for _, want := range []string{"msg=starting service=hello env=test addr=" + addr, `msg="tern server listening"`,
		`msg="tern server: signal received, stopping"`, `msg="tern server stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no %q in the service's log:\n%s", want, logs.String())
		}
	}
}

// waitListening waits until addr accepts connections, failing if the process exits first.
func waitListening(t *testing.T, addr string, exited <-chan error, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("the service exited before listening (%v):\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after 15s:\n%s", addr, logs.String())
		}
	}
}

// Inside the tern repository, a new go.mod comes with the replace line that points it at the local
// framework.
func TestScaffoldHintInRepository(t *testing.T) {
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "framework"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "framework", "go.mod"), []byte("module github.com/ternhq/tern/framework\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	svc := filepath.Join(repo, "app", "hello")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		t.Fatal(err)
	}
	idl := testdata(t, "tool/testdata/scaffold/v1/hello.thrift")
	t.Chdir(svc)
	code, _, stderr := tern(t, "-service", "hello", "-module", "github.com/ternhq/tern/app/hello", idl)
	if code != 0 || !strings.Contains(stderr, "tern: hint:     replace github.com/ternhq/tern/framework => ../../framework\n") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	// A second run has a go.mod: no hint, and nothing of the scaffold is written again.
	code, _, stderr = tern(t, "-service", "hello", idl)
	if code != 0 || strings.Contains(stderr, "hint") || strings.Contains(stderr, "created") {
		t.Fatalf("second run: exit %d:\n%s", code, stderr)
	}
}

func TestScaffoldErrors(t *testing.T) {
	idl := testdata(t, "tool/testdata/scaffold/noservice.thrift")
	t.Chdir(t.TempDir())
	code, _, stderr := tern(t, "-service", "hello", idl)
	if code != 1 || !strings.Contains(stderr, "pass -module") {
		t.Errorf("no module: exit %d: %s", code, stderr)
	}
	code, _, stderr = tern(t, "-service", "hello", "-module", "example.com/m", idl)
	if code != 1 || !strings.Contains(stderr, "noservice.thrift defines no service to scaffold") {
		t.Errorf("no service: exit %d: %s", code, stderr)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("failed runs wrote %v", entries)
	}
}
