package testgen_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ternhq/tern/framework/codec/protobuf"
	"github.com/ternhq/tern/framework/serviceinfo"
	"github.com/ternhq/tern/framework/streaming"
	"github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/base"
	itempb "github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/item"
	"github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/item/adminservice"
	"github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/item/itemservice"
)

// shop implements itempb.ItemService: the unary methods answer from the request, the streaming ones
// count, echo and translate what they receive.
type shop struct{}

var _ itempb.ItemService = shop{}

var errBadLimit = errors.New("bad limit")

func (shop) ListItems(_ context.Context, req *itempb.ListItemsReq) (*itempb.ListItemsResp, error) {
	switch limit := req.GetPage().GetLimit(); {
	case limit < 0:
		return nil, errBadLimit
	case limit == 0:
		return nil, nil // no response: the client gets an empty one
	default:
		resp := &itempb.ListItemsResp{}
		for i := range limit {
			resp.Items = append(resp.Items, &itempb.Item{Id: int64(req.Page.Offset + i)})
		}
		return resp, nil
	}
}

func (shop) Clear(context.Context, *base.Page) (*emptypb.Empty, error) { return &emptypb.Empty{}, nil }

func (shop) Import(stream itempb.ItemService_ImportServer) error {
	sum := &itempb.ImportSummary{}
	for {
		it, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(sum)
		}
		if err != nil {
			return err
		}
		if it.GetTitle() == "" {
			sum.Failed = append(sum.Failed, fmt.Sprint(it.GetId()))
			continue
		}
		sum.Imported++
	}
}

func (shop) Watch(req *itempb.WatchReq, stream itempb.ItemService_WatchServer) error {
	for _, id := range req.GetIds() {
		if err := stream.Send(&itempb.Item{Id: id}); err != nil {
			return err
		}
	}
	return nil
}

func (shop) Sync(stream itempb.ItemService_SyncServer) error {
	for {
		title, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(&itempb.Item{Title: title.GetValue()}); err != nil {
			return err
		}
	}
}

func TestProtoServiceInfo(t *testing.T) {
	info := itemservice.NewServiceInfo()
	if info.ServiceName != "ItemService" || info.PackageName != "shop.item" || info.PayloadCodec != serviceinfo.Protobuf {
		t.Fatalf("service info %q %q %v", info.ServiceName, info.PackageName, info.PayloadCodec)
	}
	if _, ok := info.HandlerType.(*itempb.ItemService); !ok {
		t.Errorf("HandlerType is %T, want *itempb.ItemService", info.HandlerType)
	}
	if got := adminservice.NewServiceInfo().ServiceName; got != "Admin" {
		t.Errorf("adminservice ServiceName = %q", got)
	}
	tests := []struct {
		method     string
		mode       streaming.Mode
		idempotent bool
	}{
		{"ListItems", streaming.None, true},
		{"Clear", streaming.None, false},
		{"Import", streaming.ClientStreaming, false},
		{"Watch", streaming.ServerStreaming, false},
		{"Sync", streaming.BidiStreaming, false},
	}
	if len(info.Methods) != len(tests) {
		t.Errorf("methods %v, want %d", info.MethodNames(), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			m := info.Method(tt.method)
			if m == nil || m.Name != tt.method || m.StreamingMode != tt.mode || m.Idempotent != tt.idempotent {
				t.Fatalf("method %+v", m)
			}
			unary := tt.mode == streaming.None
			if (m.Handler != nil) != unary || (m.NewArgs != nil) != unary || (m.NewResult != nil) != unary ||
				(m.StreamHandler != nil) == unary {
				t.Errorf("%s: Handler, NewArgs, NewResult set %t %t %t, StreamHandler %t",
					tt.method, m.Handler != nil, m.NewArgs != nil, m.NewResult != nil, m.StreamHandler != nil)
			}
		})
	}
}

// setBody stores msg in a generated argument or result wrapper.
func setBody(t *testing.T, body any, msg proto.Message) {
	t.Helper()
	switch b := body.(type) {
	case *itemservice.ListItemsArgs:
		b.Req = msg.(*itempb.ListItemsReq)
	case *itemservice.ListItemsResult:
		b.Success = msg.(*itempb.ListItemsResp)
	case *itemservice.ClearArgs:
		b.Req = msg.(*base.Page)
	case *itemservice.ClearResult:
		b.Success = msg.(*emptypb.Empty)
	case *adminservice.PingResult:
		b.Success = msg.(*wrapperspb.StringValue)
	default:
		t.Fatalf("unexpected body %T", body)
	}
}

