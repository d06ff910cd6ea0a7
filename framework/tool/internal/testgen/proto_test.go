package testgen_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ternhq/tern/framework/codec/protobuf"
	"github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/base"
	itempb "github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/item"
)

// TestProtoRoundTrip sends the generated proto messages through the Kitex Protobuf codec.
func TestProtoRoundTrip(t *testing.T) {
	note := "fragile"
	resp := &itempb.ListItemsResp{Items: []*itempb.Item{{
		Id: 7, Title: "mug", Tags: []string{"kitchen", "gift"},
		StockByWarehouse: map[string]int64{"north": 3, "south": 0},
		Status:           itempb.Status_STATUS_ON_SALE,
		CreatedAt:        timestamppb.New(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)),
		Note:             &note,
		Price:            &itempb.Item_Cents{Cents: 1299},
		Images:           []*itempb.Item_Image{{Url: "https://x/mug.png", Thumbnail: []byte{1, 2, 3}}},
	}}}
	req := &itempb.ListItemsReq{Page: &base.Page{Offset: 10, Limit: 20}}
	for _, tt := range []struct {
		typ  protobuf.MessageType
		body proto.Message
	}{{protobuf.CALL, req}, {protobuf.REPLY, resp}} {
		b := make([]byte, protobuf.MessageSize("ListItems", tt.body))
		n, err := protobuf.EncodeMessage(b, "ListItems", tt.typ, 42, tt.body)
		if err != nil || n != len(b) {
			t.Fatalf("EncodeMessage = %d of %d, %v", n, len(b), err)
		}
		got := tt.body.ProtoReflect().New().Interface()
		method, typ, seq, err := protobuf.DecodeMessage(b, got)
		if err != nil || string(method) != "ListItems" || typ != tt.typ || seq != 42 {
			t.Fatalf("DecodeMessage = %q %v %d %v", method, typ, seq, err)
		}
		if !proto.Equal(got, tt.body) {
			t.Fatalf("round trip changed the message:\n got %v\nwant %v", got, tt.body)
		}
	}
}
