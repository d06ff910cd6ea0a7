// Package serviceinfo describes a service to the framework: its name, its methods, how to make their
// argument and result values and how to call the user's handler. The tern generator emits one
// ServiceInfo per IDL service; clients, servers and generic calls are driven by it.
package serviceinfo

import (
	"context"
	"sort"

	"github.com/ternhq/tern/framework/streaming"
)

// PayloadCodec names how argument and result values are encoded.
type PayloadCodec uint8

// Payload codecs.
const (
	Thrift   PayloadCodec = iota // values implement codec/thrift.Message
	Protobuf                     // values are protobuf messages (Kitex Protobuf, gRPC)
)

// MethodHandler calls the user's handler for one method: handler is the value registered on the server,
// args and result the method's argument and result values (as made by MethodInfo.NewArgs and NewResult).
// It returns errors the IDL does not declare; declared exceptions are stored in result.
type MethodHandler func(ctx context.Context, handler, args, result any) error

// StreamHandler serves one streaming call: handler is the value registered on the server, stream the
// call's stream. The generated function receives the request (for server streaming), wraps stream in the
// method's typed interface and calls the user's handler; its error becomes the call's status.
type StreamHandler func(handler any, stream streaming.ServerStream) error

// MethodInfo describes one method.
type MethodInfo struct {
	// Name is the method's IDL name, as sent on the wire.
	Name string
	// Handler calls the user's implementation.
	Handler MethodHandler
	// NewArgs returns a new, empty argument value.
	NewArgs func() any
	// NewResult returns a new, empty result value (nil for oneway methods, which have none).
	NewResult func() any
	// Oneway methods get no reply.
	Oneway bool
	// Idempotent methods may be retried even after their request may have reached the server (the IDL
	// annotation tern.idempotent = "true" sets it).
	Idempotent bool
	// StreamingMode says whether and how the method streams; streaming methods are served over gRPC
	// only, by StreamHandler instead of Handler.
	StreamingMode streaming.Mode
	// StreamHandler serves the method's streaming calls (nil for unary methods).
	StreamHandler StreamHandler
}

// ServiceInfo describes one service.
type ServiceInfo struct {
	// ServiceName is the IDL service name; TTHeader carries it as "isn" to route multi-service servers.
	ServiceName string
	// PackageName is the IDL namespace or package, used in gRPC paths.
	PackageName string
	// HandlerType is a nil pointer to the service's handler interface, e.g. (*echo.Echo)(nil), for checks.
	HandlerType any
	// Methods maps a method name to its description.
	Methods map[string]*MethodInfo
	// PayloadCodec is how this service's values are encoded.
	PayloadCodec PayloadCodec
}

// Method returns the named method, or nil.
func (s *ServiceInfo) Method(name string) *MethodInfo {
	return s.Methods[name]
}

// GRPCPrefix returns the gRPC path of the service, "/<package>.<Service>/" ("/<Service>/" without a
// package); a method's path is the prefix and the method's name.
func (s *ServiceInfo) GRPCPrefix() string {
	if s.PackageName == "" {
		return "/" + s.ServiceName + "/"
	}
	return "/" + s.PackageName + "." + s.ServiceName + "/"
}

// MethodNames returns the method names in order, for diagnostics.
func (s *ServiceInfo) MethodNames() []string {
	names := make([]string, 0, len(s.Methods))
	for n := range s.Methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
