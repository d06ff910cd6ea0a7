// Package registry is the server side of service discovery: a server announces itself with Register
// when it starts serving and withdraws with Deregister when it stops. Registries backed by real systems
// (Nacos, etcd...) live in contrib modules; this package holds the interface and Memory, an in-process
// registry that is also a discovery.Resolver and discovery.Watcher, so a test can run the whole loop —
// servers register, clients resolve — without any external system.
package registry

import (
	"context"
	"maps"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/rpcerr"
)

// Info describes one instance of a service as its server registers it.
type Info struct {
	ServiceName string
	Address     string            // host:port clients should dial
	Weight      int               // <= 0 means discovery.DefaultWeight
	Tags        map[string]string // free-form labels, passed on to discovery.Instance.Tags
}

// Instance returns the discovery view of info; the Tags map is copied.
func (info Info) Instance() discovery.Instance {
	return discovery.Instance{Address: info.Address, Weight: info.Weight, Tags: maps.Clone(info.Tags)}
}

// Validate reports an rpcerr.CodeInvalidArgument error when info lacks a service name or address.
func (info Info) Validate() error {
	switch {
	case info.ServiceName == "":
		return rpcerr.New(rpcerr.CodeInvalidArgument, "registry: empty service name")
	case info.Address == "":
		return rpcerr.New(rpcerr.CodeInvalidArgument, "registry: empty address")
	}
	return nil
}

// Registry announces service instances. Implementations must be safe for concurrent use.
type Registry interface {
	// Register adds info's instance to its service, or replaces the instance with the same service
	// name and address (to change its weight or tags).
	Register(ctx context.Context, info Info) error
	// Deregister removes the instance with info's service name and address. Removing an instance that
	// is not registered is not an error.
	Deregister(ctx context.Context, info Info) error
}
