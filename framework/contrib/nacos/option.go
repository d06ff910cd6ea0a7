package nacos

import (
	nacosregistry "github.com/kitex-contrib/registry-nacos/v2/registry"
	nacosresolver "github.com/kitex-contrib/registry-nacos/v2/resolver"
)

// Defaults of registry-nacos, used unless WithGroup or WithCluster say otherwise.
const (
	DefaultGroup   = "DEFAULT_GROUP"
	DefaultCluster = "DEFAULT"
)

// RegistryOption configures NewRegistry.
type RegistryOption interface {
	applyToRegistry(*config)
}

// ResolverOption configures NewResolver.
type ResolverOption interface {
	applyToResolver(*config)
}

// Option configures both NewRegistry and NewResolver; servers and clients must agree on them, and
// with the registry-nacos options of Kitex services they should meet.
type Option interface {
	RegistryOption
	ResolverOption
}

type config struct {
	group, cluster string
}

func newConfig() config { return config{group: DefaultGroup, cluster: DefaultCluster} }

func (c config) registryOptions() []nacosregistry.Option {
	return []nacosregistry.Option{nacosregistry.WithGroup(c.group), nacosregistry.WithCluster(c.cluster)}
}

func (c config) resolverOptions() []nacosresolver.Option {
	return []nacosresolver.Option{nacosresolver.WithGroup(c.group), nacosresolver.WithCluster(c.cluster)}
}

// WithGroup sets the Nacos group (default DefaultGroup), like registry-nacos's WithGroup.
func WithGroup(group string) Option { return groupOption(group) }

// WithCluster sets the Nacos cluster (default DefaultCluster), like registry-nacos's WithCluster.
func WithCluster(cluster string) Option { return clusterOption(cluster) }

type groupOption string

func (o groupOption) applyToRegistry(c *config) { c.group = string(o) }
func (o groupOption) applyToResolver(c *config) { c.group = string(o) }

type clusterOption string

func (o clusterOption) applyToRegistry(c *config) { c.cluster = string(o) }
func (o clusterOption) applyToResolver(c *config) { c.cluster = string(o) }
