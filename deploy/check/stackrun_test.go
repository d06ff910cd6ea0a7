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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

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

// launch is how a deployment starts one service: its environment, its configuration directory and the
// health probes it runs (targets in the deployment's own ports).
type launch struct {
	env     map[string]string
	confDir string
	probes  []string
}

// TestStackWithoutDocker starts the binaries the Dockerfile builds the way docker-compose.yaml starts
// them — its configuration files and environment, in its depends_on order — with local stand-ins for
// what the stack provides: SQLite for MySQL, the embedded Redis, direct addresses for Nacos, no trace
// exporter for Jaeger, free loopback ports. Each service's compose health check (ports remapped) must
// pass before the next starts, and the gateway must then serve the catalogue and be ready.
func TestStackWithoutDocker(t *testing.T) {
	dir, errs := buildServices(t)
	p := loadCompose(t)
	launches := map[string]launch{}
	for _, svc := range shopServices(t) {
		env, _ := composeEnv(t, p, svc)
		env[platform.EnvConfDir] = repoPath("deploy", "conf", svc)
		launches[svc] = launch{env: env, confDir: env[platform.EnvConfDir], probes: p.Services[svc].HealthCheck.Test[2:]}
	}
	runShop(t, dir, errs, startOrder(t, p, shopServices(t)), launches, true)
}

// TestK8sWithoutCluster does the same with the Kubernetes manifests: each Deployment's ConfigMap file,
// its environment (tern-env, literal values, the example Secret), and its startup, readiness and
// liveness probes, which must all pass.
func TestK8sWithoutCluster(t *testing.T) {
	dir, errs := buildServices(t)
	m := loadManifests(t)
	launches := map[string]launch{}
	for _, svc := range shopServices(t) {
		d, ok := m.deployments[svc]
		if !ok {
			t.Fatalf("no Deployment %s", svc)
		}
		c := d.Spec.Template.Spec.Containers[0]
		env := k8sEnv(t, m, c)
		confDir := t.TempDir()
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.ConfigMap == nil || !hasMount(c, env[platform.EnvConfDir]) {
				continue
			}
			for name, data := range m.configMaps[v.ConfigMap.Name].Data {
				if err := os.WriteFile(filepath.Join(confDir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		env[platform.EnvConfDir] = confDir
		ports := map[string]int32{}
		for _, cp := range c.Ports {
			ports[cp.Name] = cp.ContainerPort
		}
		var probes []string
		for _, pr := range []*corev1.Probe{c.StartupProbe, c.ReadinessProbe, c.LivenessProbe} {
			probes = append(probes, probeTarget(t, pr, ports))
		}
		launches[svc] = launch{env: env, confDir: confDir, probes: probes}
	}
	runShop(t, dir, errs, startOrder(t, loadCompose(t), shopServices(t)), launches, false)
}

// k8sEnv returns a container's environment as Kubernetes would set it, with the example Secret's
// values and 127.0.0.1 as the pod IP.
func k8sEnv(t *testing.T, m *manifests, c corev1.Container) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef != nil {
			for k, v := range m.configMaps[ef.ConfigMapRef.Name].Data {
				env[k] = v
			}
		}
	}
	secret := exampleSecret(t)
	refs := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = refs.ReplaceAllStringFunc(e.Value, func(s string) string { return env[s[2:len(s)-1]] })
		case e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = secret.StringData[e.ValueFrom.SecretKeyRef.Key]
		case e.ValueFrom.FieldRef != nil:
			env[e.Name] = "127.0.0.1"
		}
	}
	return env
}

// probeTarget turns a Kubernetes probe into a healthcheck target.
func probeTarget(t *testing.T, p *corev1.Probe, ports map[string]int32) string {
	t.Helper()
	port := func(ps intstr.IntOrString) string {
		if ps.Type == intstr.String {
			return strconv.Itoa(int(ports[ps.StrVal]))
		}
		return strconv.Itoa(int(ps.IntVal))
	}
	switch {
	case p == nil:
		t.Fatal("a probe is missing")
	case p.HTTPGet != nil:
		return "http://127.0.0.1:" + port(p.HTTPGet.Port) + p.HTTPGet.Path
	case p.TCPSocket != nil:
		return "tcp://127.0.0.1:" + port(p.TCPSocket.Port)
	}
	t.Fatal("a probe is neither httpGet nor tcpSocket")
	return ""
}

// runShop starts the services in order with their launches, infrastructure replaced by local stand-ins
// and ports by free ones, waits for each one's probes, and then asks the gateway for the catalogue,
// which has the demo items when the deployment seeds them.
func runShop(t *testing.T, dir string, errs map[string]string, order []string, launches map[string]launch, seeded bool) {
	type ports struct{ server, metrics string }
	local := map[string]ports{}
	for _, svc := range order {
		local[svc] = ports{freePort(t), freePort(t)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	work := t.TempDir()
	for _, svc := range order {
		if msg, failed := errs[svc]; failed {
			t.Fatalf("%s does not build: %s", svc, msg)
		}
		l := launches[svc]
		env := l.env
		data, err := os.ReadFile(filepath.Join(l.confDir, env[platform.EnvName]+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var cfg effective
		if err := platform.Decode(data, &cfg); err != nil {
			t.Fatal(err)
		}
		if err := platform.ApplyEnv(&cfg.Config, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
			t.Fatal(err)
		}
		env["TERN_REGISTRY_KIND"] = platform.RegistryDirect
		env["TERN_TELEMETRY_EXPORTER"] = platform.ExporterNone
		env["TERN_SERVER_ADDR"] = "127.0.0.1:" + local[svc].server
		env["TERN_SERVER_ADVERTISE"] = ""
		env["TERN_TELEMETRY_METRICS_ADDR"] = "127.0.0.1:" + local[svc].metrics
		if cfg.DB.Driver != "" {
			env["TERN_DB_DRIVER"] = platform.DriverSQLite
			env["TERN_DB_DSN"] = filepath.Join(work, svc+".db")
		}
		if cfg.Redis.Addr != "" {
			env["TERN_REDIS_ADDR"] = platform.RedisEmbedded
		}
		for target, cc := range cfg.Clients {
			env[platform.EnvVar("clients."+target+".addrs")] = "127.0.0.1:" + local[cmp(cc.Service, target)].server
		}
		out := startService(ctx, t, filepath.Join(dir, svc, "service"), env, work)
		probe := remapPorts(l.probes, map[string]string{
			portOf(cfg.Server.Addr): local[svc].server, portOf(cfg.Telemetry.MetricsAddr): local[svc].metrics})
		waitHealthy(ctx, t, svc, filepath.Join(dir, svc, "healthcheck"), probe, out)
	}
	gw := "http://127.0.0.1:" + local["gateway"].server
	var items struct {
		Items []json.RawMessage `json:"items"`
		Total int               `json:"total"`
	}
	getJSON(ctx, t, gw+"/api/v1/items?page_size=5", &items)
	if got := len(items.Items) > 0 && items.Total > 0; got != seeded {
		t.Errorf("the gateway lists %d of %d items; want the demo catalogue seeded: %v", len(items.Items), items.Total, seeded)
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

// remapPorts rewrites the loopback ports of health probe targets.
func remapPorts(targets []string, remap map[string]string) []string {
	var args []string
	for _, a := range targets {
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

// waitHealthy runs the health probe until it passes, for a minute at most.
func waitHealthy(ctx context.Context, t *testing.T, svc, probe string, args []string, out *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
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
