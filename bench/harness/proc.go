package harness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// serverProc is a server child process, driven over its stdin and stdout.
type serverProc struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *tailBuffer
	addr   string
}

// startServer re-executes this binary as the server of contender, pinned to cpus with procs
// GOMAXPROCS, and waits until it listens.
func startServer(contender string, cpus []int, procs int) (*serverProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(),
		envRole+"="+roleServer,
		envContender+"="+contender,
		envCPUs+"="+cpuList(cpus),
		"GOMAXPROCS="+strconv.Itoa(procs),
	)
	p := &serverProc{cmd: cmd, stderr: &tailBuffer{max: 4096}}
	cmd.Stderr = p.stderr
	if p.in, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.out = bufio.NewReader(stdout)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := p.readLine(30 * time.Second)
	if err != nil || !strings.HasPrefix(line, "ready ") {
		p.kill()
		return nil, p.fail("start", fmt.Errorf("got %q, %v; want ready ADDR", line, err))
	}
	p.addr = strings.TrimPrefix(line, "ready ")
	return p, nil
}

// readLine reads one line of the child's output, giving up after timeout.
func (p *serverProc) readLine(timeout time.Duration) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := p.out.ReadString('\n')
		ch <- result{strings.TrimSpace(line), err}
	}()
	select {
	case r := <-ch:
		return r.line, r.err
	case <-time.After(timeout):
		return "", fmt.Errorf("no answer within %v", timeout)
	}
}

// command sends one command and returns the answer.
func (p *serverProc) command(cmd string) (string, error) {
	if _, err := fmt.Fprintln(p.in, cmd); err != nil {
		return "", p.fail(cmd, err)
	}
	line, err := p.readLine(30 * time.Second)
	if err != nil {
		return "", p.fail(cmd, err)
	}
	return line, nil
}

// stats asks the server for its CPU time and allocation count.
func (p *serverProc) stats() (procStats, error) {
	line, err := p.command("stats")
	if err != nil {
		return procStats{}, err
	}
	var s procStats
	if _, err := fmt.Sscanf(line, "stats %d %d %d %d", &s.UserNS, &s.SysNS, &s.CtxSw, &s.Mallocs); err != nil {
		return procStats{}, p.fail("stats", fmt.Errorf("answer %q: %w", line, err))
	}
	return s, nil
}

// profile starts (path != "") or stops (path == "") the server's CPU profile.
func (p *serverProc) profile(path string) error {
	cmd := "unprofile"
	if path != "" {
		cmd = "profile " + path
	}
	line, err := p.command(cmd)
	if err == nil && line != "ok" {
		err = p.fail(cmd, fmt.Errorf("answer %q", line))
	}
	return err
}

// stop asks the server to quit and waits for it, killing it after a grace period.
func (p *serverProc) stop() error {
	_, _ = fmt.Fprintln(p.in, "quit")
	_ = p.in.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return p.fail("stop", err)
		}
		return nil
	case <-time.After(10 * time.Second):
		p.kill()
		<-done
		return p.fail("stop", errors.New("did not exit within 10s; killed"))
	}
}

func (p *serverProc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
}

// fail wraps err with the step and the end of the child's stderr.
func (p *serverProc) fail(step string, err error) error {
	if tail := strings.TrimSpace(p.stderr.String()); tail != "" {
		return fmt.Errorf("server %s: %w; server stderr: %s", step, err, tail)
	}
	return fmt.Errorf("server %s: %w", step, err)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

// Write appends b, dropping the oldest bytes past max.
func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(b)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(b), nil
}

// String returns the bytes kept.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