// The wrappers through the Kitex Protobuf codec: Message() is encoded, a fresh wrapper's
// MessageToDecode() is decoded into, and the message comes back equal; an unset message is sent as
// an empty one.
func TestProtoBodyRoundTrip(t *testing.T) {
	items := &itempb.ListItemsResp{Items: []*itempb.Item{{Id: 1, Title: "mug", Tags: []string{"a"}}}}
	tests := []struct {
		name string
		new  func() any
		msg  proto.Message // nil: leave the wrapper unset
		want proto.Message
	}{
		{"ListItemsArgs", itemservice.NewServiceInfo().Method("ListItems").NewArgs,
			&itempb.ListItemsReq{Page: &base.Page{Offset: 2, Limit: 3}}, nil},
		{"ListItemsResult", itemservice.NewServiceInfo().Method("ListItems").NewResult, items, nil},
		{"ClearArgs", itemservice.NewServiceInfo().Method("Clear").NewArgs, &base.Page{Limit: 9}, nil},
		{"ClearResult", itemservice.NewServiceInfo().Method("Clear").NewResult, &emptypb.Empty{}, nil},
		{"PingResult", adminservice.NewServiceInfo().Method("Ping").NewResult, wrapperspb.String("pong"), nil},
		{"unset ListItemsArgs", itemservice.NewServiceInfo().Method("ListItems").NewArgs, nil, &itempb.ListItemsReq{}},
		{"unset ClearResult", itemservice.NewServiceInfo().Method("Clear").NewResult, nil, &emptypb.Empty{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.new().(protobuf.Body)
			want := tt.want
			if tt.msg != nil {
				setBody(t, in, tt.msg)
				want = tt.msg
			} else if in.Message() != nil {
				t.Fatalf("Message() of an unset wrapper = %v, want nil", in.Message())
			}
			b := make([]byte, protobuf.MessageSize("M", in.Message()))
			if _, err := protobuf.EncodeMessage(b, "M", protobuf.CALL, 1, in.Message()); err != nil {
				t.Fatal(err)
			}
			out := tt.new().(protobuf.Body)
			if _, _, _, err := protobuf.DecodeMessage(b, out.MessageToDecode()); err != nil {
				t.Fatal(err)
			}
			if got := out.Message(); got == nil || !proto.Equal(got, want) {
				t.Fatalf("decoded %v, want %v", got, want)
			}
			if first, again := out.MessageToDecode(), out.MessageToDecode(); first != again {
				t.Error("MessageToDecode allocated a second message")
			}
		})
	}
}

func TestProtoGetters(t *testing.T) {
	var args itemservice.ListItemsArgs
	var result itemservice.ListItemsResult
	if args.GetReq() == nil || result.GetSuccess() == nil {
		t.Fatal("getters of unset wrappers returned nil")
	}
	if args.Req != nil || result.Success != nil {
		t.Error("getters set the wrappers' fields")
	}
	req, resp := &itempb.ListItemsReq{}, &itempb.ListItemsResp{}
	args.Req, result.Success = req, resp
	if args.GetReq() != req || result.GetSuccess() != resp {
		t.Error("getters did not return the messages set")
	}
}

// The unary server glue: the handler gets the request (an empty one when the wrapper is unset) and
// its response lands in the result.
func TestProtoUnaryHandler(t *testing.T) {
	m := itemservice.NewServiceInfo().Method("ListItems")
	tests := []struct {
		name  string
		req   *itempb.ListItemsReq
		items int
		err   error
	}{
		{"two items", &itempb.ListItemsReq{Page: &base.Page{Limit: 2}}, 2, nil},
		{"unset request", nil, 0, nil},
		{"handler error", &itempb.ListItemsReq{Page: &base.Page{Limit: -1}}, 0, errBadLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, result := m.NewArgs().(*itemservice.ListItemsArgs), m.NewResult().(*itemservice.ListItemsResult)
			args.Req = tt.req
			err := m.Handler(context.Background(), shop{}, args, result)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Handler = %v, want %v", err, tt.err)
			}
			if got := len(result.GetSuccess().GetItems()); got != tt.items {
				t.Errorf("%d items, want %d", got, tt.items)
			}
		})
	}
}
