package kitexpeer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/client/genericclient"
	"github.com/cloudwego/kitex/pkg/generic"
	"github.com/cloudwego/kitex/pkg/generic/descriptor"
	"github.com/cloudwego/kitex/pkg/klog"
	"github.com/cloudwego/kitex/pkg/rpcinfo"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/transport"
)

// Client settings every helper client uses. They appear on the wire in TTHeader int keys 12 and 17
// (Kitex writes a timeout key only when the timeout was set explicitly) and key 3.
const (
	ClientServiceName = "kitexpeer.client"
	RPCTimeout        = 3 * time.Second
	ConnectTimeout    = time.Second
)

// missingIDL extends Echo with a method the server does not have.
const missingIDL = `include "echo.thrift"

service Echo extends echo.Echo {
    echo.Response Missing(1: echo.Request req)
}
`

// Client is a Kitex generic client for service Echo speaking one Variant.
type Client struct {
	variant Variant
	cli     genericclient.Client
}

// NewClient returns a Kitex generic client for service Echo at addr, speaking v. Options are appended
// to the helper's own (so they can override them).
func NewClient(addr string, v Variant, opts ...client.Option) (*Client, error) {
	g, err := newEchoGeneric("", nil)
	if err != nil {
		return nil, err
	}
	return newClient(addr, v, g, opts)
}

// NewMissingClient returns a Kitex generic client whose IDL has the extra method Missing (see
// CallMissing), for unknown-method tests.
func NewMissingClient(addr string, v Variant, opts ...client.Option) (*Client, error) {
	echoIDL, err := os.ReadFile(IDLPath())
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(IDLPath())
	mainPath := filepath.Join(dir, "missing.thrift")
	g, err := newEchoGeneric(mainPath, map[string]string{
		mainPath:                          missingIDL,
		filepath.Join(dir, "echo.thrift"): string(echoIDL),
	})
	if err != nil {
		return nil, err
	}
	return newClient(addr, v, g, opts)
}

func newClient(addr string, v Variant, g generic.Generic, extra []client.Option) (*Client, error) {
	quietKitex()
	tp, err := v.protocol()
	if err != nil {
		return nil, err
	}
	opts := []client.Option{
		client.WithHostPorts(addr),
		// Clears the Framed default (and genericclient's TTHeaderStreaming) before choosing the variant.
		client.WithTransportProtocol(transport.PurePayload),
		client.WithTransportProtocol(tp),
		client.WithMetaHandler(transmeta.ClientTTHeaderHandler),
		client.WithClientBasicInfo(&rpcinfo.EndpointBasicInfo{ServiceName: ClientServiceName}),
		client.WithRPCTimeout(RPCTimeout),
		client.WithConnectTimeout(ConnectTimeout),
	}
	opts = append(opts, extra...)
	cli, err := genericclient.NewClient("Echo", g, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{variant: v, cli: cli}, nil
}

// Variant returns the variant the client speaks.
func (c *Client) Variant() Variant { return c.variant }

// Echo calls Echo with req (Request's fields by IDL name; JSON-encodable values) and returns the
// Response as a map ("message" string, "meta" map[string]any). A thrown EchoError comes back as the
// error Kitex's generic client makes of it; see AsEchoError.
func (c *Client) Echo(ctx context.Context, req map[string]any) (map[string]any, error) {
	body, err := orderedJSON(req, requestFields)
	if err != nil {
		return nil, err
	}
	resp, err := c.Call(ctx, "Echo", body)
	if err != nil {
		return nil, err
	}
	return decodeJSONMap(resp)
}

// Notify calls the oneway method Notify; it returns once Kitex has written the request.
func (c *Client) Notify(ctx context.Context, req map[string]any) error {
	body, err := orderedJSON(req, requestFields)
	if err != nil {
		return err
	}
	_, err = c.Call(ctx, "Notify", body)
	return err
}

// CallMissing calls Missing, which only a client from NewMissingClient knows; the server has no such
// method, so an error always comes back.
func (c *Client) CallMissing(ctx context.Context, req map[string]any) error {
	body, err := orderedJSON(req, requestFields)
	if err != nil {
		return err
	}
	resp, err := c.Call(ctx, "Missing", body)
	if err == nil {
		return fmt.Errorf("kitexpeer: Missing unexpectedly answered %q", resp)
	}
	return err
}

// Call makes a raw JSON generic call: the request is the JSON text of the method's argument struct,
// the response the JSON text of its result (or "" for oneway). The error is Kitex's own.
func (c *Client) Call(ctx context.Context, method, jsonRequest string) (string, error) {
	if _, ok := ctx.Deadline(); !ok {
		return "", errors.New("kitexpeer: context has no deadline")
	}
	resp, err := c.cli.GenericCall(ctx, method, jsonRequest)
	if err != nil {
		return "", err
	}
	switch r := resp.(type) {
	case string:
		return r, nil
	case nil, descriptor.Void:
		return "", nil
	default:
		return "", fmt.Errorf("kitexpeer: %s returned %T", method, resp)
	}
}

// Close releases the client.
func (c *Client) Close() error { return c.cli.Close() }

// newEchoGeneric parses service Echo with dynamicgo: from the IDL file when files is nil, else from
// files (path → content; mainPath among them). dynamicgo keeps the JSON field order on the wire, so
// payloads are deterministic.
func newEchoGeneric(mainPath string, files map[string]string) (generic.Generic, error) {
	// Kitex's dynamicgo providers register annotation mappers in an unguarded global map.
	parseMu.Lock()
	defer parseMu.Unlock()
	popts := []generic.ThriftIDLProviderOption{generic.WithIDLServiceName("Echo")}
	var (
		p   generic.DescriptorProvider
		err error
	)
	if files == nil {
		p, err = generic.NewThriftFileProviderWithDynamicgoWithOption(IDLPath(), popts)
	} else {
		p, err = generic.NewThriftContentWithAbsIncludePathProviderWithDynamicGo(mainPath, files, popts...)
	}
	if err != nil {
		return nil, fmt.Errorf("kitexpeer: parse IDL: %w", err)
	}
	return generic.JSONThriftGeneric(p)
}

var (
	parseMu   sync.Mutex
	quietOnce sync.Once
)

// quietKitex drops Kitex's info logs (one line per server start and per connection event).
func quietKitex() { quietOnce.Do(func() { klog.SetLevel(klog.LevelWarn) }) }
