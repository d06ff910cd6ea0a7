package testgen_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/tool/internal/testgen/base"
	"github.com/ternhq/tern/framework/tool/internal/testgen/everything"
)

func TestEverythingRoundTrip(t *testing.T) {
	for name, in := range map[string]*everything.Everything{"full": full(), "empty": empty()} {
		t.Run(name, func(t *testing.T) {
			b := encode(t, in)
			out := everything.NewEverything()
			decode(t, b, out)
			if !equalEverything(in, out) {
				t.Fatalf("round trip changed the value:\n in: %v\nout: %v", in, out)
			}
		})
	}
}

// Like Kitex and Apache Thrift, a zero Everything writes its nil containers as empty ones and its
// nil struct fields as empty structs, so it decodes to empty(). An empty struct lacks the required
// fields of its type, though: a nil base.Money does not decode.
func TestZeroValueDecodesToEmpty(t *testing.T) {
	in := everything.NewEverything()
	_, err := everything.NewEverything().FastRead(encode(t, in))
	if !errors.Is(err, thrift.ErrInvalidData) || !strings.Contains(err.Error(), "Everything.cash (field 20): Money: required field units (1) is missing") {
		t.Fatalf("decoding a nil cash: %v", err)
	}
	in.Cash = &base.Money{}
	out := everything.NewEverything()
	decode(t, encode(t, in), out)
	if !equalEverything(out, empty()) {
		t.Fatalf("decoded %v, want %v", out, empty())
	}
}

func TestOtherStructsRoundTrip(t *testing.T) {
	cases := []struct {
		in  thrift.Message
		out func() thrift.Message
	}{
		{in: everything.NewDefaults(), out: func() thrift.Message { return everything.NewDefaults() }},
		{in: &everything.Defaults{Big: -1, Ratio: 0.25, OptColor: everything.ColorPtr(everything.Color_RED),
			Names: []string{}, Weights: map[string]int32{}, Where: &everything.Point{}, Status: base.Status_ACTIVE,
			Raw: []byte{}, Note: ptr(""), OptInt: ptr(int32(0)), OptBool: ptr(false), OptList: []int32{},
			OptBlob: []byte{}, OptPoint: &everything.Point{Label: ptr("p")}, Level: everything.Level_HIGH,
			Cash: &base.Money{Units: 1}},
			out: func() thrift.Message { return everything.NewDefaults() }},
		{in: &everything.Required{Name: "n", Id: -1, Point: &everything.Point{}, Items: []int32{}},
			out: func() thrift.Message { return everything.NewRequired() }},
		{in: &everything.Tagged{Name: "a", Hidden: "b", Score: ptr(int32(3))}, out: func() thrift.Message { return everything.NewTagged() }},
		{in: &everything.Tree{Value: "root", Children: []*everything.Tree{{Value: "a", Children: []*everything.Tree{}}},
			First: &everything.Tree{Value: "f", Children: []*everything.Tree{}}},
			out: func() thrift.Message { return everything.NewTree() }},
		{in: &everything.Names{GetName: "g", Name_: "n", String_: "s", IsSetX: 1, X_: ptr(int32(2))},
			out: func() thrift.Message { return everything.NewNames() }},
		{in: &everything.Empty{}, out: func() thrift.Message { return everything.NewEmpty() }},
		{in: &everything.Failure{Message: "m", Code: -2, Where: &everything.Point{X: 1}},
			out: func() thrift.Message { return everything.NewFailure() }},
		{in: newOrder(), out: func() thrift.Message { return everything.NewOrder() }},
		{in: &everything.StoreEchoResult{Fail: &everything.Failure{Message: "x"}},
			out: func() thrift.Message { return everything.NewStoreEchoResult() }},
		{in: &everything.StoreCountResult{Success: ptr(int64(-9))}, out: func() thrift.Message { return everything.NewStoreCountResult() }},
		{in: &everything.StoreKeywordsArgs{Type: "t", Ctx: "c", Err: 1, Everything: "e"},
			out: func() thrift.Message { return everything.NewStoreKeywordsArgs() }},
	}
	for _, c := range cases {
		t.Run(reflect.TypeOf(c.in).Elem().Name(), func(t *testing.T) {
			out := c.out()
			decode(t, encode(t, c.in), out)
			if !reflect.DeepEqual(c.in, out) {
				t.Fatalf("round trip changed the value:\n in: %v\nout: %v", c.in, out)
			}
		})
	}
}

