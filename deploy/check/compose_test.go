package check

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ternhq/tern/framework/platform"
)

// loadCompose loads docker-compose.yaml with the compose-spec loader (schema validation, interpolation
// with the defaults written in the file, consistency checks), as docker compose does.
func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts, err := cli.NewProjectOptions([]string{repoPath("docker-compose.yaml")},
		cli.WithWorkingDirectory(root), cli.WithEnv(nil), cli.WithDiscardEnvFile)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(ctx)
	if err != nil {
		t.Fatalf("docker-compose.yaml: %v", err)
	}
	return p
}

// stateful are the services whose data lives in a named volume.
var stateful = []string{"nacos", "mysql", "redis", "prometheus", "grafana"}

func TestComposeLoads(t *testing.T) {
	p := loadCompose(t)
	if p.Name != "tern" {
		t.Errorf("project name %q, want tern", p.Name)
	}
	for _, want := range append(slices.Clone(stateful), "jaeger") {
		if _, ok := p.Services[want]; !ok {
			t.Errorf("no service %s", want)
		}
	}
	for _, svc := range shopServices(t) {
		if _, ok := p.Services[svc]; !ok {
			t.Errorf("app/%s is not in docker-compose.yaml", svc)
		}
	}
}

func TestComposeServices(t *testing.T) {
	p := loadCompose(t)
	for name, s := range p.Services {
		t.Run(name, func(t *testing.T) {
			checkImage(t, s)
			if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) < 2 || s.HealthCheck.Test[0] == "NONE" {
				t.Errorf("no health check")
			}
			for dep, d := range s.DependsOn {
				if d.Condition != types.ServiceConditionHealthy {
					t.Errorf("depends_on %s: condition %q, want %s", dep, d.Condition, types.ServiceConditionHealthy)
				}
			}
			for _, v := range s.Volumes {
				switch v.Type {
				case types.VolumeTypeBind:
					checkBind(t, v)
				case types.VolumeTypeVolume:
					if _, ok := p.Volumes[v.Source]; !ok {
						t.Errorf("volume %q is not declared", v.Source)
					}
				}
			}
			if slices.Contains(stateful, name) && !hasNamedVolume(s) {
				t.Errorf("its data is in no named volume")
			}
			for _, port := range s.Ports {
				if port.HostIP != "127.0.0.1" {
					t.Errorf("port %d published on %q, want 127.0.0.1 only", port.Target, port.HostIP)
				}
			}
		})
	}
}

// checkImage wants a pinned image: a tag that is not latest (built images too, so that compose does not
// tag them latest).
func checkImage(t *testing.T, s types.ServiceConfig) {
	t.Helper()
	ref := s.Image
	if ref == "" {
		t.Errorf("no image name")
		return
	}
	name, tag := ref, ""
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		name, tag = ref[:i], ref[i+1:]
	}
	if tag == "" || tag == "latest" || strings.Contains(tag, "$") {
		t.Errorf("image %q is not pinned to a version", ref)
	}
	if s.Build == nil && !strings.ContainsAny(tag, "0123456789") {
		t.Errorf("image %s: tag %q names no version", name, tag)
	}
}

// checkBind wants bind mounts read-only and from deploy/.
func checkBind(t *testing.T, v types.ServiceVolumeConfig) {
	t.Helper()
	rel, err := filepath.Rel(repoPath("deploy"), v.Source)
	if err != nil || strings.HasPrefix(rel, "..") {
		t.Errorf("bind mount %s: not from deploy/", v.Source)
	}
	if !v.ReadOnly {
		t.Errorf("bind mount %s: not read-only", v.Source)
	}
	if _, err := os.Stat(v.Source); err != nil {
		t.Errorf("bind mount: %v", err)
	}
}

func hasNamedVolume(s types.ServiceConfig) bool {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume {
			return true
		}
	}
	return false
}

// TestComposeShopServices checks the four services: built from deploy/Dockerfile, configured only from
// deploy/ and the environment with keys their code reads, health-checked on the ports they listen on,
// started after what they call, and scraped by Prometheus.
func TestComposeShopServices(t *testing.T) {
	p := loadCompose(t)
	targets := prometheusTargets(t)
	for _, svc := range shopServices(t) {
		t.Run(svc, func(t *testing.T) {
			s, ok := p.Services[svc]
			if !ok {
				t.Fatalf("not in docker-compose.yaml")
			}
			if s.Build == nil || filepath.Clean(filepath.Join(s.Build.Context, s.Build.Dockerfile)) != repoPath("deploy", "Dockerfile") {
				t.Fatalf("not built from deploy/Dockerfile: %+v", s.Build)
			}
			if arg := s.Build.Args["SERVICE"]; arg == nil || *arg != svc {
				t.Errorf("build arg SERVICE = %v, want %s", arg, svc)
			}
			if !s.ReadOnly {
				t.Errorf("root file system not read-only")
			}
			env := map[string]string{}
			for k, v := range s.Environment {
				if v == nil {
					t.Errorf("environment %s has no value", k)
					continue
				}
				env[k] = *v
			}
			confDir := env[platform.EnvConfDir]
			var confSrc string
			for _, v := range s.Volumes {
				if v.Type == types.VolumeTypeBind && v.Target == confDir {
					confSrc = v.Source
				}
			}
			if confDir == "" || confSrc == "" {
				t.Fatalf("%s=%q is not a directory mounted from deploy/", platform.EnvConfDir, confDir)
			}
			file := filepath.Join(confSrc, env[platform.EnvName]+".yaml")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%s=%s: %v", platform.EnvName, env[platform.EnvName], err)
			}
			cfg := checkServiceConfig(t, serviceConfig{where: "compose " + svc, service: svc, file: file, data: data, env: env})
			checkComposeWiring(t, p, s, cfg)
			want := svc + ":" + portOf(cfg.Telemetry.MetricsAddr)
			if !slices.Contains(targets[svc], want) {
				t.Errorf("Prometheus does not scrape %s (targets of %s: %v)", want, svc, targets[svc])
			}
		})
	}
}

