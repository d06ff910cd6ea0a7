package check

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ternhq/tern/framework/platform"
)

// composeEnv returns a shop service's environment in docker-compose.yaml and its configuration file.
func composeEnv(t *testing.T, p *types.Project, svc string) (map[string]string, []byte) {
	t.Helper()
	s := p.Services[svc]
	env := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeBind && v.Target == env[platform.EnvConfDir] {
			data, err := os.ReadFile(filepath.Join(v.Source, env[platform.EnvName]+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			return env, data
		}
	}
	t.Fatalf("%s: no configuration directory mounted at %s", svc, env[platform.EnvConfDir])
	return nil, nil
}

// startOrder sorts the shop's services so that each comes after the shop services it depends on.
func startOrder(t *testing.T, p *types.Project, services []string) []string {
	t.Helper()
	var order []string
	done := map[string]bool{}
	for len(order) < len(services) {
		progress := false
		for _, svc := range services {
			if done[svc] {
				continue
			}
			ready := true
			for dep := range p.Services[svc].DependsOn {
				if slices.Contains(services, dep) && !done[dep] {
					ready = false
				}
			}
			if ready {
				order, done[svc], progress = append(order, svc), true, true
			}
		}
		if !progress {
			t.Fatalf("depends_on has a cycle among %v", services)
		}
	}
	return order
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return portOf(ln.Addr().String())
}

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestStackWithoutDocker starts the binaries the Dockerfile builds the way docker-compose.yaml starts
// them — its configuration files and environment, in its depends_on order — with local stand-ins for
// what the stack provides: SQLite for MySQL, the embedded Redis, direct addresses for Nacos, no trace
// exporter for Jaeger, free loopback ports. Each service's compose health check (ports remapped) must
// pass before the next starts, and the gateway must then serve the catalogue and be ready.
func TestStackWithoutDocker(t *testing.T) {
	dir, errs := buildServices(t)
	p := loadCompose(t)
	services := shopServices(t)
	type ports struct{ server, metrics string }
	local := map[string]ports{}
	for _, svc := range services {
		local[svc] = ports{freePort(t), freePort(t)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	work := t.TempDir()
	for _, svc := range startOrder(t, p, services) {
		if msg, failed := errs[svc]; failed {
			t.Fatalf("%s does not build: %s", svc, msg)
		}
		env, data := composeEnv(t, p, svc)
		var cfg effective
		if err := platform.Decode(data, &cfg); err != nil {
			t.Fatal(err)
		}
		if err := platform.ApplyEnv(&cfg.Config, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
			t.Fatal(err)
		}
		env[platform.EnvConfDir] = repoPath("deploy", "conf", svc)
		env["TERN_REGISTRY_KIND"] = platform.RegistryDirect
		env["TERN_TELEMETRY_EXPORTER"] = platform.ExporterNone
		env["TERN_SERVER_ADDR"] = "127.0.0.1:" + local[svc].server
		env["TERN_TELEMETRY_METRICS_ADDR"] = "127.0.0.1:" + local[svc].metrics
		if cfg.DB.Driver != "" {
			env["TERN_DB_DRIVER"] = platform.DriverSQLite
			env["TERN_DB_DSN"] = filepath.Join(work, svc+".db")
		}
		if cfg.Redis.Addr != "" {
			env["TERN_REDIS_ADDR"] = platform.RedisEmbedded
		}
		for target, cc := range cfg.Clients {
			callee := cmp(cc.Service, target)
			env[platform.EnvVar("clients."+target+".addrs")] = "127.0.0.1:" + local[callee].server
		}
		out := startService(ctx, t, filepath.Join(dir, svc, "service"), env, work)
		probe := healthProbe(p.Services[svc], map[string]string{
			portOf(cfg.Server.Addr): local[svc].server, portOf(cfg.Telemetry.MetricsAddr): local[svc].metrics})
		waitHealthy(ctx, t, svc, filepath.Join(dir, svc, "healthcheck"), probe, out)
	}
	gw := "http://127.0.0.1:" + local["gateway"].server
	var items struct {
		Items []json.RawMessage `json:"items"`
		Total int               `json:"total"`
	}
	getJSON(ctx, t, gw+"/api/v1/items?page_size=5", &items)
	if len(items.Items) == 0 || items.Total == 0 {
		t.Errorf("the gateway lists no items: %+v (is the demo catalogue seeded?)", items)
	}
	getJSON(ctx, t, gw+"/readyz", &map[string]any{})
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// startService starts a service binary with exactly env, stopped with SIGTERM when the test ends.
func startService(ctx context.Context, t *testing.T, bin string, env map[string]string, dir string) *lockedBuffer {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = dir
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "TMPDIR="+dir)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(filepath.Dir(bin)), out.String())
		}
	})
	return out
}

// healthProbe returns the arguments of a service's compose health check, ports remapped.
func healthProbe(s types.ServiceConfig, remap map[string]string) []string {
	var args []string
	for _, a := range s.HealthCheck.Test[2:] { // "CMD", "/usr/local/bin/healthcheck", targets...
		for from, to := range remap {
			a = strings.Replace(a, "127.0.0.1:"+from+"/", "127.0.0.1:"+to+"/", 1)
			if strings.HasSuffix(a, "127.0.0.1:"+from) {
				a = strings.TrimSuffix(a, from) + to
			}
		}
		args = append(args, a)
	}
	return args
}

// waitHealthy runs the health probe until it passes.
func waitHealthy(ctx context.Context, t *testing.T, svc, probe string, args []string, out *lockedBuffer) {
	t.Helper()
	var last []byte
	for {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		b, err := exec.CommandContext(pctx, probe, args...).CombinedOutput()
		cancel()
		if err == nil {
			return
		}
		last = b
		select {
		case <-ctx.Done():
			t.Fatalf("%s never became healthy (healthcheck %v: %s)\n%s", svc, args, last, out.String())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func getJSON(ctx context.Context, t *testing.T, url string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, body)
	}
}
