package metainfo_test

import (
	"context"
	"maps"
	"testing"

	"github.com/ternhq/tern/framework/metainfo"
)

func wirePairs(kvs ...string) func(yield func(k, v []byte) bool) {
	return func(yield func(k, v []byte) bool) {
		for i := 0; i+1 < len(kvs); i += 2 {
			if !yield([]byte(kvs[i]), []byte(kvs[i+1])) {
				return
			}
		}
	}
}

func outgoing(ctx context.Context) map[string]string {
	m := map[string]string{}
	metainfo.RangeOutgoing(ctx, func(k, v string) bool { m[k] = v; return true })
	return m
}

func TestTransientAndPersistent(t *testing.T) {
	ctx := context.Background()
	ctx = metainfo.WithValue(ctx, "a", "1")
	ctx = metainfo.WithValue(ctx, "a", "2")
	ctx = metainfo.WithPersistentValue(ctx, "p", "x")
	ctx = metainfo.WithValue(ctx, "", "ignored")
	if v, ok := metainfo.GetValue(ctx, "a"); !ok || v != "2" {
		t.Fatalf("GetValue(a) = %q, %v", v, ok)
	}
	if v, ok := metainfo.GetPersistentValue(ctx, "p"); !ok || v != "x" {
		t.Fatalf("GetPersistentValue(p) = %q, %v", v, ok)
	}
	want := map[string]string{"RPC_TRANSIT_a": "2", "RPC_PERSIST_p": "x"}
	if got := outgoing(ctx); !maps.Equal(got, want) {
		t.Fatalf("outgoing = %v, want %v", got, want)
	}
	ctx2 := metainfo.DelValue(ctx, "a")
	if _, ok := metainfo.GetValue(ctx2, "a"); ok {
		t.Fatal("DelValue left the value")
	}
	if _, ok := metainfo.GetValue(ctx, "a"); !ok {
		t.Fatal("DelValue changed the parent context")
	}
	if metainfo.GetAllPersistentValues(metainfo.DelPersistentValue(ctx, "p")) != nil {
		t.Fatal("DelPersistentValue left the value")
	}
}

func TestIncomingTransientIsNotForwarded(t *testing.T) {
	ctx := metainfo.WithIncoming(context.Background(),
		wirePairs("RPC_TRANSIT_t", "tv", "RPC_PERSIST_p", "pv", "isn", "Echo", "RPC_TRANSIT_", "empty key"))
	if v, _ := metainfo.GetValue(ctx, "t"); v != "tv" {
		t.Fatalf("received transient = %q", v)
	}
	if v, _ := metainfo.GetPersistentValue(ctx, "p"); v != "pv" {
		t.Fatalf("received persistent = %q", v)
	}
	if got, want := outgoing(ctx), map[string]string{"RPC_PERSIST_p": "pv"}; !maps.Equal(got, want) {
		t.Fatalf("forwarded = %v, want %v (transient values go one hop)", got, want)
	}
	if got, want := metainfo.GetAllValues(ctx), map[string]string{"t": "tv"}; !maps.Equal(got, want) {
		t.Fatalf("GetAllValues = %v, want %v", got, want)
	}
	// A value set again in this service is forwarded.
	ctx = metainfo.WithValue(ctx, "t", "again")
	if got := outgoing(ctx)["RPC_TRANSIT_t"]; got != "again" {
		t.Fatalf("re-set transient not forwarded: %q", got)
	}
	plain := context.Background()
	if metainfo.WithIncoming(plain, wirePairs("isn", "Echo")) != plain {
		t.Fatal("WithIncoming without metainfo keys should return ctx unchanged")
	}
}

func TestBackward(t *testing.T) {
	server := metainfo.WithBackwardValuesToSend(context.Background())
	if !metainfo.SendBackwardValue(server, "b", "1") {
		t.Fatal("SendBackwardValue refused in a server context")
	}
	if metainfo.SendBackwardValue(context.Background(), "b", "1") {
		t.Fatal("SendBackwardValue accepted without a server context")
	}
	client := metainfo.WithBackwardValues(context.Background())
	metainfo.RangeBackwardToSend(server, func(k, v string) {
		if !metainfo.SetReceivedBackward(client, k, v) {
			t.Errorf("SetReceivedBackward(%q) refused", k)
		}
	})
	if v, ok := metainfo.RecvBackwardValue(client, "b"); !ok || v != "1" {
		t.Fatalf("RecvBackwardValue = %q, %v", v, ok)
	}
	if got := metainfo.RecvAllBackwardValues(client); !maps.Equal(got, map[string]string{"b": "1"}) {
		t.Fatalf("RecvAllBackwardValues = %v", got)
	}
	if metainfo.SetReceivedBackward(context.Background(), "b", "1") || metainfo.Receiving(context.Background()) {
		t.Fatal("SetReceivedBackward accepted a context not prepared with WithBackwardValues")
	}
	if !metainfo.Receiving(client) || !metainfo.SetReceivedBackward(client, "RPC_BACKWARD_c", "2") {
		t.Fatal("a prefixed backward key was refused")
	}
	if v, _ := metainfo.RecvBackwardValue(client, "c"); v != "2" {
		t.Fatalf("prefixed backward key stored as %q", v)
	}
}

func TestRangeOutgoingDoesNotAllocate(t *testing.T) {
	ctx := metainfo.WithPersistentValue(metainfo.WithValue(context.Background(), "a", "1"), "p", "2")
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		metainfo.RangeOutgoing(ctx, func(k, v string) bool { n += len(k) + len(v); return true })
	})
	if allocs != 0 {
		t.Fatalf("RangeOutgoing allocates %.0f times", allocs)
	}
}
