package testgen_test

import (
	"strconv"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/tool/internal/testgen/base"
	"github.com/ternhq/tern/framework/tool/internal/testgen/everything"
)

// newOrder returns the mid-size struct of the benchmarks: a nested struct, a list of 10 structs that
// nest another, a map, strings and binary (about 1 KB encoded).
func newOrder() *everything.Order {
	o := &everything.Order{
		Id:         1234567890,
		Customer:   "Ada Lovelace <ada@example.com>",
		ShipTo:     &everything.Point{X: 48, Y: 2, Label: ptr("Paris")},
		Attributes: map[string]string{},
		Signature:  make([]byte, 64),
		Note:       ptr("leave at the door"),
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
	for i := range 5 {
		o.Attributes["key-"+strconv.Itoa(i)] = "value-" + strconv.Itoa(i)
	}
	return o
}

// Encoding allocates nothing but the output buffer.
func TestEncodeAllocations(t *testing.T) {
	o := newOrder()
	if n := testing.AllocsPerRun(100, func() { _ = thrift.Marshal(o) }); n > 1 {
		t.Fatalf("Marshal allocates %v times, want at most 1 (the buffer)", n)
	}
	buf := make([]byte, o.BLength())
	if n := testing.AllocsPerRun(100, func() { o.FastWrite(buf) }); n != 0 {
		t.Fatalf("FastWrite into a buffer allocates %v times, want 0", n)
	}
}

func BenchmarkOrderEncode(b *testing.B) {
	o := newOrder()
	b.SetBytes(int64(o.BLength()))
	b.ReportAllocs()
	for b.Loop() {
		_ = thrift.Marshal(o)
	}
}

func BenchmarkOrderEncodeReuse(b *testing.B) {
	o := newOrder()
	buf := make([]byte, o.BLength())
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:o.BLength()]
		o.FastWrite(buf)
	}
}

func BenchmarkOrderDecode(b *testing.B) {
	buf := thrift.Marshal(newOrder())
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := everything.NewOrder().FastRead(buf); err != nil {
			b.Fatal(err)
		}
	}
}
