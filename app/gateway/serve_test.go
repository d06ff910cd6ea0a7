package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ternhq/tern/app/gateway/internal/api"
	"github.com/ternhq/tern/app/gateway/internal/auth"
	"github.com/ternhq/tern/app/gateway/internal/shop"
	"github.com/ternhq/tern/app/gateway/internal/shop/shoptest"
	"github.com/ternhq/tern/framework/platform"
)

// TestServeStopsGracefully: serve answers on its listener and returns nil once its context ends.
func TestServeStopsGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewSigner([]byte("serve-test-secret-0123456789abcdef"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	users, err := auth.NewDirectory(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Config: platform.Config{Server: platform.ServerConfig{ExitWait: 200 * time.Millisecond}}}
	h := api.NewServer(api.Deps{Shop: shop.NewService(shoptest.New(1, 1)), Users: users, Signer: signer,
		Log: slog.New(slog.DiscardHandler)}, serverOptions(cfg, ln)...)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- serve(sctx, h, 200*time.Millisecond) }()

	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+ln.Addr().String()+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("serve did not return after its context ended")
	}
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Error("still listening after serve returned")
	}
}
