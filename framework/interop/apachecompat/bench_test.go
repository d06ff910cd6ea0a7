package apachecompat_test

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"testing"

	athrift "github.com/apache/thrift/lib/go/thrift"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/interop/gen/base"
	"github.com/ternhq/tern/framework/interop/gen/everything"
)

// benchOrder returns the mid-size struct of the benchmarks: a nested struct, a list of 10 structs that
// nest another, a map of attrs entries, strings and binary (about 1 KB encoded with 5 attributes).
func benchOrder(attrs int) *everything.Order {
	label, note := "Paris", "leave at the door"
	o := &everything.Order{
		Id:         1234567890,
		Customer:   "Ada Lovelace <ada@example.com>",
		ShipTo:     &everything.Point{X: 48, Y: 2, Label: &label},
		Attributes: map[string]string{},
		Signature:  bytes.Repeat([]byte{0xA5}, 64),
		Note:       &note,
		Color:      everything.Color_GREEN,
	}
	for i := range 10 {
		o.Items = append(o.Items, &everything.LineItem{
			Sku:      "SKU-" + strconv.Itoa(100000+i),
			Quantity: int32(i + 1),
			Price:    &base.Money{Units: int64(999 * (i + 1)), Currency: "EUR"},
			Weight:   0.25 * float64(i),
		})
	}
	for i := range attrs {
		o.Attributes["key-"+strconv.Itoa(i)] = "value-" + strconv.Itoa(i)
	}
	return o
}

// toApache copies a Tern Order into the Apache-style types.
func toApache(o *everything.Order) *apacheOrder {
	a := &apacheOrder{ID: o.Id, Customer: o.Customer, Attributes: o.Attributes, Signature: o.Signature,
		Note: o.Note, Color: o.Color}
	if o.ShipTo != nil {
		a.ShipTo = &apachePoint{X: o.ShipTo.X, Y: o.ShipTo.Y, Label: o.ShipTo.Label}
	}
	for _, it := range o.Items {
		a.Items = append(a.Items, &apacheLineItem{Sku: it.Sku, Quantity: it.Quantity, Weight: it.Weight,
			Price: &apacheMoney{Units: it.Price.Units, Currency: it.Price.Currency}})
	}
	return a
}

func apacheSerialize(t testing.TB, a *apacheOrder) []byte {
	b, err := athrift.NewTSerializer().Write(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The hand-written Apache-style code speaks the same bytes as Tern's generated code: identical with
// one map entry, the same tree with five; each side reads the other's bytes back to the same value.
func TestApacheStyleOrder(t *testing.T) {
	st := mustStruct(reflect.TypeFor[*everything.Order]())
	for _, attrs := range []int{0, 1, 5} {
		t.Run(strconv.Itoa(attrs)+" attributes", func(t *testing.T) {
			o := benchOrder(attrs)
			tern, apache := thrift.Marshal(o), apacheSerialize(t, toApache(o))
			if attrs <= 1 && !bytes.Equal(tern, apache) {
				t.Fatalf("bytes differ:\ntern   %x\napache %x", tern, apache)
			}
			checkSameTree(t, tern, apache)

			var a apacheOrder
			if err := athrift.NewTDeserializer().Read(context.Background(), &a, tern); err != nil {
				t.Fatalf("Apache-style Read of Tern's bytes: %v", err)
			}
			if want := toApache(o); !reflect.DeepEqual(&a, want) {
				t.Errorf("Apache-style Read of Tern's bytes:\n got %+v\nwant %+v", a, *want)
			}
			got := everything.NewOrder()
			if err := thrift.Unmarshal(apache, got); err != nil {
				t.Fatalf("Tern FastRead of Apache-style bytes: %v", err)
			}
			if err := equivalent(st, reflect.ValueOf(o), reflect.ValueOf(got)); err != nil {
				t.Error(err)
			}
		})
	}
}

func checkSameTree(t *testing.T, tern, apache []byte) {
	t.Helper()
	a, err := apacheDecodeTree(tern)
	if err != nil {
		t.Fatalf("Apache reading Tern's bytes: %v", err)
	}
	b, err := apacheDecodeTree(apache)
	if err != nil {
		t.Fatalf("Apache reading its own bytes: %v", err)
	}
	if as, bs := a.String(), b.String(); as != bs {
		t.Fatalf("trees differ %s", firstDiff(as, bs))
	}
}

// Tern's encoder allocates the output buffer and nothing else.
func TestTernOrderEncodeAllocations(t *testing.T) {
	o := benchOrder(5)
	if n := testing.AllocsPerRun(100, func() { _ = thrift.Marshal(o) }); n > 1 {
		t.Fatalf("thrift.Marshal(order) allocates %v times, want at most 1", n)
	}
}

// BenchmarkOrderEncode: Tern's thrift.Marshal (a new exact-size buffer per call) against Apache-style
// Write through a reused TSerializer, which copies its reused buffer out (one allocation, like
// Marshal); its other two allocations are the recursion-depth tracker generated Write methods put in
// the context.
func BenchmarkOrderEncode(b *testing.B) {
	o := benchOrder(5)
	b.Run("tern", func(b *testing.B) {
		b.SetBytes(int64(o.BLength()))
		b.ReportAllocs()
		for b.Loop() {
			_ = thrift.Marshal(o)
		}
	})
	b.Run("apache", func(b *testing.B) {
		a, ser, ctx := toApache(o), athrift.NewTSerializer(), context.Background()
		b.SetBytes(int64(o.BLength()))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ser.Write(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOrderDecode: Tern's FastRead into a new Order against Apache-style Read into a new order
// through a reused TDeserializer. Both copy strings and binaries out of the input.
func BenchmarkOrderDecode(b *testing.B) {
	buf := thrift.Marshal(benchOrder(5))
	b.Run("tern", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := everything.NewOrder().FastRead(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("apache", func(b *testing.B) {
		de, ctx := athrift.NewTDeserializer(), context.Background()
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			if err := de.Read(ctx, &apacheOrder{}, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
