package apachecompat_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	athrift "github.com/apache/thrift/lib/go/thrift"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/interop/gen/everything"
)

// apacheTreeOf returns the tree Apache reads from Tern's encoding of m.
func apacheTreeOf(t *testing.T, m thrift.Message) string {
	t.Helper()
	n, err := apacheDecodeTree(thrift.Marshal(m))
	if err != nil {
		t.Fatalf("Apache cannot read Tern's bytes: %v", err)
	}
	return n.String()
}

// TestApacheDifferences pins down where Tern and Apache's generated code behave differently. None of
// them is a wire incompatibility: Apache reads every byte Tern writes. They are values Apache's
// generated Write refuses and Tern writes anyway, and non-canonical input both accept differently.
func TestApacheDifferences(t *testing.T) {
	t.Run("union with two fields set", func(t *testing.T) {
		c := &everything.Choice{Number: ptr[int32](1), Text: ptr("x")}
		if _, err := apacheEncode(c); !errors.Is(err, errUnionCount) {
			t.Errorf("Apache-style write: %v, want %v", err, errUnionCount)
		}
		if got := apacheTreeOf(t, c); got != "{1:i32(1)}" { // Tern: the first set field in IDL order
			t.Errorf("Tern wrote %s", got)
		}
	})
	t.Run("union with no field set", func(t *testing.T) {
		if _, err := apacheEncode(&everything.Choice{}); !errors.Is(err, errUnionCount) {
			t.Errorf("Apache-style write: %v, want %v", err, errUnionCount)
		}
		if got := apacheTreeOf(t, &everything.Choice{}); got != "{}" {
			t.Errorf("Tern wrote %s", got)
		}
	})
	t.Run("nil union in a default field", func(t *testing.T) {
		e := minimalEverything()
		e.Choice = nil
		if _, err := apacheEncode(e); !errors.Is(err, errNilUnion) {
			t.Errorf("Apache-style write: %v, want %v", err, errNilUnion)
		}
		got := everything.NewEverything()
		if err := thrift.Unmarshal(thrift.Marshal(e), got); err != nil {
			t.Fatal(err)
		}
		if got.Choice == nil || got.Choice.IsSetNumber() || got.Choice.IsSetText() ||
			got.Choice.IsSetPoint() || got.Choice.IsSetWords() {
			t.Errorf("Tern round trip of a nil union: %+v, want an empty union", got.Choice)
		}
	})
	t.Run("duplicate set elements", func(t *testing.T) {
		e := minimalEverything()
		e.Tags = []string{"a", "a"}
		if _, err := apacheEncode(e); !errors.Is(err, errSetUnique) {
			t.Errorf("Apache-style write: %v, want %v", err, errSetUnique)
		}
		got := everything.NewEverything()
		if err := thrift.Unmarshal(thrift.Marshal(e), got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Tags, e.Tags) {
			t.Errorf("Tern round trip: %q, want %q", got.Tags, e.Tags)
		}
	})
	t.Run("nil struct with required fields", func(t *testing.T) {
		// Both write an empty Money, which lacks its required units; both readers refuse it.
		item := &everything.LineItem{Sku: "s"}
		if err := thrift.Unmarshal(thrift.Marshal(item), everything.NewLineItem()); !errors.Is(err, thrift.ErrInvalidData) {
			t.Errorf("Tern read: %v, want ErrInvalidData", err)
		}
		b, err := athrift.NewTSerializer().Write(context.Background(), &apacheLineItem{Sku: "s"})
		if err != nil {
			t.Fatal(err)
		}
		if err := athrift.NewTDeserializer().Read(context.Background(), &apacheLineItem{}, b); err == nil {
			t.Error("Apache-style read of a LineItem with an empty Money succeeded")
		}
	})
	t.Run("bool byte other than 0 and 1", differentBool)
	t.Run("enum beyond i32", enumBeyondI32)
	t.Run("nesting deeper than 64", deepNesting)
}

// A bool byte of 2 is true to Tern (any non-zero byte) and false to Apache (only 1 is true).
func differentBool(t *testing.T) {
	b := []byte{byte(thrift.BOOL), 0, 1, 2, 0} // field 1 (a_bool) = 2, stop
	e := everything.NewEverything()
	if err := thrift.Unmarshal(b, e); err != nil {
		t.Fatal(err)
	}
	n, err := apacheDecodeTree(b)
	if err != nil {
		t.Fatal(err)
	}
	if !e.ABool || n.String() != "{1:bool(false)}" {
		t.Errorf("Tern reads %v, Apache %s; want true and false", e.ABool, n)
	}
}

// Enums are int64 in Go and i32 on the wire: both sides truncate a value beyond i32 the same way.
func enumBeyondI32(t *testing.T) {
	o := benchOrder(0)
	o.Color = everything.Color(1<<32 + 2)
	tern, apache := thrift.Marshal(o), apacheSerialize(t, toApache(o))
	if string(tern) != string(apache) {
		t.Fatal("Tern and Apache-style bytes differ")
	}
	got := everything.NewOrder()
	if err := thrift.Unmarshal(tern, got); err != nil {
		t.Fatal(err)
	}
	if got.Color != 2 {
		t.Errorf("read back %d, want 2 (truncated)", got.Color)
	}
}

// Apache's generated Read and Write, and its Skip, stop at DEFAULT_RECURSION_DEPTH (64) nested
// structs. Tern's thrift.Skip and generated FastRead stop at MaxDepth (64) levels too, counting
// containers as levels as well.
func deepNesting(t *testing.T) {
	b := thrift.Marshal(deepTree(100))
	if err := thrift.Unmarshal(b, everything.NewTree()); !errors.Is(err, thrift.ErrDepthLimit) {
		t.Errorf("Tern's FastRead: %v, want ErrDepthLimit", err)
	}
	if _, err := thrift.Skip(b, thrift.STRUCT); !errors.Is(err, thrift.ErrDepthLimit) {
		t.Errorf("Tern's Skip: %v, want ErrDepthLimit", err)
	}
	buf := athrift.NewTMemoryBuffer()
	buf.Write(b)
	p := athrift.NewTBinaryProtocolConf(buf, &athrift.TConfiguration{})
	err := athrift.SkipDefaultDepth(context.Background(), p, athrift.STRUCT)
	var pe athrift.TProtocolException
	if !errors.As(err, &pe) || pe.TypeId() != athrift.DEPTH_LIMIT {
		t.Errorf("Apache's Skip: %v, want a depth limit error", err)
	}
}
