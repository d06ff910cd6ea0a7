package metadata_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ternhq/tern/framework/metadata"
)

func TestOutgoingContext(t *testing.T) {
	ctx := context.Background()
	if md, ok := metadata.FromOutgoingContext(ctx); ok || md != nil {
		t.Fatalf("empty context: %v, %v", md, ok)
	}
	a := metadata.AppendToOutgoingContext(ctx, "K", "1")
	b := metadata.AppendToOutgoingContext(a, "k", "2", "other", "x")
	mdA, _ := metadata.FromOutgoingContext(a)
	mdB, _ := metadata.FromOutgoingContext(b)
	if got := mdA.Values("k"); len(got) != 1 || got[0] != "1" {
		t.Errorf("a: %v (appending to a child changed the parent's)", mdA)
	}
	if got := mdB.Values("k"); len(got) != 2 || got[1] != "2" || mdB.Get("other") != "x" {
		t.Errorf("b: %v", mdB)
	}
	c := metadata.NewOutgoingContext(b, metadata.New("only", "y"))
	if mdC, _ := metadata.FromOutgoingContext(c); len(mdC) != 1 || mdC.Get("only") != "y" {
		t.Errorf("NewOutgoingContext does not replace: %v", mdC)
	}
	defer func() {
		if recover() == nil {
			t.Error("an odd number of strings did not panic")
		}
	}()
	metadata.AppendToOutgoingContext(ctx, "k")
}

// call records what a handler sets, as a server transport would.
type call struct {
	in, header, trailer metadata.MD
	sent                bool
}

func (c *call) Header() metadata.MD { return c.in }
func (c *call) SetHeader(md metadata.MD) error {
	if c.sent {
		return errors.New("sent")
	}
	for k, v := range md {
		c.header.Append(k, v...)
	}
	return nil
}
func (c *call) SendHeader(md metadata.MD) error {
	err := c.SetHeader(md)
	c.sent = true
	return err
}
func (c *call) SetTrailer(md metadata.MD) {
	for k, v := range md {
		c.trailer.Append(k, v...)
	}
}

func TestServerContext(t *testing.T) {
	plain := context.Background()
	if _, ok := metadata.FromIncomingContext(plain); ok {
		t.Error("FromIncomingContext outside a call reports one")
	}
	for name, err := range map[string]error{
		"SetHeader":  metadata.SetHeader(plain, metadata.New("a", "1")),
		"SendHeader": metadata.SendHeader(plain, metadata.New("a", "1")),
		"SetTrailer": metadata.SetTrailer(plain, metadata.New("a", "1")),
	} {
		if !errors.Is(err, metadata.ErrNotServerCall) {
			t.Errorf("%s outside a call: %v", name, err)
		}
	}

	c := &call{in: metadata.New("x-in", "v"), header: metadata.MD{}, trailer: metadata.MD{}}
	ctx := metadata.NewServerContext(plain, c)
	if in, ok := metadata.FromIncomingContext(ctx); !ok || in.Get("x-in") != "v" {
		t.Errorf("FromIncomingContext = %v, %v", in, ok)
	}
	if err := metadata.SetHeader(ctx, metadata.New("h", "1")); err != nil {
		t.Fatal(err)
	}
	if err := metadata.SendHeader(ctx, metadata.New("h", "2")); err != nil {
		t.Fatal(err)
	}
	if err := metadata.SetHeader(ctx, metadata.New("h", "3")); err == nil {
		t.Error("SetHeader after SendHeader: no error from the call passed through")
	}
	if err := metadata.SetTrailer(ctx, metadata.New("t", "1")); err != nil {
		t.Fatal(err)
	}
	if got := c.header.Values("h"); len(got) != 2 || c.trailer.Get("t") != "1" {
		t.Errorf("header %v, trailer %v", c.header, c.trailer)
	}
	if got, ok := metadata.ServerCallFromContext(ctx); !ok || got != c {
		t.Errorf("ServerCallFromContext = %v, %v", got, ok)
	}
}