// The encoding is the standard Thrift binary protocol, byte for byte.
func TestWireBytes(t *testing.T) {
	cases := []struct {
		in   thrift.Message
		want string
	}{
		// i32 x=1, i32 y=-1, string label="é", STOP.
		{&everything.Point{X: 1, Y: -1, Label: ptr("é")}, "080001 00000001 080002 ffffffff 0b0003 00000002 c3a9 00"},
		// An unset optional field is not written.
		{&everything.Point{X: 1}, "080001 00000001 080002 00000000 00"},
		// A union writes its first set field only.
		{&everything.Choice{Number: ptr(int32(5)), Text: ptr("x")}, "080001 00000005 00"},
		{&everything.Choice{}, "00"},
		// Required, then default fields; a nil list is an empty list of the IDL's element type.
		{&everything.Required{Name: "n", Id: 2}, "0b0001 00000001 6e 080002 00000002 0c0003 00 0f0005 08 00000000 00"},
		// An enum is an i32; a set of enums a set of i32.
		{&everything.Narrow{AnI32: -2, AString: ""}, "080004 fffffffe 0b0007 00000000 00"},
		// Result: success is field 0, written only when set.
		{&everything.StoreCountResult{Success: ptr(int64(1))}, "0a0000 0000000000000001 00"},
		{&everything.StoreCountResult{}, "00"},
		// A double is its IEEE 754 bits; binary is length-prefixed like a string.
		{&everything.LineItem{Sku: "", Quantity: 1, Price: &base.Money{Units: 3, Currency: "X"}, Weight: 1.5},
			"0b0001 00000000 080002 00000001 0c0003 0a0001 0000000000000003 0b0002 00000001 58 00 040004 3ff8000000000000 00"},
	}
	for _, c := range cases {
		got := hex.EncodeToString(encode(t, c.in))
		want := string(bytes.ReplaceAll([]byte(c.want), []byte(" "), nil))
		if got != want {
			t.Errorf("%T %v:\n got %s\nwant %s", c.in, c.in, got, want)
		}
	}
}

// Optional fields that are unset stay unset, and the getters return the defaults.
func TestUnsetOptionals(t *testing.T) {
	in := everything.NewDefaults()
	out := everything.NewDefaults()
	decode(t, encode(t, in), out)
	if out.IsSetNote() || out.IsSetOptInt() || out.IsSetOptBool() || out.IsSetOptList() || out.IsSetOptBlob() ||
		out.IsSetOptPoint() || out.IsSetOptColor() {
		t.Fatalf("unset optionals came back set: %v", out)
	}
	if out.GetNote() != "" || out.GetOptInt() != 0 || out.GetOptPoint() != nil || out.GetOptColor() != 0 {
		t.Fatalf("getters of unset optionals: %v", out)
	}
	// An optional field with a default is a plain value, written only when it differs from the
	// default: a reader starting from NewDefaults sees the default, one starting from a zero Defaults
	// sees zero.
	if out.Big != everything.BIG || out.IsSetBig() {
		t.Fatalf("Big = %d, IsSetBig = %t", out.Big, out.IsSetBig())
	}
	zero := &everything.Defaults{}
	decode(t, encode(t, in), zero)
	if zero.Big != 0 || zero.Count != 7 {
		t.Fatalf("decoded into a zero Defaults: Big = %d, Count = %d", zero.Big, zero.Count)
	}
}

