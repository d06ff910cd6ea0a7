package testgen_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/endpoint"
	"github.com/ternhq/tern/framework/metadata"
	"github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/base"
	itempb "github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/item"
	"github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/item/itemservice"
)

// fakeStream is a streaming.ServerStream in memory: RecvMsg decodes the encoded in messages one by
// one, then returns recvErr (io.EOF when nil); SendMsg records copies of what it is given.
type fakeStream struct {
	ctx     context.Context
	in      [][]byte
	recvErr error
	out     []proto.Message
}

func newFakeStream(t *testing.T, in ...proto.Message) *fakeStream {
	t.Helper()
	s := &fakeStream{ctx: context.Background()}
	for _, m := range in {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		s.in = append(s.in, b)
	}
	return s
}

func (s *fakeStream) Context() context.Context { return s.ctx }

func (s *fakeStream) RecvMsg(m any) error {
	if len(s.in) == 0 {
		if s.recvErr != nil {
			return s.recvErr
		}
		return io.EOF
	}
	b := s.in[0]
	s.in = s.in[1:]
	return proto.Unmarshal(b, m.(proto.Message))
}

func (s *fakeStream) SendMsg(m any) error {
	s.out = append(s.out, proto.Clone(m.(proto.Message)))
	return nil
}

func (s *fakeStream) SetHeader(metadata.MD) error  { return nil }
func (s *fakeStream) SendHeader(metadata.MD) error { return nil }
func (s *fakeStream) SetTrailer(metadata.MD)       {}

// The streaming server glue: each handler gets its typed stream (and for server streaming the
// request, read first), and what it sends reaches the stream.
func TestProtoStreamHandlers(t *testing.T) {
	errBroken := errors.New("broken stream")
	tests := []struct {
		name    string
		method  string
		in      []proto.Message
		recvErr error
		want    []proto.Message
		err     error
	}{
		{name: "Import", method: "Import", in: []proto.Message{&itempb.Item{Id: 1, Title: "a"}, &itempb.Item{Id: 2}, &itempb.Item{Id: 3, Title: "c"}},
			want: []proto.Message{&itempb.ImportSummary{Imported: 2, Failed: []string{"2"}}}},
		{name: "Import broken", method: "Import", recvErr: errBroken, err: errBroken},
		{name: "Watch", method: "Watch", in: []proto.Message{&itempb.WatchReq{Ids: []int64{4, 5}}},
			want: []proto.Message{&itempb.Item{Id: 4}, &itempb.Item{Id: 5}}},
		{name: "Watch without request", method: "Watch", recvErr: errBroken, err: errBroken},
		{name: "Sync", method: "Sync", in: []proto.Message{wrapperspb.String("x"), wrapperspb.String("y")},
			want: []proto.Message{&itempb.Item{Title: "x"}, &itempb.Item{Title: "y"}}},
		{name: "Sync broken", method: "Sync", recvErr: errBroken, err: errBroken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeStream(t, tt.in...)
			s.recvErr = tt.recvErr
			err := itemservice.NewServiceInfo().Method(tt.method).StreamHandler(shop{}, s)
			if !errors.Is(err, tt.err) {
				t.Fatalf("StreamHandler = %v, want %v", err, tt.err)
			}
			if len(s.out) != len(tt.want) {
				t.Fatalf("sent %v, want %v", s.out, tt.want)
			}
			for i := range s.out {
				if !proto.Equal(s.out[i], tt.want[i]) {
					t.Errorf("sent[%d] = %v, want %v", i, s.out[i], tt.want[i])
				}
			}
		})
	}
}

// stubClient returns a client whose calls a middleware answers without a server: it records the
// request wrapper and fills the result with resp (leaving it unset when resp is nil) or fails with err.
func stubClient(t *testing.T, resp *itempb.ListItemsResp, err error, seen *any) itemservice.Client {
	t.Helper()
	mw := func(endpoint.Endpoint) endpoint.Endpoint {
		return func(_ context.Context, req, result any) error {
			*seen = req
			if resp != nil {
				result.(*itemservice.ListItemsResult).Success = resp
			}
			return err
		}
	}
	cli, cerr := itemservice.NewClient("shop", client.WithMiddleware(mw), client.WithHostPorts("127.0.0.1:1"))
	if cerr != nil {
		t.Fatal(cerr)
	}
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}

// The unary client glue: the request travels in ListItemsArgs, the response comes from
// ListItemsResult, a missing response comes back as an empty message, and errors pass through.
func TestProtoUnaryClient(t *testing.T) {
	errDown := errors.New("down")
	items := &itempb.ListItemsResp{Items: []*itempb.Item{{Id: 8}}}
	tests := []struct {
		name  string
		resp  *itempb.ListItemsResp
		err   error
		items int
	}{
		{"response", items, nil, 1},
		{"no response", nil, nil, 0},
		{"error", items, errDown, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen any
			cli := stubClient(t, tt.resp, tt.err, &seen)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			req := &itempb.ListItemsReq{Page: &base.Page{Limit: 1}}
			got, err := cli.ListItems(ctx, req)
			if args, ok := seen.(*itemservice.ListItemsArgs); !ok || args.Req != req {
				t.Fatalf("the endpoint got %#v, want the request in *ListItemsArgs", seen)
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("ListItems = %v, want %v", err, tt.err)
			}
			if tt.err != nil {
				if got != nil {
					t.Errorf("ListItems returned %v with an error", got)
				}
				return
			}
			if got == nil || len(got.GetItems()) != tt.items {
				t.Fatalf("ListItems = %v, want %d items", got, tt.items)
			}
		})
	}
}

// Opening a stream over a transport without streams fails with the client's error and no stream.
func TestProtoStreamClientError(t *testing.T) {
	var seen any
	cli := stubClient(t, nil, nil, &seen)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s, err := cli.Watch(ctx, &itempb.WatchReq{}); err == nil || s != nil {
		t.Errorf("Watch = %v, %v; want an error", s, err)
	}
	if s, err := cli.Import(ctx); err == nil || s != nil {
		t.Errorf("Import = %v, %v; want an error", s, err)
	}
	if s, err := cli.Sync(ctx); err == nil || s != nil {
		t.Errorf("Sync = %v, %v; want an error", s, err)
	}
}
