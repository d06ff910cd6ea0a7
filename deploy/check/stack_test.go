package check

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeDocker is a docker command that logs its arguments; docker info exits $FAKE_INFO_RC and every
// compose command but version exits $FAKE_COMPOSE_RC.
const fakeDocker = `#!/bin/sh
echo "$*" >>"$FAKE_LOG"
case "$1" in
info) exit "${FAKE_INFO_RC:-0}" ;;
compose) [ "$2" = version ] && exit 0; exit "${FAKE_COMPOSE_RC:-0}" ;;
esac
`

// runStack runs scripts/stack.sh with the fake docker first in PATH and returns its exit code, output
// and the docker command lines it ran.
func runStack(t *testing.T, env []string, args ...string) (code int, stdout, stderr string, calls []string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(fakeDocker), 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "calls")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, repoPath("scripts", "stack.sh"), args...)
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKE_LOG="+log)
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	data, _ := os.ReadFile(log)
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l != "" {
			calls = append(calls, l)
		}
	}
	return code, out.String(), errOut.String(), calls
}

func hasCall(calls []string, want string) bool {
	for _, c := range calls {
		if strings.Contains(c, want) {
			return true
		}
	}
	return false
}

func TestStackWithoutEngine(t *testing.T) {
	for _, sub := range []string{"up", "down", "logs", "ps"} {
		t.Run(sub, func(t *testing.T) {
			code, _, stderr, calls := runStack(t, []string{"FAKE_INFO_RC=1"}, sub)
			if code != 2 || !strings.Contains(stderr, "make "+sub+": no Docker engine is reachable") || !strings.Contains(stderr, "make run") {
				t.Errorf("exit %d, stderr %q; want 2 and a message naming make run", code, stderr)
			}
			if hasCall(calls, "compose --project-directory") {
				t.Errorf("ran compose without an engine: %v", calls)
			}
		})
	}
}

func TestStackUp(t *testing.T) {
	code, stdout, stderr, calls := runStack(t, []string{"TERN_UP_TIMEOUT=120"}, "up")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !hasCall(calls, "compose --project-directory . -f docker-compose.yaml up --build --detach --wait --wait-timeout 120") {
		t.Errorf("up did not build, start and wait: %v", calls)
	}
	// The URLs are the ports docker-compose.yaml publishes.
	p := loadCompose(t)
	for svc, path := range map[string]string{"gateway": "", "jaeger": "", "grafana": "/d/tern-rpc", "nacos": "/nacos", "prometheus": ""} {
		ports := p.Services[svc].Ports
		if len(ports) != 1 {
			t.Errorf("%s publishes %d ports, want 1", svc, len(ports))
			continue
		}
		url := "http://localhost:" + ports[0].Published + path
		if !strings.Contains(stdout, url+" ") && !strings.Contains(stdout, url+"\n") {
			t.Errorf("up does not print %s's URL %s:\n%s", svc, url, stdout)
		}
	}
	var d dashboard
	if err := jsonUnmarshalFile(t, &d, "deploy", "grafana", "dashboards", "tern-rpc.json"); err != nil || d.UID != "tern-rpc" {
		t.Errorf("the dashboard URL names uid tern-rpc, the dashboard has %q (%v)", d.UID, err)
	}
}

func TestStackUpUnhealthy(t *testing.T) {
	code, _, stderr, calls := runStack(t, []string{"FAKE_COMPOSE_RC=1"}, "up")
	if code != 1 || !strings.Contains(stderr, "did not become healthy") {
		t.Errorf("exit %d, stderr %q; want 1 and a message", code, stderr)
	}
	if !hasCall(calls, "ps --all") || !hasCall(calls, "logs --no-color --tail 30") {
		t.Errorf("a failed up shows neither the containers nor the logs: %v", calls)
	}
}

func TestStackDownLogsPs(t *testing.T) {
	tests := []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"down"}, nil, "down --remove-orphans"},
		{[]string{"down"}, []string{"VOLUMES=1"}, "down --remove-orphans --volumes"},
		{[]string{"logs"}, []string{"SERVICE=cart"}, "logs --follow --tail 100 cart"},
		{[]string{"ps"}, nil, "ps --all"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(append(tt.args, tt.env...), " "), func(t *testing.T) {
			code, _, stderr, calls := runStack(t, tt.env, tt.args...)
			if code != 0 || !hasCall(calls, "-f docker-compose.yaml "+tt.want) {
				t.Errorf("exit %d (%s), calls %v; want %q", code, stderr, calls, tt.want)
			}
			if tt.want == "down --remove-orphans" && hasCall(calls, "--volumes") {
				t.Errorf("down deleted the volumes: %v", calls)
			}
		})
	}
	if code, _, _, _ := runStack(t, nil, "restart"); code != 2 {
		t.Errorf("an unknown subcommand exits %d, want 2", code)
	}
}
