package otel

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/stats"
	"github.com/ternhq/tern/framework/transport"
)

// Attribute keys, from the OpenTelemetry semantic conventions for RPC.
const (
	keyRPCSystem      = attribute.Key("rpc.system")
	keyRPCService     = attribute.Key("rpc.service")
	keyRPCMethod      = attribute.Key("rpc.method")
	keyStatusCode     = attribute.Key("rpc.response.status_code")
	keyGRPCStatusCode = attribute.Key("rpc.grpc.status_code")
	keyServerAddress  = attribute.Key("server.address")
	keyServerPort     = attribute.Key("server.port")
	keyPeerAddress    = attribute.Key("network.peer.address")
	keyPeerPort       = attribute.Key("network.peer.port")
	keyErrorType      = attribute.Key("error.type")
)

// rpc.system values: gRPC calls are "grpc"; Thrift and Kitex Protobuf calls speak Kitex's protocols and
// are "kitex", as Kitex's own OpenTelemetry instrumentation names them.
const (
	systemGRPC  = "grpc"
	systemKitex = "kitex"
)

// numGRPCCodes is how many codes (0..16, the gRPC ones) get precomputed attribute sets.
const numGRPCCodes = 17

// methodAttrs are the attributes of one method of one service over one RPC system, computed once.
type methodAttrs struct {
	spanName string
	base     []attribute.KeyValue    // rpc.system, rpc.service, rpc.method
	active   []metric.AddOption      // base, for calls in flight (a slice, so that passing it allocates nothing)
	byCode   [numGRPCCodes]codeAttrs // base plus the status code
	other    sync.Map                // rpcerr.Code -> *codeAttrs, for Tern's own codes
	grpc     bool
}

// codeAttrs are a method's attributes with one status code.
type codeAttrs struct {
	status attribute.KeyValue
	add    []metric.AddOption
	record []metric.RecordOption
}

func newMethodAttrs(svc *serviceinfo.ServiceInfo, service, method string, grpc bool) *methodAttrs {
	full := service
	if svc != nil {
		full = svc.ServiceName
		if svc.PackageName != "" {
			full = svc.PackageName + "." + svc.ServiceName
		}
	}
	system := systemKitex
	if grpc {
		system = systemGRPC
	}
	m := &methodAttrs{spanName: full + "/" + method, grpc: grpc, base: []attribute.KeyValue{
		keyRPCSystem.String(system), keyRPCService.String(full), keyRPCMethod.String(method),
	}}
	m.active = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(m.base...))}
	for code := range m.byCode {
		m.byCode[code] = m.newCodeAttrs(rpcerr.Code(code))
	}
	return m
}

func (m *methodAttrs) newCodeAttrs(code rpcerr.Code) codeAttrs {
	status := keyStatusCode.String(strings.ToUpper(code.String()))
	kvs := append(append(make([]attribute.KeyValue, 0, len(m.base)+1), m.base...), status)
	opt := metric.WithAttributeSet(attribute.NewSet(kvs...))
	return codeAttrs{status: status, add: []metric.AddOption{opt}, record: []metric.RecordOption{opt}}
}

// code returns the method's attributes with code.
func (m *methodAttrs) code(code rpcerr.Code) *codeAttrs {
	if int(code) < numGRPCCodes {
		return &m.byCode[code]
	}
	if ca, ok := m.other.Load(code); ok {
		return ca.(*codeAttrs)
	}
	ca := m.newCodeAttrs(code)
	got, _ := m.other.LoadOrStore(code, &ca)
	return got.(*codeAttrs)
}

// serviceAttrs holds the methodAttrs of every method of a service, for both RPC systems; built once
// and read-only afterwards.
type serviceAttrs struct {
	kitex, grpc map[string]*methodAttrs
}

// attrCache finds the attributes of a call without allocating once its service has been seen.
type attrCache struct {
	services sync.Map // *serviceinfo.ServiceInfo -> *serviceAttrs
	misses   atomic.Int64
}

// get returns the attributes of c's method.
func (a *attrCache) get(c *stats.Call) *methodAttrs {
	info := c.Info()
	grpc := info.Protocol() == transport.GRPC
	method, svc := info.Method(), c.Service()
	if svc != nil {
		if m := a.service(svc).lookup(method, grpc); m != nil {
			return m
		}
	}
	a.misses.Add(1) // a method the service info does not describe: built every time
	return newMethodAttrs(svc, info.Callee().Service, method, grpc)
}

func (a *attrCache) service(svc *serviceinfo.ServiceInfo) *serviceAttrs {
	if sa, ok := a.services.Load(svc); ok {
		return sa.(*serviceAttrs)
	}
	sa := &serviceAttrs{kitex: map[string]*methodAttrs{}, grpc: map[string]*methodAttrs{}}
	for name := range svc.Methods {
		sa.kitex[name] = newMethodAttrs(svc, "", name, false)
		sa.grpc[name] = newMethodAttrs(svc, "", name, true)
	}
	got, _ := a.services.LoadOrStore(svc, sa)
	return got.(*serviceAttrs)
}

func (sa *serviceAttrs) lookup(method string, grpc bool) *methodAttrs {
	if grpc {
		return sa.grpc[method]
	}
	return sa.kitex[method]
}

// addressAttrs returns the attributes of the other end's address: network.peer.*, and on a client
// server.* as well.
func addressAttrs(side stats.Side, addr string) []attribute.KeyValue {
	if addr == "" {
		return nil
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return []attribute.KeyValue{keyPeerAddress.String(addr)}
	}
	port, _ := strconv.Atoi(portStr)
	kvs := []attribute.KeyValue{keyPeerAddress.String(host), keyPeerPort.Int(port)}
	if side == stats.Client {
		kvs = append(kvs, keyServerAddress.String(host), keyServerPort.Int(port))
	}
	return kvs
}
