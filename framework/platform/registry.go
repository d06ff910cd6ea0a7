package platform

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ternhq/tern/framework/contrib/etcd"
	"github.com/ternhq/tern/framework/contrib/nacos"
	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/registry"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Registry kinds.
const (
	// RegistryDirect: no registry; clients call the addresses of their "clients" entry.
	RegistryDirect = "direct"
	// RegistryNacos: servers register in Nacos and clients resolve there (framework/contrib/nacos,
	// Kitex-compatible records).
	RegistryNacos = "nacos"
	// RegistryEtcd: servers register in etcd under leases and clients watch there
	// (framework/contrib/etcd).
	RegistryEtcd = "etcd"
)

// RegistryConfig chooses the registry.
type RegistryConfig struct {
	// Kind is direct (the default), nacos or etcd.
	Kind string `yaml:"kind"`
	// Addrs is where the registry is, comma-separated host:port: Nacos's HTTP address (one), or etcd's
	// client endpoints.
	Addrs string `yaml:"addrs"`
	// Namespace is the Nacos namespace id (empty: public) or the etcd key prefix (empty:
	// /tern/services/).
	Namespace string `yaml:"namespace"`
	// Group is the Nacos group (empty: DEFAULT_GROUP); ignored by etcd.
	Group string `yaml:"group"`
}

func (c RegistryConfig) validate() error {
	switch c.Kind {
	case RegistryDirect:
		return nil
	case RegistryNacos:
		if len(splitList(c.Addrs)) != 1 {
			return errors.New("addrs: nacos needs one host:port")
		}
		return nil
	case RegistryEtcd:
		if len(splitList(c.Addrs)) == 0 {
			return errors.New("addrs: etcd needs at least one endpoint")
		}
		return nil
	}
	return fmt.Errorf("kind: %q is not %s, %s or %s", c.Kind, RegistryDirect, RegistryNacos, RegistryEtcd)
}

// ClientConfig configures the client of one downstream service (an entry of "clients").
type ClientConfig struct {
	// Service is the name the callee is registered under (default: the entry's name).
	Service string `yaml:"service"`
	// Addrs are the callee's addresses, comma-separated host:port, used with the direct registry.
	Addrs string `yaml:"addrs"`
	// Timeout bounds each call (default 1s).
	Timeout time.Duration `yaml:"timeout"`
	// ConnectTimeout bounds dialling (default 200ms).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
}

// discoveryParts is the registry and resolver of one registry kind; both nil for direct.
type discoveryParts struct {
	registry registry.Registry
	resolver discovery.Resolver
	close    func() error
}

// openDiscovery connects to the configured registry.
func openDiscovery(c RegistryConfig) (discoveryParts, error) {
	switch c.Kind {
	case RegistryNacos:
		return openNacos(c)
	case RegistryEtcd:
		return openEtcd(c)
	}
	return discoveryParts{}, nil
}

func openNacos(c RegistryConfig) (discoveryParts, error) {
	host, portStr, err := net.SplitHostPort(splitList(c.Addrs)[0])
	if err != nil {
		return discoveryParts{}, fmt.Errorf("registry.addrs: %w", err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return discoveryParts{}, fmt.Errorf("registry.addrs: port %q: %w", portStr, err)
	}
	cli, err := nacos.NewNamingClient(nacos.Config{Addr: host, Port: port, Namespace: c.Namespace})
	if err != nil {
		return discoveryParts{}, fmt.Errorf("registry: nacos: %w", err)
	}
	var opts []nacos.Option
	if c.Group != "" {
		opts = append(opts, nacos.WithGroup(c.Group))
	}
	return discoveryParts{
		registry: nacos.NewRegistry(cli, registryOpts(opts)...),
		resolver: nacos.NewResolver(cli, resolverOpts(opts)...),
		close:    func() error { cli.CloseClient(); return nil },
	}, nil
}

func registryOpts(opts []nacos.Option) []nacos.RegistryOption {
	out := make([]nacos.RegistryOption, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}

func resolverOpts(opts []nacos.Option) []nacos.ResolverOption {
	out := make([]nacos.ResolverOption, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}

func openEtcd(c RegistryConfig) (discoveryParts, error) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: splitList(c.Addrs), DialTimeout: 5 * time.Second})
	if err != nil {
		return discoveryParts{}, fmt.Errorf("registry: etcd: %w", err)
	}
	var opts []etcd.Option
	if c.Namespace != "" {
		opts = append(opts, etcd.WithPrefix(c.Namespace))
	}
	regOpts := make([]etcd.RegistryOption, len(opts))
	resOpts := make([]etcd.ResolverOption, len(opts))
	for i, o := range opts {
		regOpts[i], resOpts[i] = o, o
	}
	return discoveryParts{
		registry: etcd.NewRegistry(cli, regOpts...),
		resolver: etcd.NewResolver(cli, resOpts...),
		close:    cli.Close,
	}, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Client defaults.
const (
	defaultCallTimeout    = time.Second
	defaultConnectTimeout = 200 * time.Millisecond
)

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
