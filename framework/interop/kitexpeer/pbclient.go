package kitexpeer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/client/callopt"
	"github.com/cloudwego/kitex/pkg/endpoint"
	"github.com/cloudwego/kitex/pkg/remote"
	"github.com/cloudwego/kitex/pkg/rpcinfo"
	"github.com/cloudwego/kitex/pkg/streaming"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/transport"

	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
)

// PBVariant is one transport a Kitex client can speak protobuf over.
type PBVariant int

// The protobuf variants.
const (
	// PBTTHeader is Kitex Protobuf in TTHeader+Framed: what a Kitex protobuf client sends unless told
	// to use gRPC (it ORs TTHeaderFramed into any other choice).
	PBTTHeader PBVariant = iota + 1
	// PBFramed is Kitex Protobuf in a bare Framed frame. A Kitex client cannot be configured to send it;
	// this one gets there by resetting each call's protocol in a middleware (see framedOnly).
	PBFramed
	// PBGRPC is gRPC over HTTP/2 (transport.GRPC).
	PBGRPC
)

// PBVariants lists the Kitex Protobuf variants (not gRPC), in a fixed order.
var PBVariants = []PBVariant{PBTTHeader, PBFramed}

// String returns the variant's name as used in test names.
func (v PBVariant) String() string {
	switch v {
	case PBTTHeader:
		return "ttheader_framed"
	case PBFramed:
		return "framed"
	case PBGRPC:
		return "grpc"
	}
	return fmt.Sprintf("PBVariant(%d)", int(v))
}

// HasTTHeader reports whether the variant carries a TTHeader (metainfo, isn, error metadata).
func (v PBVariant) HasTTHeader() bool { return v == PBTTHeader }

// PBClient is a Kitex v0.16.3 client of kitexpeer.echo.Echo, hand-written in the shape of
// kitex-generated protobuf client code.
type PBClient struct {
	variant PBVariant
	cli     client.Client
}

// NewPBClient returns a Kitex client of kitexpeer.echo.Echo at addr speaking v, with the TTHeader and
// HTTP/2 meta handlers on. extraMethods are unary methods the client knows and a server may not (for
// unknown-method tests); options are appended to the helper's own.
func NewPBClient(addr string, v PBVariant, extraMethods []string, opts ...client.Option) (*PBClient, error) {
	quietKitex()
	base := []client.Option{
		client.WithHostPorts(addr),
		client.WithDestService(PBServiceName),
		client.WithMetaHandler(transmeta.ClientTTHeaderHandler),
		client.WithMetaHandler(transmeta.ClientHTTP2Handler),
		client.WithMetaHandler(replyHeaderHandler{}),
		client.WithClientBasicInfo(&rpcinfo.EndpointBasicInfo{ServiceName: ClientServiceName}),
		client.WithRPCTimeout(RPCTimeout),
		client.WithConnectTimeout(ConnectTimeout),
	}
	switch v {
	case PBTTHeader:
		base = append(base, client.WithTransportProtocol(transport.TTHeaderFramed))
	case PBFramed:
		base = append(base, client.WithMiddleware(framedOnly))
	case PBGRPC:
		base = append(base, client.WithTransportProtocol(transport.GRPC))
	default:
		return nil, fmt.Errorf("kitexpeer: unknown protobuf variant %d", int(v))
	}
	cli, err := client.NewClient(newPBServiceInfo(extraMethods...), append(base, opts...)...)
	if err != nil {
		return nil, err
	}
	return &PBClient{variant: v, cli: cli}, nil
}

// framedOnly sets the call's transport to bare Framed. Kitex's client forces TTHeaderFramed on
// protobuf services at construction, but each call works on its own copy of the configuration, which
// the codec reads when it encodes the request.
func framedOnly(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req, resp any) error {
		if cfg := rpcinfo.AsMutableRPCConfig(rpcinfo.GetRPCInfo(ctx).Config()); cfg != nil {
			_ = cfg.SetTransportProtocol(transport.PurePayload) // clears every bit
			_ = cfg.SetTransportProtocol(transport.Framed)
		}
		return next(ctx, req, resp)
	}
}

// Variant returns the variant the client speaks.
func (c *PBClient) Variant() PBVariant { return c.variant }

// Echo calls Echo, as a unary call over every variant.
func (c *PBClient) Echo(ctx context.Context, req *echopb.Request) (*echopb.Response, error) {
	return c.Call(ctx, "Echo", req)
}

// Call makes a unary call of method with req and returns the response. The error is Kitex's own. Call
// options (callopt.WithGRPCCompressor ...) apply to this call only.
func (c *PBClient) Call(ctx context.Context, method string, req *echopb.Request, opts ...callopt.Option) (*echopb.Response, error) {
	if _, ok := ctx.Deadline(); !ok {
		return nil, errors.New("kitexpeer: context has no deadline")
	}
	if len(opts) > 0 {
		ctx = client.NewCtxWithCallOptions(ctx, opts)
	}
	var result PBResult
	if err := c.cli.Call(ctx, method, &PBArgs{Req: req}, &result); err != nil {
		return nil, err
	}
	return result.GetSuccess(), nil
}

// Stream opens a gRPC streaming call of method (ServerStream, ClientStream or BidiStream) as
// kitex-generated code of the default template does, returning Kitex's gRPC-style stream: SendMsg,
// RecvMsg, Close (the client's half-close), Header, Trailer.
func (c *PBClient) Stream(ctx context.Context, method string) (streaming.Stream, error) {
	if _, ok := ctx.Deadline(); !ok {
		return nil, errors.New("kitexpeer: context has no deadline")
	}
	sc, ok := c.cli.(client.Streaming)
	if !ok {
		return nil, errors.New("kitexpeer: the Kitex client does not stream")
	}
	res := new(streaming.Result)
	if err := sc.Stream(ctx, method, nil, res); err != nil {
		return nil, err
	}
	return res.Stream, nil
}

// Close releases the client.
func (c *PBClient) Close() error {
	if cl, ok := c.cli.(interface{ Close() error }); ok {
		return cl.Close()
	}
	return nil
}

// ReplyHeader records the TTHeader string keys of a Kitex client's reply; see WithReplyHeader.
type ReplyHeader struct {
	mu  sync.Mutex
	str map[string]string
}

// Str returns the reply's string key k.
func (r *ReplyHeader) Str(k string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.str[k]
	return v, ok
}

// All returns a copy of every string key of the reply.
func (r *ReplyHeader) All() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.str)
}

type replyHeaderKey struct{}

// WithReplyHeader returns a context under which a PBClient call records its reply's TTHeader string
// keys (business status, Tern's error code, backward metainfo ...) in the returned ReplyHeader.
func WithReplyHeader(ctx context.Context) (context.Context, *ReplyHeader) {
	r := &ReplyHeader{}
	return context.WithValue(ctx, replyHeaderKey{}, r), r
}

// replyHeaderHandler is a client meta handler that copies a reply's string keys into the call's
// ReplyHeader, if it has one.
type replyHeaderHandler struct{}

func (replyHeaderHandler) WriteMeta(ctx context.Context, _ remote.Message) (context.Context, error) {
	return ctx, nil
}

func (replyHeaderHandler) ReadMeta(ctx context.Context, msg remote.Message) (context.Context, error) {
	if r, ok := ctx.Value(replyHeaderKey{}).(*ReplyHeader); ok {
		r.mu.Lock()
		r.str = maps.Clone(msg.TransInfo().TransStrInfo())
		r.mu.Unlock()
	}
	return ctx, nil
}
