package endpoint_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/ternhq/tern/framework/endpoint"
)

func TestChainOrder(t *testing.T) {
	var order []string
	mw := func(name string) endpoint.Middleware {
		return func(next endpoint.Endpoint) endpoint.Endpoint {
			return func(ctx context.Context, req, resp any) error {
				order = append(order, name+">")
				err := next(ctx, req, resp)
				order = append(order, "<"+name)
				return err
			}
		}
	}
	sentinel := errors.New("end")
	final := func(ctx context.Context, req, resp any) error {
		order = append(order, "end")
		return sentinel
	}
	err := endpoint.Chain(mw("a"), mw("b"))(final)(context.Background(), nil, nil)
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want the endpoint's error", err)
	}
	want := []string{"a>", "b>", "end", "<b", "<a"}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("order = %v, want %v", order, want)
	}
}

func TestChainEmpty(t *testing.T) {
	called := false
	e := endpoint.Chain()(func(ctx context.Context, req, resp any) error { called = true; return nil })
	if err := e(context.Background(), nil, nil); err != nil || !called {
		t.Fatalf("empty chain: err=%v called=%v", err, called)
	}
}
