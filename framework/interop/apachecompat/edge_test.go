package apachecompat_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/interop/gen/base"
	"github.com/ternhq/tern/framework/interop/gen/everything"
)

func ptr[T any](v T) *T { return &v }

// minimalEverything is the smallest Everything Apache's generated Write accepts: its union field set
// (Apache cannot write a nil union) and its Money present (an empty Money lacks required units).
func minimalEverything() *everything.Everything {
	return &everything.Everything{Choice: &everything.Choice{Number: ptr[int32](0)}, Cash: &base.Money{}}
}

// extremeEverything has every scalar at an extreme, unicode strings and containers empty, nil, and
// with one entry (so that the bytes are deterministic), nested.
func extremeEverything() *everything.Everything {
	e := minimalEverything()
	e.ABool, e.AByte, e.AnI16, e.AnI32, e.AnI64 = true, math.MinInt8, math.MaxInt16, math.MinInt32, math.MaxInt64
	e.ADouble, e.AString, e.ABinary = math.Copysign(0, -1), "ñ 日本 🦀 \x00 \xff", []byte{}
	e.AColor, e.APoint = everything.Color(math.MinInt32), &everything.Point{X: math.MaxInt32, Y: -1, Label: ptr("")}
	e.Ints, e.Tags = []int32{math.MinInt32, 0, math.MaxInt32}, []string{}
	e.Scores = map[string]int64{"": math.MinInt64}
	e.Deep = []map[string][][]int32{nil, {}, {"k": {nil, {}, {math.MaxInt32}}}}
	e.ByPoint = map[*everything.Point]string{{X: -1}: "minus one"}
	e.ByColor = map[everything.Color][]*everything.Point{everything.Color_BLUE: {{}, {Label: ptr("l")}}}
	e.Blobs, e.BlobMap = [][]byte{nil, {}, {0, 0xff}}, map[string][]byte{"\x00": nil}
	e.Wallet, e.Cash = everything.Wallet{{Units: math.MinInt64, Currency: ""}}, &base.Money{Units: math.MaxInt64}
	e.Tally, e.Status = map[string]int32{"t": -1}, base.Status(77)
	e.Statuses, e.Choice = []base.Status{0, 1, 5, -5}, &everything.Choice{Words: []string{}}
	e.Cube = [][][]float64{{{math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64}}, {}}
	e.Colors, e.NestedMaps = []everything.Color{1, 2, 4}, map[int64]map[int16]bool{math.MinInt64: {math.MinInt16: true}}
	e.ItemId, e.Choices = strings.Repeat("é", 1000), []*everything.Choice{{Text: ptr("")}, {Point: &everything.Point{}}}
	e.Children = map[string]*everything.Everything{"child": minimalEverything()}
	return e
}

// zeroDefaults sets every optional field of Defaults to a zero-like value that still counts as set.
func zeroDefaults() *everything.Defaults {
	d := everything.NewDefaults()
	d.Big, d.Ratio, d.Status, d.Level = 0, 0, base.Status_UNKNOWN, everything.Level_LOW
	d.OptColor, d.Note, d.OptInt, d.OptBool = ptr(everything.Color(0)), ptr(""), ptr[int32](0), ptr(false)
	d.OptList, d.OptBlob, d.OptPoint = []int32{}, []byte{}, &everything.Point{}
	d.Names, d.Weights, d.Where, d.Raw, d.Cash = nil, nil, nil, nil, &base.Money{}
	return d
}

// deepTree nests n trees through both the optional and the list field.
func deepTree(n int) *everything.Tree {
	t := &everything.Tree{Value: "leaf"}
	for i := range n {
		t = &everything.Tree{Value: strings.Repeat("v", i), First: t, Children: []*everything.Tree{{}}}
	}
	return t
}

// TestEdgeValues: chosen values, every one compared byte for byte.
func TestEdgeValues(t *testing.T) {
	cases := []struct {
		name string
		m    thrift.Message
	}{
		{"empty struct", &everything.Empty{}},
		{"point extremes", &everything.Point{X: math.MinInt32, Y: math.MaxInt32, Label: ptr("📍")}},
		{"minimal everything", minimalEverything()},
		{"extreme everything", extremeEverything()},
		{"defaults as constructed", everything.NewDefaults()},
		{"defaults with zero optionals set", zeroDefaults()},
		{"required with empty values", &everything.Required{Point: nil, Items: nil}},
		{"union number", &everything.Choice{Number: ptr[int32](math.MinInt32)}},
		{"union empty text", &everything.Choice{Text: ptr("")}},
		{"union nil-free point", &everything.Choice{Point: &everything.Point{}}},
		{"union empty words", &everything.Choice{Words: []string{}}},
		{"tree 40 deep", deepTree(40)},
		{"exception", &everything.Failure{Message: "boom", Code: -1, Where: &everything.Point{}}},
		{"not found with default code", base.NewNotFound()},
		{"not found with code 0", &base.NotFound{What: "x", Code: 0}},
		{"names", &everything.Names{GetName: "a", Name_: "b", String_: "c", IsSetX: 1, X_: ptr[int32](0)}},
		{"result success", &everything.StoreEchoResult{Success: extremeEverything()}},
		{"result exception", &everything.StoreEchoResult{Missing: &base.NotFound{What: "w"}}},
		{"result empty", &everything.StoreEchoResult{}},
		{"order", benchOrder(1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !checkCompat(t, mustStruct(reflect.TypeOf(c.m)), c.m, c.name) {
				t.Errorf("%s was not compared byte for byte", c.name)
			}
		})
	}
}