// checkComposeWiring checks what a service's configuration implies for its container.
func checkComposeWiring(t *testing.T, p *types.Project, s types.ServiceConfig, cfg *platform.Config) {
	t.Helper()
	port := portOf(cfg.Server.Addr)
	if cfg.Telemetry.MetricsAddr == "" {
		t.Errorf("telemetry.metrics_addr is empty: Prometheus has nothing to scrape")
	}
	if cfg.Telemetry.Exporter != platform.ExporterOTLP || !strings.HasPrefix(cfg.Telemetry.Endpoint, "jaeger:") {
		t.Errorf("telemetry: exporter %q to %q, want otlp to jaeger", cfg.Telemetry.Exporter, cfg.Telemetry.Endpoint)
	}
	if cfg.Registry.Kind != platform.RegistryNacos {
		t.Errorf("registry.kind = %q, want nacos", cfg.Registry.Kind)
	}
	test := strings.Join(s.HealthCheck.Test, " ")
	if !strings.Contains(test, "127.0.0.1:"+port) || !strings.Contains(test, "127.0.0.1:"+portOf(cfg.Telemetry.MetricsAddr)+"/metrics") {
		t.Errorf("health check %q probes neither the server (port %s) nor /metrics", test, port)
	}
	needs := map[string]bool{"nacos": true, "jaeger": true}
	for target, cc := range cfg.Clients {
		callee := cc.Service
		if callee == "" {
			callee = target
		}
		needs[callee] = true
	}
	if cfg.DB.Driver == platform.DriverMySQL {
		needs["mysql"] = true
		checkDSN(t, p, cfg.DB.DSN)
	}
	if cfg.Redis.Addr != "" {
		needs["redis"] = true
		if host, _, _ := strings.Cut(cfg.Redis.Addr, ":"); host != "redis" {
			t.Errorf("redis.addr = %q, want the redis service", cfg.Redis.Addr)
		}
	}
	for dep := range needs {
		if _, ok := p.Services[dep]; !ok {
			t.Errorf("calls %s, which is not in the stack", dep)
		}
		if _, ok := s.DependsOn[dep]; !ok {
			t.Errorf("uses %s but does not depend on it", dep)
		}
	}
}

// checkDSN wants the DSN to name the MySQL service, the user its environment creates and a database
// the init script creates.
func checkDSN(t *testing.T, p *types.Project, dsn string) {
	t.Helper()
	u, err := url.Parse("mysql://" + strings.Replace(strings.Replace(dsn, "@tcp(", "@", 1), ")/", "/", 1))
	if err != nil {
		t.Fatalf("db.dsn %q: %v", dsn, err)
	}
	host := u.Host
	db := strings.TrimPrefix(u.Path, "/")
	mysql := p.Services["mysql"]
	pass, _ := u.User.Password()
	if host != "mysql:3306" {
		t.Errorf("db.dsn host %q, want mysql:3306", host)
	}
	if want := mysql.Environment["MYSQL_USER"]; want == nil || u.User.Username() != *want {
		t.Errorf("db.dsn user %q is not MYSQL_USER", u.User.Username())
	}
	if want := mysql.Environment["MYSQL_PASSWORD"]; want == nil || pass != *want {
		t.Errorf("db.dsn password is not MYSQL_PASSWORD")
	}
	initDir := slices.IndexFunc(mysql.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Target == "/docker-entrypoint-initdb.d" && v.Source == repoPath("deploy", "mysql")
	})
	if initDir < 0 {
		t.Errorf("mysql does not run deploy/mysql at its first start (/docker-entrypoint-initdb.d)")
	}
	init := string(mustRead(t, "deploy", "mysql", "01-databases.sql"))
	if !strings.Contains(init, "CREATE DATABASE IF NOT EXISTS "+db+" ") || !strings.Contains(init, "ON "+db+".* TO 'tern'@'%'") {
		t.Errorf("deploy/mysql/01-databases.sql does not create database %q and grant it to tern", db)
	}
}
