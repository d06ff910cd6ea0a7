package nacos

import (
	"context"
	"net"
	"strconv"

	kregistry "github.com/cloudwego/kitex/pkg/registry"
	"github.com/cloudwego/kitex/pkg/utils"
	nacosregistry "github.com/kitex-contrib/registry-nacos/v2/registry"
	"github.com/nacos-group/nacos-sdk-go/v2/clients/naming_client"
	"github.com/ternhq/tern/framework/registry"
	"github.com/ternhq/tern/framework/rpcerr"
)

// NewRegistry returns a registry.Registry that registers instances through cli with registry-nacos's
// Kitex registry, so they look exactly like Kitex servers' registrations. Nacos removes the ephemeral
// instances of a naming client whose connection is gone, so a server that dies without deregistering
// disappears once Nacos notices.
//
// The naming client's calls cannot be cancelled: ctx is checked before each, and the client's own
// timeout (Config.Timeout) bounds them.
func NewRegistry(cli naming_client.INamingClient, opts ...RegistryOption) registry.Registry {
	cfg := newConfig()
	for _, o := range opts {
		o.applyToRegistry(&cfg)
	}
	return &nacosRegistry{kitex: nacosregistry.NewNacosRegistry(cli, cfg.registryOptions()...)}
}

type nacosRegistry struct {
	kitex kregistry.Registry
}

// Register registers info; registering the same address again replaces its weight and tags.
func (r *nacosRegistry) Register(ctx context.Context, info registry.Info) error {
	kinfo, err := kitexInfo(info)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return rpcerr.FromError(err)
	}
	if err := r.kitex.Register(kinfo); err != nil {
		return rpcerr.Errorf(rpcerr.CodeUnavailable, "nacos: register %s at %s: %w", info.ServiceName, info.Address, err)
	}
	return nil
}

// Deregister removes the instance at info's address.
func (r *nacosRegistry) Deregister(ctx context.Context, info registry.Info) error {
	kinfo, err := kitexInfo(info)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return rpcerr.FromError(err)
	}
	if err := r.kitex.Deregister(kinfo); err != nil {
		return rpcerr.Errorf(rpcerr.CodeUnavailable, "nacos: deregister %s at %s: %w", info.ServiceName, info.Address, err)
	}
	return nil
}

// kitexInfo converts info to what a Kitex server registers: its weight made effective, its tags
// copied, its address checked to be host:port with a numeric port.
func kitexInfo(info registry.Info) (*kregistry.Info, error) {
	if err := info.Validate(); err != nil {
		return nil, err
	}
	_, port, err := net.SplitHostPort(info.Address)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return nil, rpcerr.Errorf(rpcerr.CodeInvalidArgument, "nacos: address %q is not host:port: %v", info.Address, err)
	}
	in := info.Instance()
	return &kregistry.Info{
		ServiceName: info.ServiceName,
		Addr:        utils.NewNetAddr("tcp", info.Address),
		Weight:      in.EffectiveWeight(),
		Tags:        in.Tags,
	}, nil
}
