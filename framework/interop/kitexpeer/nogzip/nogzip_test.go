// Package nogzip_test calls a Kitex v0.16.3 gRPC server as a default Kitex application runs it: with
// no gzip compressor registered. It is a test binary of its own because registering Kitex's gzip
// compressor (as the interop tests do) is process-wide and cannot be undone.
package nogzip_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cloudwego/kitex/pkg/remote/codec/protobuf/encoding"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/interop/kitexpeer"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb"
	"github.com/ternhq/tern/framework/interop/kitexpeer/echopb/echoservice"
	"github.com/ternhq/tern/framework/rpcerr"
	"github.com/ternhq/tern/framework/transport"
	"github.com/ternhq/tern/framework/transport/grpc"
)

// ternEcho calls Echo at addr with a Tern gRPC client configured by cfg.
func ternEcho(ctx context.Context, addr string, cfg grpc.Config, req *echopb.Request) (*echopb.Response, error) {
	c, err := echoservice.NewClient(kitexpeer.PBServiceName, client.WithHostPorts(addr),
		client.WithTransportProtocol(transport.GRPC), client.WithConnectTimeout(time.Second), client.WithGRPCConfig(cfg))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Echo(ctx, req)
}

// TestDefaultKitexServer: a default Kitex server answers a Kitex gRPC client, and must answer a Tern
// gRPC client that does not compress its requests. Kitex v0.16.3's server takes the request's
// grpc-accept-encoding value as the compressor of its reply (nphttp2/grpc http2_server.go:
// sendCompress = acceptEncoding) and, without that compressor registered, fails the call with
// INTERNAL "no kitex compressor registered found for:gzip". So a Tern client that does not compress
// must not announce gzip (it did until commit e77cd41).
func TestDefaultKitexServer(t *testing.T) {
	if encoding.GetCompressor("gzip") != nil {
		t.Fatal("Kitex's gzip compressor is registered in this binary; the test needs a default Kitex")
	}
	srv := kitexpeer.StartPBServer(t, "")
	tests := []struct {
		name string
		call func(ctx context.Context, req *echopb.Request) (*echopb.Response, error)
	}{
		{"kitex_client", func(ctx context.Context, req *echopb.Request) (*echopb.Response, error) {
			c, err := kitexpeer.NewPBClient(srv.Addr(), kitexpeer.PBGRPC, nil)
			if err != nil {
				return nil, err
			}
			defer c.Close()
			return c.Echo(ctx, req)
		}},
		{"tern_client", func(ctx context.Context, req *echopb.Request) (*echopb.Response, error) {
			return ternEcho(ctx, srv.Addr(), grpc.DefaultConfig(), req)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			resp, err := tt.call(ctx, &echopb.Request{Message: "plain"})
			if err != nil || resp.GetMessage() != "plain" {
				t.Errorf("Echo over gRPC to a default Kitex server = %v, %v; want message \"plain\"", resp, err)
			}
		})
	}
}

// TestDefaultKitexServerGzipRequest: a Tern client that compresses cannot call a default Kitex server,
// which has no gzip decompressor: the call fails with INTERNAL naming the missing compressor. (This pins
// down Kitex's behaviour, so that the interop tests' gzip cases are known to need Kitex's gzip package.)
func TestDefaultKitexServerGzipRequest(t *testing.T) {
	srv := kitexpeer.StartPBServer(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := grpc.DefaultConfig()
	cfg.SendCompression = "gzip"
	resp, err := ternEcho(ctx, srv.Addr(), cfg, &echopb.Request{Message: "gz"})
	var re *rpcerr.Error
	if !errors.As(err, &re) || re.Code() != rpcerr.CodeInternal ||
		!strings.Contains(re.Message(), "no kitex compressor registered found for:gzip") {
		t.Errorf("gzip Echo to a default Kitex server = %v, %T %v; want internal, no gzip compressor", resp, err, err)
	}
}