func TestDefaults(t *testing.T) {
	d := everything.NewDefaults()
	checks := []struct {
		name      string
		got, want any
	}{
		{"count", d.Count, int32(7)},
		{"name", d.Name, "tern"},
		{"big", d.GetBig(), int64(9007199254740993)},
		{"ratio", d.GetRatio(), 0.5},
		{"enabled", d.Enabled, true},
		{"color", d.Color, everything.Color_BLUE},
		{"names", d.Names, []string{"a", "b"}},
		{"weights", d.Weights, map[string]int32{"x": 1}},
		{"where", d.Where, &everything.Point{X: 1, Y: 2, Label: ptr("here")}},
		{"status", d.GetStatus(), base.Status_DISABLED},
		{"raw", d.Raw, []byte("raw")},
		{"counted", d.Counted, everything.Count(3)},
		{"limit", d.Limit, int32(100)},
		{"level", d.GetLevel(), everything.Level_MID},
		{"whole", d.Whole, 1.0},
		{"cash", d.Cash, &base.Money{Units: 42, Currency: "USD"}},
		{"opt_color", d.GetOptColor(), everything.Color(0)},
		{"money", base.NewMoney().Currency, "EUR"},
		{"not found code", base.NewNotFound().GetCode(), int32(404)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if d.IsSetBig() || d.IsSetStatus() || d.IsSetNote() {
		t.Error("an optional field at its default counts as set")
	}
	d.Big = 1
	if !d.IsSetBig() {
		t.Error("an optional field away from its default counts as unset")
	}
	// Defaults taken from constants are copies: changing them changes neither the constant nor the
	// next NewDefaults.
	d.Names[0], d.Cash.Units = "changed", -1
	if everything.NAMES[0] != "a" || everything.PRICE.Units != 42 || everything.NewDefaults().Names[0] != "a" {
		t.Error("a default value shares memory with its constant")
	}
}

func TestConstants(t *testing.T) {
	checks := []struct {
		name      string
		got, want any
	}{
		{"FLAG", everything.FLAG, true},
		{"SMALL", int8(everything.SMALL), int8(-8)},
		{"BIG", int64(everything.BIG), int64(9007199254740993)},
		{"WHOLE", everything.WHOLE, 2.0},
		{"GREETING", everything.GREETING, "hello \"world\"\n\tñ"},
		{"MAGIC", everything.MAGIC, []byte("tern")},
		{"PRIMES", everything.PRIMES, []int32{2, 3, 5}},
		{"GROUPS", everything.GROUPS, map[string][]int32{"odd": {1, 3}, "even": {2}}},
		{"FAVORITE", everything.FAVORITE, everything.Color_GREEN},
		{"GREEN_VALUE", int32(everything.GREEN_VALUE), int32(2)},
		{"PRICE", everything.PRICE, &base.Money{Units: 42, Currency: "USD"}},
		{"ORIGIN", everything.ORIGIN, &everything.Point{Label: ptr("origin")}},
		{"LIMIT", int32(everything.LIMIT), int32(100)},
		{"CORNERS", everything.CORNERS, []*everything.Point{{X: 1, Y: 1}, {X: -1, Y: -1}}},
		{"COLOR_NAMES", everything.COLOR_NAMES, map[everything.Color]string{everything.Color_RED: "red", everything.Color_GREEN: "green"}},
		{"START", everything.START, base.Status_ACTIVE},
		{"DEFAULT_STATUS", base.DEFAULT_STATUS, base.Status_ACTIVE},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestEnums(t *testing.T) {
	if s := everything.Color_BLUE.String(); s != "BLUE" {
		t.Errorf("String = %q", s)
	}
	if s := everything.Color(3).String(); s != "Color(3)" {
		t.Errorf("String of an unknown value = %q", s)
	}
	if c, err := everything.ColorFromString("GREEN"); err != nil || c != everything.Color_GREEN {
		t.Errorf("FromString = %v, %v", c, err)
	}
	if _, err := everything.ColorFromString("PINK"); err == nil {
		t.Error("FromString of an unknown name did not fail")
	}
	if p := everything.LevelPtr(everything.Level_HIGH); *p != -1 || everything.Level_LOW != 0 || everything.Level_MID != 1 {
		t.Errorf("Level values: %d %d %d", *p, everything.Level_LOW, everything.Level_MID)
	}
}

func TestExceptionIsError(t *testing.T) {
	var err error = &everything.Failure{Message: "boom", Code: 3}
	if s := err.Error(); s != "Failure({Message:boom Code:3 Where:<nil>})" {
		t.Errorf("Error() = %q", s)
	}
}

func TestTags(t *testing.T) {
	tagged := reflect.TypeOf(everything.Tagged{})
	want := map[string]string{
		"Name":   `thrift:"name,1" frugal:"1,default,string" db:"name" json:"name"`,
		"Hidden": `thrift:"hidden,2" frugal:"2,default,string" json:"-"`,
		"Score":  `thrift:"score,3,optional" frugal:"3,optional,i32" xml:"score" json:"points,omitempty"`,
	}
	for field, tag := range want {
		f, _ := tagged.FieldByName(field)
		if string(f.Tag) != tag {
			t.Errorf("Tagged.%s tag = %s, want %s", field, f.Tag, tag)
		}
	}
	f, _ := reflect.TypeOf(everything.Required{}).FieldByName("Items")
	if got := string(f.Tag); got != `thrift:"items,5,required" frugal:"5,required,list<i32>" json:"items"` {
		t.Errorf("Required.Items tag = %s", got)
	}
}
