package nacos

import (
	"context"
	"maps"
	"net"
	"strings"
	"sync"

	kdiscovery "github.com/cloudwego/kitex/pkg/discovery"
	nacosresolver "github.com/kitex-contrib/registry-nacos/v2/resolver"
	"github.com/nacos-group/nacos-sdk-go/v2/clients/naming_client"
	"github.com/nacos-group/nacos-sdk-go/v2/vo"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/rpcerr"
)

// NewResolver returns a discovery.Resolver that resolves through cli with registry-nacos's Kitex
// resolver, so it finds what Kitex clients find. It also implements discovery.Watcher with a Nacos
// subscription.
//
// A service with no instance is an empty Result, not an error (registry-nacos reports an error). The
// naming client answers from its local cache once a service has been looked up; ctx is only checked
// before the lookup.
func NewResolver(cli naming_client.INamingClient, opts ...ResolverOption) discovery.Resolver {
	cfg := newConfig()
	for _, o := range opts {
		o.applyToResolver(&cfg)
	}
	return &resolver{cli: cli, cfg: cfg, kitex: nacosresolver.NewNacosResolver(cli, cfg.resolverOptions()...)}
}

type resolver struct {
	cli      naming_client.INamingClient
	cfg      config
	kitex    kdiscovery.Resolver
	versions versions

	subMu sync.Mutex               // serialises subscribing; never held by SDK callbacks
	subs  map[string]*subscription // by service
}

var (
	_ discovery.Resolver = (*resolver)(nil)
	_ discovery.Watcher  = (*resolver)(nil)
)

// Name returns "nacos".
func (r *resolver) Name() string { return "nacos" }

// Resolve returns the healthy, enabled instances of service in the configured group and cluster.
func (r *resolver) Resolve(ctx context.Context, service string) (discovery.Result, error) {
	if err := ctx.Err(); err != nil {
		return discovery.Result{}, rpcerr.FromError(err)
	}
	kres, err := r.kitex.Resolve(ctx, service) // Kitex's Target is the bare service name
	if err != nil {
		// registry-nacos fails for a service with no usable instance too; a listing that works tells
		// that case apart from a failed lookup.
		if _, lerr := r.cli.SelectAllInstances(vo.SelectAllInstancesParam{
			ServiceName: service, GroupName: r.cfg.group, Clusters: []string{r.cfg.cluster},
		}); lerr != nil {
			return discovery.Result{}, rpcerr.Errorf(rpcerr.CodeUnavailable, "nacos: resolve %s: %w", service, err)
		}
		return r.versions.result(service, nil), nil
	}
	instances := make([]discovery.Instance, 0, len(kres.Instances))
	for _, kin := range kres.Instances {
		instances = append(instances, ternInstance(kin))
	}
	return r.versions.result(service, discovery.Sorted(instances)), nil
}

// ternInstance converts an instance from registry-nacos.
func ternInstance(kin kdiscovery.Instance) discovery.Instance {
	in := discovery.Instance{Address: hostPort(kin.Address().String()), Weight: kin.Weight()}
	if t, ok := kin.(interface{ Tags() map[string]string }); ok && len(t.Tags()) > 0 {
		in.Tags = maps.Clone(t.Tags())
	}
	return in
}

// hostPort repairs registry-nacos's "ip:port" formatting of IPv6 addresses ("::1:8888").
func hostPort(addr string) string {
	if strings.Count(addr, ":") < 2 || strings.HasPrefix(addr, "[") {
		return addr
	}
	i := strings.LastIndexByte(addr, ':')
	return net.JoinHostPort(addr[:i], addr[i+1:])
}
