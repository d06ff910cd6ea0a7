package testgen_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/server"
	"github.com/ternhq/tern/framework/tool/internal/testgen/base"
	"github.com/ternhq/tern/framework/tool/internal/testgen/everything"
	"github.com/ternhq/tern/framework/tool/internal/testgen/everything/adminservice"
)

// admin implements everything.Admin, which extends everything.Store, which extends base.BaseService
// of the included file.
type admin struct{ events chan string }

func (h *admin) Ping(_ context.Context, msg string) (string, error) { return "pong " + msg, nil }
func (h *admin) Fire(_ context.Context, id base.ID) error           { h.events <- "fire " + id; return nil }
func (h *admin) Notify(_ context.Context, event string) error       { h.events <- event; return nil }
func (h *admin) Count(context.Context) (int64, error)               { return -42, nil }
func (h *admin) Reset(context.Context, bool) error                  { return nil }

func (h *admin) Echo(_ context.Context, e *everything.Everything) (*everything.Everything, error) {
	switch e.AString {
	case "fail":
		return nil, &everything.Failure{Message: "failed", Code: 3}
	case "missing":
		return nil, &base.NotFound{What: "thing"}
	case "undeclared":
		return nil, errors.New("not in the IDL")
	}
	return e, nil
}

func (h *admin) Put(_ context.Context, key int64, _ []*everything.Point, _ map[string]everything.Color) error {
	if key < 0 {
		return &everything.Failure{Message: "negative key"}
	}
	return nil
}

func (h *admin) Points(_ context.Context, c *everything.Choice, d *everything.Defaults) ([]*everything.Point, error) {
	return []*everything.Point{c.Point, d.Where}, nil
}

func (h *admin) Prices(_ context.Context, ids []everything.ItemID) (map[string]*base.Money, error) {
	out := map[string]*base.Money{}
	for i, id := range ids {
		out[id] = &base.Money{Units: int64(i)}
	}
	return out, nil
}

func (h *admin) Pick(_ context.Context, a everything.Color, _ everything.Level) (everything.Color, error) {
	return a, nil
}
func (h *admin) Raw(_ context.Context, data []byte) ([]byte, error) { return append(data, '!'), nil }
func (h *admin) Pay(_ context.Context, w everything.Wallet) (*everything.Coins, error) {
	return w[0], nil
}

func (h *admin) Check(_ context.Context, id base.ID) (base.Status, error) {
	if id == "nope" {
		return 0, &base.NotFound{What: id, Code: 404}
	}
	return base.Status_ACTIVE, nil
}

func (h *admin) Keywords(_ context.Context, typ, ctx string, err int32, everything string) (string, error) {
	return typ + ctx + everything, nil
}

// named returns an empty Everything with a_string set. (A nil Cash would be written as an empty
// base.Money, which lacks its required units: the server would reject the call, as Kitex does.)
func named(s string) *everything.Everything {
	e := empty()
	e.AString = s
	return e
}

func startAdmin(t *testing.T) (adminservice.Client, *admin) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &admin{events: make(chan string, 8)}
	svr := adminservice.NewServer(h, server.WithListener(ln), server.WithExitWaitTime(time.Second),
		server.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err := svr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svr.Stop() })
	cli := adminservice.MustNewClient("admin", client.WithHostPorts(ln.Addr().String()))
	t.Cleanup(func() { _ = cli.Close() })
	return cli, h
}

// The generated client and server glue over a loopback server: inherited methods, declared
// exceptions, scalar, container, typedef and void results, and oneway calls.
func TestServiceEndToEnd(t *testing.T) {
	cli, h := startAdmin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if s, err := cli.Ping(ctx, "hi"); err != nil || s != "pong hi" {
		t.Fatalf("Ping (inherited across the include) = %q, %v", s, err)
	}
	in := full()
	if out, err := cli.Echo(ctx, in); err != nil || !equalEverything(in, out) {
		t.Fatalf("Echo = %v, %v", out, err)
	}
	var failure *everything.Failure
	if _, err := cli.Echo(ctx, named("fail")); !errors.As(err, &failure) || failure.Code != 3 {
		t.Fatalf("Echo fail = %v, want *Failure code 3", err)
	}
	var notFound *base.NotFound
	if _, err := cli.Echo(ctx, named("missing")); !errors.As(err, &notFound) || notFound.What != "thing" {
		t.Fatalf("Echo missing = %v, want *base.NotFound", err)
	}
	if _, err := cli.Echo(ctx, named("undeclared")); err == nil || errors.As(err, &failure) {
		t.Fatalf("Echo undeclared = %v, want a non-IDL error", err)
	}
	if err := cli.Put(ctx, -1, nil, nil); !errors.As(err, &failure) || failure.Message != "negative key" {
		t.Fatalf("Put = %v, want *Failure", err)
	}
	if err := cli.Put(ctx, 1, []*everything.Point{{}}, map[string]everything.Color{"a": everything.Color_RED}); err != nil {
		t.Fatalf("Put = %v", err)
	}
	checkResults(ctx, t, cli)
	if err := cli.Notify(ctx, "event"); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if err := cli.Fire(ctx, "x"); err != nil {
		t.Fatalf("Fire: %v", err)
	}
	for _, want := range []string{"event", "fire x"} {
		select {
		case got := <-h.events:
			if got != want {
				t.Fatalf("oneway delivered %q, want %q", got, want)
			}
		case <-ctx.Done():
			t.Fatalf("oneway %q not delivered", want)
		}
	}
}

func checkResults(ctx context.Context, t *testing.T, cli adminservice.Client) {
	if n, err := cli.Count(ctx); err != nil || n != -42 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	pts, err := cli.Points(ctx, &everything.Choice{Point: &everything.Point{X: 7}}, everything.NewDefaults())
	if err != nil || len(pts) != 2 || pts[0].X != 7 || pts[1].GetLabel() != "here" {
		t.Fatalf("Points = %v, %v", pts, err)
	}
	if prices, err := cli.Prices(ctx, []everything.ItemID{"a", "b"}); err != nil || prices["b"].Units != 1 {
		t.Fatalf("Prices = %v, %v", prices, err)
	}
	if c, err := cli.Pick(ctx, everything.Color_BLUE, everything.Level_HIGH); err != nil || c != everything.Color_BLUE {
		t.Fatalf("Pick = %v, %v", c, err)
	}
	if b, err := cli.Raw(ctx, []byte{0, 1}); err != nil || !reflect.DeepEqual(b, []byte{0, 1, '!'}) {
		t.Fatalf("Raw = %v, %v", b, err)
	}
	if c, err := cli.Pay(ctx, everything.Wallet{{Units: 5, Currency: "EUR"}}); err != nil || c.Units != 5 {
		t.Fatalf("Pay = %v, %v", c, err)
	}
	var notFound *base.NotFound
	if _, err := cli.Check(ctx, "nope"); !errors.As(err, &notFound) || notFound.GetCode() != 404 {
		t.Fatalf("Check = %v, want *base.NotFound", err)
	}
	if s, err := cli.Keywords(ctx, "t", "c", 1, "e"); err != nil || s != "tce" {
		t.Fatalf("Keywords = %q, %v", s, err)
	}
	if err := cli.Reset(ctx, true); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if info := adminservice.NewServiceInfo(); len(info.Methods) != 14 || info.Method("Fire") == nil || !info.Method("Fire").Oneway {
		t.Fatalf("service info methods: %v", info.MethodNames())
	}
}
