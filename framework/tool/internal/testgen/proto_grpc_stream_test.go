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
	itempb "github.com/ternhq/tern/framework/tool/internal/testgen/proto/shop/item"
	"github.com/ternhq/tern/framework/transport"
)

// recvAll receives until io.EOF and returns what arrived, failing the test on any other error.
func recvAll[T proto.Message](t *testing.T, recv func() (T, error)) []proto.Message {
	t.Helper()
	var out []proto.Message
	for {
		m, err := recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		out = append(out, m)
	}
}

func equalMessages(t *testing.T, got, want []proto.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("received %v, want %v", got, want)
	}
	for i := range got {
		if !proto.Equal(got[i], want[i]) {
			t.Errorf("message %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// The generated typed streams, client and server side, over gRPC on a loopback server: client
// streaming (Send, CloseAndRecv / Recv, SendAndClose), server streaming (the request sent and the
// send side closed by the client method; Send / Recv until io.EOF) and bidi streaming.
func TestProtoStreamsEndToEnd(t *testing.T) {
	cli := startShop(t, client.WithTransportProtocol(transport.GRPC))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t.Run("Import", func(t *testing.T) {
		s, err := cli.Import(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range []*itempb.Item{{Id: 1, Title: "a"}, {Id: 2}, {Id: 3, Title: "c"}} {
			if err := s.Send(it); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
		sum, err := s.CloseAndRecv()
		if want := (&itempb.ImportSummary{Imported: 2, Failed: []string{"2"}}); err != nil || !proto.Equal(sum, want) {
			t.Fatalf("CloseAndRecv = %v, %v; want %v", sum, err, want)
		}
	})
	t.Run("Watch", func(t *testing.T) {
		s, err := cli.Watch(ctx, &itempb.WatchReq{Ids: []int64{7, 8, 9}})
		if err != nil {
			t.Fatal(err)
		}
		equalMessages(t, recvAll(t, s.Recv), []proto.Message{&itempb.Item{Id: 7}, &itempb.Item{Id: 8}, &itempb.Item{Id: 9}})
	})
	t.Run("Sync", func(t *testing.T) {
		s, err := cli.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, title := range []string{"x", "y"} { // one request, one response, in turn
			if err := s.Send(wrapperspb.String(title)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			it, err := s.Recv()
			if err != nil || it.GetTitle() != title {
				t.Fatalf("Recv = %v, %v; want title %q", it, err, title)
			}
		}
		if err := s.CloseSend(); err != nil {
			t.Fatal(err)
		}
		equalMessages(t, recvAll(t, s.Recv), nil)
	})
}
