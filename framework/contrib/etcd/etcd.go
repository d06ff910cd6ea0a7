// Package etcd registers Tern services in etcd and discovers them from it.
//
// Each instance is one key, attached to a lease that the registering process keeps alive:
//
//	<prefix><service>/<address>  →  {"address":"10.0.0.1:8888","weight":10,"tags":{"zone":"a"}}
//
// The default prefix is "/tern/services/", so an instance of "echo" at 10.0.0.1:8888 lives at
// "/tern/services/echo/10.0.0.1:8888". When a server stops, Deregister deletes its key and revokes the
// lease; when a server dies without deregistering, etcd drops the key once the lease TTL (default 10s)
// runs out. A resolver lists the keys under "<prefix><service>/" and, as a discovery.Watcher, follows
// them with an etcd watch.
//
//	reg := etcd.NewRegistry(cli)                  // server side
//	res := etcd.NewResolver(cli)                  // client side: a discovery.Resolver and Watcher
//	cache := discovery.NewCache(res, discovery.DefaultCacheConfig())
package etcd

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/ternhq/tern/framework/discovery"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
)

// DefaultPrefix is the key prefix under which services are stored unless WithPrefix says otherwise.
const DefaultPrefix = "/tern/services/"

// value is the JSON stored under an instance's key.
type value struct {
	Address string            `json:"address"`
	Weight  int               `json:"weight"`
	Tags    map[string]string `json:"tags,omitempty"`
}

// serviceKey returns the prefix that holds every instance of service, ending in "/".
func serviceKey(prefix, service string) string {
	return prefix + service + "/"
}

// instanceKey returns the key of one instance.
func instanceKey(prefix string, info registry.Info) string {
	return serviceKey(prefix, info.ServiceName) + info.Address
}

// encode returns the JSON value stored for info; a non-positive weight is stored as
// discovery.DefaultWeight so that readers in other languages need not know the rule.
func encode(info registry.Info) string {
	in := info.Instance()
	b, _ := json.Marshal(value{Address: in.Address, Weight: in.EffectiveWeight(), Tags: in.Tags}) // cannot fail
	return string(b)
}

// decode parses a stored value; the address falls back to the key's last segment.
func decode(key string, data []byte) (discovery.Instance, bool) {
	var v value
	if err := json.Unmarshal(data, &v); err != nil {
		return discovery.Instance{}, false
	}
	if v.Address == "" {
		v.Address = key[strings.LastIndexByte(key, '/')+1:]
	}
	if v.Address == "" {
		return discovery.Instance{}, false
	}
	return discovery.Instance{Address: v.Address, Weight: v.Weight, Tags: v.Tags}, true
}

// validate checks info for the registry: the framework's rules, plus no "/" in the service name,
// which would make one service's keys a prefix of another's.
func validate(info registry.Info) error {
	if err := info.Validate(); err != nil {
		return err
	}
	if strings.Contains(info.ServiceName, "/") {
		return rpcerr.Errorf(rpcerr.CodeInvalidArgument, "etcd: service name %q contains '/'", info.ServiceName)
	}
	return nil
}

// sortedList returns the instances of m sorted by address.
func sortedList(m map[string]discovery.Instance) []discovery.Instance {
	list := make([]discovery.Instance, 0, len(m))
	for _, in := range m {
		list = append(list, in)
	}
	slices.SortFunc(list, func(a, b discovery.Instance) int { return cmp.Compare(a.Address, b.Address) })
	return list
}

// versions hands out Result versions: a service keeps its version while its instance list stays the
// same and gets a new one from discovery.NewVersion when it changes.
type versions struct {
	mu   sync.Mutex
	last map[string]versioned
}

type versioned struct {
	instances []discovery.Instance
	version   uint64
}

func (v *versions) result(service string, instances []discovery.Instance) discovery.Result {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.last == nil {
		v.last = map[string]versioned{}
	}
	cur, ok := v.last[service]
	if !ok || !discovery.SameInstances(cur.instances, instances) {
		cur = versioned{instances: instances, version: discovery.NewVersion()}
		v.last[service] = cur
	}
	return discovery.Result{Service: service, Instances: cur.instances, Version: cur.version}
}
