package testgen_test

import (
	"bytes"
	"math"
	"reflect"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/tool/internal/testgen/base"
	"github.com/ternhq/tern/framework/tool/internal/testgen/everything"
)

func ptr[T any](v T) *T { return &v }

// full returns an Everything with every field set to non-trivial values: extremes, negative numbers,
// unicode, nested and empty containers.
func full() *everything.Everything {
	return &everything.Everything{
		ABool: true, AByte: math.MinInt8, AnI16: math.MinInt16, AnI32: math.MaxInt32, AnI64: math.MinInt64,
		ADouble:  -math.MaxFloat64,
		AString:  "héllo, 世界 🌍 \x00 end",
		ABinary:  []byte{0, 1, 2, 0xff, 0xfe},
		AColor:   everything.Color_BLUE,
		APoint:   &everything.Point{X: -1, Y: math.MaxInt32, Label: ptr("ünïcode")},
		Ints:     []int32{math.MinInt32, -1, 0, 1, math.MaxInt32},
		Tags:     []string{"a", "β", ""},
		Scores:   map[string]int64{"min": math.MinInt64, "max": math.MaxInt64, "": 0},
		Deep:     []map[string][][]int32{{"x": {{1, -2}, {}}, "y": {}}, {}},
		ByPoint:  map[*everything.Point]string{{X: 1, Y: 2}: "one", {X: -3, Label: ptr("l")}: "two"},
		ByColor:  map[everything.Color][]*everything.Point{everything.Color_RED: {{X: 9}}, everything.Color_GREEN: {}},
		Blobs:    [][]byte{{}, {1}, bytes.Repeat([]byte{0xab}, 300)},
		BlobMap:  map[string][]byte{"k": {1, 2}, "": {}},
		Wallet:   everything.Wallet{{Units: 1, Currency: "EUR"}, {Units: -5, Currency: ""}},
		Cash:     &everything.Cash{Units: math.MaxInt64, Currency: "JPY"},
		Tally:    everything.Tally{"a": 1, "b": -1},
		Status:   base.Status_DISABLED,
		Statuses: []base.Status{base.Status_UNKNOWN, base.Status(42)},
		Choice:   &everything.Choice{Words: []string{"x", "y"}},
		Cube:     [][][]float64{{{1.5, math.Inf(-1)}, {}}, {}},
		Colors:   []everything.Color{everything.Color_RED, everything.Color_GREEN},
		NestedMaps: map[int64]map[int16]bool{
			-1: {1: true, -2: false}, 0: {},
		},
		ItemId: "item-1",
		Choices: []*everything.Choice{
			{Number: ptr(int32(-7))}, {Text: ptr("t")}, {Point: &everything.Point{}}, {Words: []string{}},
		},
		Children: map[string]*everything.Everything{"child": empty(), "grandparent": {
			AString: "nested", Children: map[string]*everything.Everything{"leaf": empty()},
			APoint: &everything.Point{}, ByPoint: map[*everything.Point]string{}, Choice: &everything.Choice{},
			Cash: &base.Money{}, Ints: []int32{}, Tags: []string{}, Scores: map[string]int64{},
			Deep: []map[string][][]int32{}, ByColor: map[everything.Color][]*everything.Point{},
			Blobs: [][]byte{}, BlobMap: map[string][]byte{}, Wallet: everything.Wallet{}, Tally: everything.Tally{},
			Statuses: []base.Status{}, Cube: [][][]float64{}, Colors: []everything.Color{},
			NestedMaps: map[int64]map[int16]bool{}, Choices: []*everything.Choice{}, ABinary: []byte{},
		}},
	}
}

// empty returns an Everything whose containers are empty and whose struct fields are empty structs:
// the value a zero Everything decodes to.
func empty() *everything.Everything {
	return &everything.Everything{
		ABinary: []byte{}, APoint: &everything.Point{}, Ints: []int32{}, Tags: []string{},
		Scores: map[string]int64{}, Deep: []map[string][][]int32{}, ByPoint: map[*everything.Point]string{},
		ByColor: map[everything.Color][]*everything.Point{}, Blobs: [][]byte{}, BlobMap: map[string][]byte{},
		Wallet: everything.Wallet{}, Cash: &everything.Cash{}, Tally: everything.Tally{}, Statuses: []base.Status{},
		Choice: &everything.Choice{}, Cube: [][][]float64{}, Colors: []everything.Color{},
		NestedMaps: map[int64]map[int16]bool{}, Choices: []*everything.Choice{},
		Children: map[string]*everything.Everything{},
	}
}

// encode encodes m and checks what every encoding must satisfy: FastWrite writes exactly BLength
// bytes, and the codec runtime's independent Skip finds the same end.
func encode(t *testing.T, m thrift.Message) []byte {
	t.Helper()
	b := make([]byte, m.BLength()+8)
	n := m.FastWrite(b)
	if n != m.BLength() {
		t.Fatalf("%T: FastWrite wrote %d bytes, BLength is %d", m, n, m.BLength())
	}
	b = b[:n]
	if len(thrift.Marshal(m)) != n {
		t.Fatalf("%T: Marshal and FastWrite disagree on the length", m)
	}
	if skip, err := thrift.Skip(b, thrift.STRUCT); err != nil || skip != n {
		t.Fatalf("%T: thrift.Skip = %d, %v; want %d", m, skip, err, n)
	}
	return b
}

// decode decodes b into out and checks that it consumed all of b.
func decode(t *testing.T, b []byte, out thrift.Message) {
	t.Helper()
	n, err := out.FastRead(b)
	if err != nil {
		t.Fatalf("%T: FastRead: %v", out, err)
	}
	if n != len(b) {
		t.Fatalf("%T: FastRead consumed %d of %d bytes", out, n, len(b))
	}
}

// equalEverything compares two Everything values; maps with pointer keys are compared by the values
// the keys point to, since decoding allocates new keys.
func equalEverything(a, b *everything.Everything) bool {
	if a == nil || b == nil {
		return a == b
	}
	ac, bc := *a, *b
	ac.ByPoint, bc.ByPoint, ac.Children, bc.Children = nil, nil, nil, nil
	if !reflect.DeepEqual(ac, bc) || !equalByPoint(a.ByPoint, b.ByPoint) || len(a.Children) != len(b.Children) {
		return false
	}
	for k, v := range a.Children {
		if !equalEverything(v, b.Children[k]) {
			return false
		}
	}
	return true
}

func equalByPoint(a, b map[*everything.Point]string) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for ka, va := range a {
		found := false
		for kb, vb := range b {
			found = found || reflect.DeepEqual(ka, kb) && va == vb
		}
		if !found {
			return false
		}
	}
	return true
}
