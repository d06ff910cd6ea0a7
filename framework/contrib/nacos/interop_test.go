package nacos_test

import (
	"context"
	"testing"
	"time"

	kdiscovery "github.com/cloudwego/kitex/pkg/discovery"
	kregistry "github.com/cloudwego/kitex/pkg/registry"
	"github.com/cloudwego/kitex/pkg/rpcinfo"
	"github.com/cloudwego/kitex/pkg/utils"
	knacos "github.com/kitex-contrib/registry-nacos/v2/nacos"
	nacosregistry "github.com/kitex-contrib/registry-nacos/v2/registry"
	nacosresolver "github.com/kitex-contrib/registry-nacos/v2/resolver"
	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/contrib/nacos"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/internal/echotest"
	"github.com/ternhq/tern/framework/internal/gen/echo"
	"github.com/ternhq/tern/framework/internal/gen/echo/echoservice"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/server"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// kitexResolve resolves service the way a Kitex client with registry-nacos's resolver does.
func kitexResolve(t *testing.T, r kdiscovery.Resolver, service string) (kdiscovery.Result, error) {
	t.Helper()
	desc := r.Target(testCtx(t), rpcinfo.NewEndpointInfo(service, "", nil, nil))
	return r.Resolve(testCtx(t), desc)
}

// kitexView maps address to "weight tags" of a Kitex result.
func kitexView(res kdiscovery.Result, tag string) map[string][2]any {
	out := map[string][2]any{}
	for _, in := range res.Instances {
		v, _ := in.Tag(tag)
		out[in.Address().String()] = [2]any{in.Weight(), v}
	}
	return out
}

func TestTernRegistrationSeenByKitex(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	reg := nacos.NewRegistry(fake)
	must(t, reg.Register(testCtx(t), registry.Info{ServiceName: "echo", Address: "10.0.0.1:8888", Weight: 20, Tags: map[string]string{"zone": "a"}}))
	must(t, reg.Register(testCtx(t), registry.Info{ServiceName: "echo", Address: "10.0.0.2:8888"}))

	res, err := kitexResolve(t, nacosresolver.NewNacosResolver(fake), "echo")
	must(t, err)
	got := kitexView(res, "zone")
	if len(got) != 2 || got["10.0.0.1:8888"] != [2]any{20, "a"} || got["10.0.0.2:8888"] != [2]any{10, ""} {
		t.Errorf("Kitex resolved %v", got)
	}

	// The record is the one a Kitex server writes.
	for _, in := range fake.instances(nacos.DefaultGroup, "echo") {
		if !in.Ephemeral || !in.Enable || !in.Healthy || in.ClusterName != nacos.DefaultCluster {
			t.Errorf("record %+v", in)
		}
	}
}

func TestKitexRegistrationSeenByTern(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	kreg := nacosregistry.NewNacosRegistry(fake)
	kinfo := &kregistry.Info{ServiceName: "echo", Addr: utils.NewNetAddr("tcp", "10.0.0.2:9999"), Weight: 30,
		Tags: map[string]string{"env": "prod"}}
	must(t, kreg.Register(kinfo))

	res := nacos.NewResolver(fake)
	got, err := res.Resolve(testCtx(t), "echo")
	must(t, err)
	if len(got.Instances) != 1 || got.Instances[0].String() != "10.0.0.2:9999(30)" || got.Instances[0].Tags["env"] != "prod" {
		t.Fatalf("Tern resolved %+v", got)
	}
	must(t, kreg.Deregister(kinfo))
	got, err = res.Resolve(testCtx(t), "echo")
	if err != nil || len(got.Instances) != 0 {
		t.Fatalf("after the Kitex server left: %+v, %v", got, err)
	}
}

func TestTernServerThroughNacos(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	svr, addr, _ := echotest.StartServer(t,
		server.WithRegistry(nacos.NewRegistry(fake)),
		server.WithRegistryInfo(registry.Info{ServiceName: "echo", Tags: map[string]string{"lang": "go"}}))

	kres := nacosresolver.NewNacosResolver(fake)
	res, err := kitexResolve(t, kres, "echo")
	must(t, err)
	if got := kitexView(res, "lang"); len(got) != 1 || got[addr] != [2]any{10, "go"} {
		t.Fatalf("a Kitex client sees %v, want %s", got, addr)
	}

	c := echoservice.MustNewClient("echo", client.WithResolver(nacos.NewResolver(fake)))
	defer c.Close()
	if resp, err := c.Echo(testCtx(t), &echo.Request{Message: "via nacos"}); err != nil || resp.Message != "via nacos" {
		t.Fatalf("call through Nacos discovery: %v, %v", resp, err)
	}

	must(t, svr.Stop())
	if _, err := kitexResolve(t, kres, "echo"); err == nil {
		t.Error("Kitex still resolves the stopped server")
	}
	if got, err := nacos.NewResolver(fake).Resolve(testCtx(t), "echo"); err != nil || len(got.Instances) != 0 {
		t.Errorf("after Stop: %+v, %v", got, err)
	}
}

func TestGroupAndCluster(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		reg     []nacos.RegistryOption
		kitex   []nacosresolver.Option
		tern    []nacos.ResolverOption
		visible bool
	}{
		{"defaults", nil, nil, nil, true},
		{"same group", []nacos.RegistryOption{nacos.WithGroup("shop")},
			[]nacosresolver.Option{nacosresolver.WithGroup("shop")}, []nacos.ResolverOption{nacos.WithGroup("shop")}, true},
		{"same cluster", []nacos.RegistryOption{nacos.WithCluster("hz")},
			[]nacosresolver.Option{nacosresolver.WithCluster("hz")}, []nacos.ResolverOption{nacos.WithCluster("hz")}, true},
		{"other group", []nacos.RegistryOption{nacos.WithGroup("shop")}, nil, nil, false},
		{"other cluster", []nacos.RegistryOption{nacos.WithCluster("hz")}, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			must(t, nacos.NewRegistry(fake, tt.reg...).Register(testCtx(t), registry.Info{ServiceName: "echo", Address: "h:1"}))
			kres, kerr := kitexResolve(t, nacosresolver.NewNacosResolver(fake, tt.kitex...), "echo")
			tres, terr := nacos.NewResolver(fake, tt.tern...).Resolve(testCtx(t), "echo")
			must(t, terr)
			if kitexSees, ternSees := kerr == nil && len(kres.Instances) == 1, len(tres.Instances) == 1; kitexSees != tt.visible || ternSees != tt.visible {
				t.Errorf("Kitex sees it: %v, Tern sees it: %v; want %v", kitexSees, ternSees, tt.visible)
			}
		})
	}
}

// TestEnvTags is not parallel: it sets registry-nacos's tags from KITEX_NACOS_ENV_TAGS, read at init.
func TestEnvTags(t *testing.T) {
	old := knacos.Tags
	knacos.Tags = map[string]string{"dc": "hz", "zone": "env"}
	defer func() { knacos.Tags = old }()
	fake := newFake(t)
	must(t, nacos.NewRegistry(fake).Register(testCtx(t), registry.Info{ServiceName: "echo", Address: "h:1",
		Tags: map[string]string{"zone": "mine", "v": "1"}}))
	got, err := nacos.NewResolver(fake).Resolve(testCtx(t), "echo")
	must(t, err)
	if tags := got.Instances[0].Tags; len(tags) != 3 || tags["dc"] != "hz" || tags["zone"] != "env" || tags["v"] != "1" {
		t.Errorf("tags %v: want the environment's merged in, winning on conflicts", tags)
	}
}

// ternResult is a compact view of a Tern result.
func ternResult(res discovery.Result) []string {
	out := make([]string, len(res.Instances))
	for i, in := range res.Instances {
		out[i] = in.String()
	}
	return out
}
