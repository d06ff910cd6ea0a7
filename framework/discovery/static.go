package discovery

import "context"

// NewStatic returns a Resolver that answers every service with the given host:port addresses, each of
// DefaultWeight. It is what a client configured with fixed addresses resolves through.
func NewStatic(hostports ...string) Resolver {
	instances := make([]Instance, len(hostports))
	for i, hp := range hostports {
		instances[i] = Instance{Address: hp, Weight: DefaultWeight}
	}
	return newStatic(instances)
}

// NewStaticInstances returns a Resolver that answers every service with the given instances, which it
// copies.
func NewStaticInstances(instances ...Instance) Resolver {
	return newStatic(Clone(instances))
}

func newStatic(instances []Instance) *static {
	return &static{instances: instances, version: NewVersion()}
}

// static is the Resolver behind NewStatic: one fixed list, one version, whatever the service.
type static struct {
	instances []Instance
	version   uint64
}

// Resolve returns the fixed list under the name service.
func (s *static) Resolve(_ context.Context, service string) (Result, error) {
	return Result{Service: service, Instances: s.instances, Version: s.version}, nil
}

// Name returns "static".
func (s *static) Name() string { return "static" }
