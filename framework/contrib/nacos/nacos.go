// Package nacos registers Tern services in Nacos and discovers them from it, on the conventions of
// github.com/kitex-contrib/registry-nacos/v2, so that Tern and Kitex services in the same Nacos find
// each other.
//
// The package bridges Tern's registry.Registry and discovery.Resolver onto that package's Kitex registry
// and resolver, so the records are the ones Kitex writes and reads:
//
//   - the Nacos service name is the registered service name, unchanged (a Kitex server registers its
//     WithServerBasicInfo ServiceName; a Kitex client resolves the service name it was created with);
//   - group DEFAULT_GROUP and cluster DEFAULT unless WithGroup / WithCluster say otherwise — both sides
//     must use the same ones;
//   - ephemeral, enabled, healthy instances with Ip and Port split from the address (an empty or "::"
//     host is replaced by this machine's first non-loopback IPv4 address);
//   - the Nacos weight is the instance weight (discovery.DefaultWeight, 10, when not positive — Kitex
//     servers default to 10 too; Nacos never selects an instance of weight 0);
//   - the Nacos metadata is the instance's tags, merged with the tags in the KITEX_NACOS_ENV_TAGS
//     environment variable ("k1=v1,k2=v2", read once at start), and read back as tags;
//   - resolution returns only healthy, enabled instances of weight > 0 in the configured cluster.
//
// The resolver also implements discovery.Watcher with a Nacos subscription, which discovery.Cache
// follows.
//
//	cli, err := nacos.NewNamingClient(nacos.ConfigFromEnv())
//	reg := nacos.NewRegistry(cli)  // server side
//	res := nacos.NewResolver(cli)  // client side
package nacos

import (
	"os"
	"path/filepath"
	"time"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/registry"

	knacos "github.com/kitex-contrib/registry-nacos/v2/nacos"
	"github.com/nacos-group/nacos-sdk-go/v2/clients"
	"github.com/nacos-group/nacos-sdk-go/v2/clients/naming_client"
	"github.com/nacos-group/nacos-sdk-go/v2/common/constant"
	"github.com/nacos-group/nacos-sdk-go/v2/vo"
)

// Environment variables read by ConfigFromEnv, the same registry-nacos reads.
const (
	EnvServerAddr = knacos.NACOS_ENV_SERVER_ADDR  // "serverAddr": Nacos host, default 127.0.0.1
	EnvServerPort = knacos.NACOS_ENV_PORT         // "serverPort": Nacos HTTP port, default 8848 (gRPC is +1000)
	EnvNamespace  = knacos.NACOS_ENV_NAMESPACE_ID // "namespace": namespace id, default public
	EnvTags       = knacos.NACOS_ENV_TAGS         // "KITEX_NACOS_ENV_TAGS": "k=v,..." added to every registration
)

// Config says how to reach Nacos. ConfigFromEnv fills it the way registry-nacos's default client is
// configured; zero fields take the Nacos SDK's defaults unless documented otherwise.
type Config struct {
	Addr      string        // Nacos host
	Port      uint64        // Nacos HTTP port; the SDK talks gRPC to Port+1000
	Namespace string        // namespace id; empty means public
	Username  string        // for Nacos auth, when enabled
	Password  string        // for Nacos auth, when enabled
	Timeout   time.Duration // per request; SDK default 10s
	// LogDir and CacheDir are where the SDK writes its logs and its service cache. Default
	// <temp dir>/nacos/log and <temp dir>/nacos/cache (the SDK's own default is the working directory).
	LogDir, CacheDir string
	LogLevel         string // debug, info, warn or error; default warn
}

// ConfigFromEnv returns the configuration of registry-nacos's default client: host from $serverAddr
// (default 127.0.0.1), port from $serverPort (default 8848), namespace from $namespace.
func ConfigFromEnv() Config {
	return Config{Addr: knacos.NacosAddr(), Port: uint64(knacos.NacosPort()), Namespace: knacos.NacosNameSpaceId()}
}

// NewNamingClient creates a Nacos naming client. Unlike registry-nacos's default client, it sets
// UpdateCacheWhenEmpty, so that watchers see the last instance of a service leave.
func NewNamingClient(cfg Config) (naming_client.INamingClient, error) {
	dir := filepath.Join(os.TempDir(), "nacos")
	cc := constant.ClientConfig{
		NamespaceId:          cfg.Namespace,
		RegionId:             knacos.NACOS_DEFAULT_REGIONID,
		NotLoadCacheAtStart:  true,
		UpdateCacheWhenEmpty: true,
		TimeoutMs:            uint64(cfg.Timeout / time.Millisecond),
		Username:             cfg.Username,
		Password:             cfg.Password,
		LogDir:               orDefault(cfg.LogDir, filepath.Join(dir, "log")),
		CacheDir:             orDefault(cfg.CacheDir, filepath.Join(dir, "cache")),
		LogLevel:             orDefault(cfg.LogLevel, "warn"),
	}
	return clients.NewNamingClient(vo.NacosClientParam{
		ClientConfig:  &cc,
		ServerConfigs: []constant.ServerConfig{*constant.NewServerConfig(cfg.Addr, cfg.Port)},
	})
}

// NewDefaultRegistry returns a Registry on a naming client configured from the environment
// (ConfigFromEnv), like registry-nacos's NewDefaultNacosRegistry.
func NewDefaultRegistry(opts ...RegistryOption) (registry.Registry, error) {
	cli, err := NewNamingClient(ConfigFromEnv())
	if err != nil {
		return nil, err
	}
	return NewRegistry(cli, opts...), nil
}

// NewDefaultResolver returns a Resolver on a naming client configured from the environment
// (ConfigFromEnv), like registry-nacos's NewDefaultNacosResolver.
func NewDefaultResolver(opts ...ResolverOption) (discovery.Resolver, error) {
	cli, err := NewNamingClient(ConfigFromEnv())
	if err != nil {
		return nil, err
	}
	return NewResolver(cli, opts...), nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
