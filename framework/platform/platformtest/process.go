package platformtest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// FreeAddr returns a loopback address nothing listens on, for a server the test starts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// BuildServices compiles each service's main package (dirs maps a service name to its directory) into
// binDir/<name>, in parallel, and fails the test on a compile error.
func BuildServices(t testing.TB, binDir string, dirs map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	type result struct {
		name string
		out  []byte
		err  error
	}
	results := make(chan result, len(dirs))
	var wg sync.WaitGroup
	for name, dir := range dirs {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(binDir, name), ".")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			results <- result{name, out, err}
		})
	}
	wg.Wait()
	close(results)
	for r := range results {
		if r.err != nil {
			t.Fatalf("build %s: %v\n%s", r.name, r.err, r.out)
		}
	}
}

// StartService runs binDir/<name> (see BuildServices) in dir with env added to the test's environment,
// writing its output to binDir/<name>.log, and waits until it listens on addr, 30 s at most. When the
// test ends the service gets SIGTERM and is waited for, and its log is shown if the test failed.
func StartService(t testing.TB, binDir, name, dir string, env []string, addr string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, name))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	logFile, err := os.Create(filepath.Join(binDir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logFile.Name())
			t.Logf("%s log:\n%s", name, out)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("%s does not listen on %s", name, addr)
}
