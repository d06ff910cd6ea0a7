package etcd

import "time"

// DefaultTTL is the lease TTL of registered instances unless WithTTL says otherwise.
const DefaultTTL = 10 * time.Second

// RegistryOption configures NewRegistry.
type RegistryOption interface {
	applyToRegistry(*registryConfig)
}

// ResolverOption configures NewResolver.
type ResolverOption interface {
	applyToResolver(*resolverConfig)
}

// Option configures both NewRegistry and NewResolver; pass the same ones to both sides.
type Option interface {
	RegistryOption
	ResolverOption
}

type registryConfig struct {
	prefix string
	ttl    time.Duration
}

type resolverConfig struct {
	prefix string
}

// WithPrefix sets the key prefix under which services live (default DefaultPrefix). A missing
// trailing "/" is added.
func WithPrefix(prefix string) Option {
	if prefix == "" || prefix[len(prefix)-1] != '/' {
		prefix += "/"
	}
	return prefixOption(prefix)
}

type prefixOption string

func (o prefixOption) applyToRegistry(c *registryConfig) { c.prefix = string(o) }
func (o prefixOption) applyToResolver(c *resolverConfig) { c.prefix = string(o) }

// WithTTL sets the TTL of the lease each registered instance is attached to (default DefaultTTL,
// whole seconds, at least 1s). A server that dies without deregistering disappears after about
// this long. etcd itself may enforce a larger minimum (1.5 election timeouts).
func WithTTL(ttl time.Duration) RegistryOption {
	return ttlOption(ttl)
}

type ttlOption time.Duration

func (o ttlOption) applyToRegistry(c *registryConfig) { c.ttl = time.Duration(o) }

// ttlSeconds returns the TTL in whole seconds, rounded up, at least 1.
func (c *registryConfig) ttlSeconds() int64 {
	s := int64((c.ttl + time.Second - 1) / time.Second)
	return max(s, 1)
}
