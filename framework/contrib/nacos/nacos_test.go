package nacos_test

import (
	"context"
	"slices"
	"testing"

	nacosresolver "github.com/kitex-contrib/registry-nacos/v2/resolver"
	"github.com/ternhq/tern/framework/contrib/nacos"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
)

func TestWeightsTagsAndAddresses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		info registry.Info
		want string // Instance.String()
	}{
		{"default weight", registry.Info{Address: "10.0.0.1:1"}, "10.0.0.1:1"},
		{"negative weight", registry.Info{Address: "10.0.0.1:1", Weight: -3}, "10.0.0.1:1"},
		{"weight 1", registry.Info{Address: "10.0.0.1:1", Weight: 1}, "10.0.0.1:1(1)"},
		{"weight 100", registry.Info{Address: "10.0.0.1:1", Weight: 100}, "10.0.0.1:1(100)"},
		{"IPv6", registry.Info{Address: "[fd00::1]:8888"}, "[fd00::1]:8888"},
		{"host name", registry.Info{Address: "item:8888"}, "item:8888"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			tt.info.ServiceName = "svc"
			tt.info.Tags = map[string]string{"k": tt.name}
			must(t, nacos.NewRegistry(fake).Register(testCtx(t), tt.info))
			res, err := nacos.NewResolver(fake).Resolve(testCtx(t), "svc")
			must(t, err)
			if got := ternResult(res); len(got) != 1 || got[0] != tt.want || res.Instances[0].Tags["k"] != tt.name {
				t.Errorf("resolved %v %v, want %s", got, res.Instances, tt.want)
			}
			if w := fake.instances("", "svc")[0].Weight; w <= 0 {
				t.Errorf("Nacos weight %v: Nacos never selects weight 0", w)
			}
		})
	}
}

func TestRegisterReplacesAndDeregisterRemoves(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	ctx := testCtx(t)
	reg, res := nacos.NewRegistry(fake), nacos.NewResolver(fake)
	a := registry.Info{ServiceName: "echo", Address: "10.0.0.1:8888"}
	b := registry.Info{ServiceName: "echo", Address: "10.0.0.2:8888"}
	must(t, reg.Register(ctx, a))
	must(t, reg.Register(ctx, b))
	first, err := res.Resolve(ctx, "echo")
	must(t, err)
	again, _ := res.Resolve(ctx, "echo")
	if again.Version != first.Version || first.Version == 0 || first.Service != "echo" {
		t.Errorf("versions %d then %d, want the same non-zero", first.Version, again.Version)
	}

	a.Weight = 50
	must(t, reg.Register(ctx, a))
	got, _ := res.Resolve(ctx, "echo")
	if !slices.Equal(ternResult(got), []string{"10.0.0.1:8888(50)", "10.0.0.2:8888"}) || got.Version == first.Version {
		t.Errorf("after re-registering with weight 50: %v (version %d)", ternResult(got), got.Version)
	}
	if n := len(fake.instances("", "echo")); n != 2 {
		t.Errorf("%d records, want 2", n)
	}

	must(t, reg.Deregister(ctx, a))
	got, _ = res.Resolve(ctx, "echo")
	if !slices.Equal(ternResult(got), []string{"10.0.0.2:8888"}) {
		t.Errorf("after Deregister: %v", ternResult(got))
	}
	must(t, reg.Deregister(ctx, b))
	must(t, reg.Deregister(ctx, b)) // not registered: not an error
	if got, err := res.Resolve(ctx, "echo"); err != nil || len(got.Instances) != 0 {
		t.Errorf("after the last left: %v, %v", got, err)
	}
	if _, err := kitexResolve(t, nacosresolver.NewNacosResolver(fake), "echo"); err == nil {
		t.Error("registry-nacos resolved an empty service without error; the empty-result mapping may be stale")
	}
}

func TestResolveUnknownAndUnhealthy(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	res := nacos.NewResolver(fake)
	if got, err := res.Resolve(testCtx(t), "nobody"); err != nil || len(got.Instances) != 0 {
		t.Errorf("unknown service: %+v, %v", got, err)
	}
	// An instance Nacos marked unhealthy is not returned, as with registry-nacos.
	must(t, nacos.NewRegistry(fake).Register(testCtx(t), registry.Info{ServiceName: "sick", Address: "h:1"}))
	fake.mu.Lock()
	fake.services["DEFAULT_GROUP@@sick"][0].Healthy = false
	fake.mu.Unlock()
	if got, err := res.Resolve(testCtx(t), "sick"); err != nil || len(got.Instances) != 0 {
		t.Errorf("unhealthy only: %+v, %v", got, err)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	reg, res := nacos.NewRegistry(fake), nacos.NewResolver(fake)
	for _, bad := range []registry.Info{
		{Address: "h:1"}, {ServiceName: "s"}, {ServiceName: "s", Address: "no-port"},
		{ServiceName: "s", Address: "h:http"}, {ServiceName: "s", Address: "h:70000"},
	} {
		if err := reg.Register(testCtx(t), bad); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
			t.Errorf("Register(%+v) = %v, want invalid argument", bad, err)
		}
		if err := reg.Deregister(testCtx(t), bad); rpcerr.CodeOf(err) != rpcerr.CodeInvalidArgument {
			t.Errorf("Deregister(%+v) = %v, want invalid argument", bad, err)
		}
	}

	ok := registry.Info{ServiceName: "s", Address: "h:1"}
	canceled, cancel := context.WithCancel(testCtx(t))
	cancel()
	if err := reg.Register(canceled, ok); rpcerr.CodeOf(err) != rpcerr.CodeCanceled {
		t.Errorf("Register with a cancelled context: %v", err)
	}
	if _, err := res.Resolve(canceled, "s"); rpcerr.CodeOf(err) != rpcerr.CodeCanceled {
		t.Errorf("Resolve with a cancelled context: %v", err)
	}

	fake.setDown(true)
	if err := reg.Register(testCtx(t), ok); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Errorf("Register with Nacos down: %v", err)
	}
	if err := reg.Deregister(testCtx(t), ok); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Errorf("Deregister with Nacos down: %v", err)
	}
	if _, err := res.Resolve(testCtx(t), "s"); rpcerr.CodeOf(err) != rpcerr.CodeUnavailable {
		t.Errorf("Resolve with Nacos down: %v", err)
	}
	if res.Name() != "nacos" {
		t.Errorf("Name() = %q", res.Name())
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv(nacos.EnvServerAddr, "")
	t.Setenv(nacos.EnvServerPort, "")
	t.Setenv(nacos.EnvNamespace, "")
	if got := nacos.ConfigFromEnv(); got != (nacos.Config{Addr: "127.0.0.1", Port: 8848}) {
		t.Errorf("defaults: %+v", got)
	}
	t.Setenv(nacos.EnvServerAddr, "nacos.local")
	t.Setenv(nacos.EnvServerPort, "18848")
	t.Setenv(nacos.EnvNamespace, "shop")
	if got := nacos.ConfigFromEnv(); got != (nacos.Config{Addr: "nacos.local", Port: 18848, Namespace: "shop"}) {
		t.Errorf("from the environment: %+v", got)
	}
}
