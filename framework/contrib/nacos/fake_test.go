package nacos_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nacos-group/nacos-sdk-go/v2/clients/naming_client"
	"github.com/nacos-group/nacos-sdk-go/v2/common/constant"
	"github.com/nacos-group/nacos-sdk-go/v2/model"
	"github.com/nacos-group/nacos-sdk-go/v2/vo"
)

// fakeNaming is an in-memory Nacos behind the naming-client interface. It follows the SDK and server
// where the code under test can tell: an empty group is DEFAULT_GROUP and an empty cluster DEFAULT;
// registering an address again replaces it; SelectInstances fails for a service with no instances and
// otherwise returns healthy (or unhealthy), enabled instances of positive weight; Subscribe callbacks
// get every host of the subscribed clusters, once from inside Subscribe and then on goroutines of their
// own (the SDK may run them concurrently), and Unsubscribe finds them by the address of the param's SubscribeCallback field.
type fakeNaming struct {
	mu       sync.Mutex
	services map[string][]model.Instance // by group@@service
	subs     map[string][]*vo.SubscribeParam
	down     bool
	pending  sync.WaitGroup // running callbacks
}

var _ naming_client.INamingClient = (*fakeNaming)(nil)

var errDown = errors.New("fake nacos: server unreachable")

func newFake(t *testing.T) *fakeNaming {
	f := &fakeNaming{services: map[string][]model.Instance{}, subs: map[string][]*vo.SubscribeParam{}}
	t.Cleanup(f.pending.Wait)
	return f
}

func groupOf(g string) string {
	if g == "" {
		return constant.DEFAULT_GROUP
	}
	return g
}

func clusterOf(c string) string {
	if c == "" {
		return "DEFAULT"
	}
	return c
}

func serviceKey(group, service string) string { return groupOf(group) + "@@" + service }

// setDown makes every call fail (or work again).
func (f *fakeNaming) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

// instances returns the stored instances of a service, as Nacos holds them.
func (f *fakeNaming) instances(group, service string) []model.Instance {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.services[serviceKey(group, service)])
}

// subscribers counts the subscriptions of a service.
func (f *fakeNaming) subscribers(group, service string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs[serviceKey(group, service)])
}

func (f *fakeNaming) RegisterInstance(p vo.RegisterInstanceParam) (bool, error) {
	if p.ServiceName == "" {
		return false, errors.New("serviceName cannot be empty!")
	}
	in := model.Instance{
		InstanceId: fmt.Sprintf("%s#%d#%s#%s", p.Ip, p.Port, clusterOf(p.ClusterName), serviceKey(p.GroupName, p.ServiceName)),
		Ip:         p.Ip, Port: p.Port, Weight: p.Weight, Healthy: p.Healthy, Enable: p.Enable,
		Ephemeral: p.Ephemeral, ClusterName: clusterOf(p.ClusterName), ServiceName: serviceKey(p.GroupName, p.ServiceName),
		Metadata: p.Metadata,
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return false, errDown
	}
	key := serviceKey(p.GroupName, p.ServiceName)
	list := slices.DeleteFunc(f.services[key], func(o model.Instance) bool { return o.InstanceId == in.InstanceId })
	f.services[key] = append(list, in)
	f.notifyLocked(key)
	return true, nil
}

func (f *fakeNaming) DeregisterInstance(p vo.DeregisterInstanceParam) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return false, errDown
	}
	key := serviceKey(p.GroupName, p.ServiceName)
	f.services[key] = slices.DeleteFunc(f.services[key], func(o model.Instance) bool {
		return o.Ip == p.Ip && o.Port == p.Port && o.ClusterName == clusterOf(p.Cluster)
	})
	f.notifyLocked(key)
	return true, nil
}

// hostsLocked returns the hosts of a service in the given clusters (all when none are given).
func (f *fakeNaming) hostsLocked(key string, clusters []string) []model.Instance {
	var out []model.Instance
	for _, in := range f.services[key] {
		if len(clusters) == 0 || slices.Contains(clusters, in.ClusterName) {
			out = append(out, in)
		}
	}
	return out
}

func (f *fakeNaming) notifyLocked(key string) {
	for _, p := range f.subs[key] {
		hosts := f.hostsLocked(key, p.Clusters)
		cb := &p.SubscribeCallback
		f.pending.Go(func() { (*cb)(hosts, nil) })
	}
}

func (f *fakeNaming) SelectInstances(p vo.SelectInstancesParam) ([]model.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errDown
	}
	hosts := f.hostsLocked(serviceKey(p.GroupName, p.ServiceName), p.Clusters)
	if len(hosts) == 0 {
		return []model.Instance{}, errors.New("instance list is empty!")
	}
	var out []model.Instance
	for _, in := range hosts {
		if in.Healthy == p.HealthyOnly && in.Enable && in.Weight > 0 {
			out = append(out, in)
		}
	}
	return out, nil
}

func (f *fakeNaming) SelectAllInstances(p vo.SelectAllInstancesParam) ([]model.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return []model.Instance{}, errDown
	}
	return f.hostsLocked(serviceKey(p.GroupName, p.ServiceName), p.Clusters), nil
}

func (f *fakeNaming) GetService(p vo.GetServiceParam) (model.Service, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return model.Service{}, errDown
	}
	return model.Service{Name: p.ServiceName, GroupName: groupOf(p.GroupName), Clusters: strings.Join(p.Clusters, ","),
		Hosts: f.hostsLocked(serviceKey(p.GroupName, p.ServiceName), p.Clusters)}, nil
}

func (f *fakeNaming) Subscribe(p *vo.SubscribeParam) error {
	f.mu.Lock()
	key := serviceKey(p.GroupName, p.ServiceName)
	f.subs[key] = append(f.subs[key], p) // as the SDK: registered even when the server is down
	if f.down {
		f.mu.Unlock()
		return errDown
	}
	hosts := f.hostsLocked(key, p.Clusters)
	f.mu.Unlock()
	p.SubscribeCallback(hosts, nil) // as the SDK: the first state, from inside Subscribe
	return nil
}

func (f *fakeNaming) Unsubscribe(p *vo.SubscribeParam) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := serviceKey(p.GroupName, p.ServiceName)
	f.subs[key] = slices.DeleteFunc(f.subs[key], func(o *vo.SubscribeParam) bool {
		return &o.SubscribeCallback == &p.SubscribeCallback
	})
	return nil
}

func (f *fakeNaming) BatchRegisterInstance(vo.BatchRegisterInstanceParam) (bool, error) {
	return false, errors.New("fake nacos: BatchRegisterInstance is not used by the bridge, so the fake does not support it")
}

func (f *fakeNaming) UpdateInstance(vo.UpdateInstanceParam) (bool, error) {
	return false, errors.New("fake nacos: UpdateInstance is not used by the bridge, so the fake does not support it")
}

func (f *fakeNaming) SelectOneHealthyInstance(vo.SelectOneHealthInstanceParam) (*model.Instance, error) {
	return nil, errors.New("fake nacos: SelectOneHealthyInstance is not used by the bridge, so the fake does not support it")
}

func (f *fakeNaming) GetAllServicesInfo(vo.GetAllServiceInfoParam) (model.ServiceList, error) {
	return model.ServiceList{}, errors.New("fake nacos: GetAllServicesInfo is not used by the bridge, so the fake does not support it")
}

func (f *fakeNaming) ServerHealthy() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.down
}

func (f *fakeNaming) CloseClient() {}
