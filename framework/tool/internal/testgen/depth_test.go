package testgen_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/tool/internal/testgen/base"
	"github.com/ternhq/tern/framework/tool/internal/testgen/everything"
)

// The nesting limit of the generated FastRead is thrift.Skip's: every struct and every container is a
// level, the outermost struct is level 1, and thrift.MaxDepth (64) levels decode while 65 fail with an
// error wrapping thrift.ErrDepthLimit. Empty containers count too. A Tree nested through its optional
// first field (and without a children list) is one level per Tree, so 64 Trees decode and 65 do not;
// through its children list it is two levels per Tree.

// firstChain encodes levels Trees, each the first field of the one before: levels levels.
func firstChain(levels int) wire {
	var w wire
	for range levels - 1 {
		w = w.field(thrift.STRUCT, 3)
	}
	for range levels {
		w = w.stop()
	}
	return w
}

// childChain encodes Trees, each the only child of the one before, levels levels deep: a Tree and its
// children list are two levels. An even levels ends in a Tree with an empty children list.
func childChain(levels int) wire {
	var w wire
	for range (levels - 1) / 2 {
		w = w.field(thrift.LIST, 2).list(thrift.STRUCT, 1)
	}
	if levels%2 == 0 {
		w = w.field(thrift.LIST, 2).list(thrift.STRUCT, 0)
	}
	for range (levels + 1) / 2 {
		w = w.stop()
	}
	return w
}

// mapChain is childChain through Everything's children, a map<string, Everything>.
func mapChain(levels int) wire {
	var w wire
	for range (levels - 1) / 2 {
		w = w.field(thrift.MAP, 30).kv(thrift.STRING, thrift.STRUCT, 1).str("k")
	}
	if levels%2 == 0 {
		w = w.field(thrift.MAP, 30).kv(thrift.STRING, thrift.STRUCT, 0)
	}
	for range (levels + 1) / 2 {
		w = w.stop()
	}
	return w
}

var chains = []struct {
	name  string
	build func(levels int) wire
	new   func() thrift.Message
}{
	{"Tree.first", firstChain, func() thrift.Message { return everything.NewTree() }},
	{"Tree.children", childChain, func() thrift.Message { return everything.NewTree() }},
	{"Everything.children", mapChain, func() thrift.Message { return everything.NewEverything() }},
}

// Around the limit, FastRead accepts exactly the nesting thrift.Skip accepts.
func TestDepthLimit(t *testing.T) {
	for _, c := range chains {
		for levels := thrift.MaxDepth - 2; levels <= thrift.MaxDepth+2; levels++ {
			t.Run(fmt.Sprintf("%s/%d", c.name, levels), func(t *testing.T) {
				b := c.build(levels)
				n, err := c.new().FastRead(b)
				_, skipErr := thrift.Skip(b, thrift.STRUCT)
				if levels <= thrift.MaxDepth {
					if err != nil || n != len(b) {
						t.Fatalf("FastRead = %d, %v; want %d, nil", n, err, len(b))
					}
				} else if !errors.Is(err, thrift.ErrDepthLimit) {
					t.Fatalf("FastRead err = %v, want ErrDepthLimit", err)
				}
				if (err == nil) != (skipErr == nil) {
					t.Fatalf("FastRead err = %v but Skip err = %v", err, skipErr)
				}
			})
		}
	}
}

// Marshal always writes a Tree's children list, empty or not, and an empty container is a level too
// (as in thrift.Skip): a chain of MaxDepth-1 Trees through first is MaxDepth levels and round-trips,
// a chain of MaxDepth Trees is one level too many.
func TestDepthLimitRoundTrip(t *testing.T) {
	deep := func(trees int) *everything.Tree {
		tr := &everything.Tree{Value: "leaf"}
		for range trees - 1 {
			tr = &everything.Tree{Value: "v", First: tr}
		}
		return tr
	}
	got := everything.NewTree()
	if err := thrift.Unmarshal(thrift.Marshal(deep(thrift.MaxDepth-1)), got); err != nil {
		t.Fatal(err)
	}
	trees := 0
	for tr := got; tr != nil; tr = tr.First {
		trees++
	}
	if trees != thrift.MaxDepth-1 {
		t.Fatalf("read back %d Trees, want %d", trees, thrift.MaxDepth-1)
	}
	err := thrift.Unmarshal(thrift.Marshal(deep(thrift.MaxDepth)), everything.NewTree())
	if !errors.Is(err, thrift.ErrDepthLimit) {
		t.Fatalf("err = %v, want ErrDepthLimit", err)
	}
}

// FastReadDepth counts from its depth argument, through containers of scalars and into structs of
// another (included) package.
func TestFastReadDepth(t *testing.T) {
	// deep is list<map<string, list<set<i32>>>>: with its Everything, 5 levels.
	deep := wire{}.field(thrift.LIST, 14).list(thrift.MAP, 1).kv(thrift.STRING, thrift.LIST, 1).str("k").
		list(thrift.SET, 1).set(thrift.I32, 1).i32(7).stop()
	item := thrift.Marshal(&everything.LineItem{Sku: "s", Price: &base.Money{Units: 1}}) // 2 levels
	cases := []struct {
		name string
		b    []byte
		m    interface {
			FastReadDepth([]byte, int) (int, error)
		}
		levels int
	}{
		{"empty Tree", wire{}.stop(), everything.NewTree(), 1},
		{"containers", deep, everything.NewEverything(), 5},
		{"included struct", item, everything.NewLineItem(), 2},
	}
	for _, c := range cases {
		depth := thrift.MaxDepth - c.levels
		if _, err := c.m.FastReadDepth(c.b, depth); err != nil {
			t.Errorf("%s at depth %d: %v", c.name, depth, err)
		}
		if _, err := c.m.FastReadDepth(c.b, depth+1); !errors.Is(err, thrift.ErrDepthLimit) {
			t.Errorf("%s at depth %d: %v, want ErrDepthLimit", c.name, depth+1, err)
		}
	}
}

// A million levels of input fail at the limit: no stack overflow, and the work done does not grow
// with the input.
func TestDepthLimitMillionLevels(t *testing.T) {
	const levels = 1_000_000
	for _, c := range chains {
		t.Run(c.name, func(t *testing.T) {
			b := c.build(levels)
			allocs := testing.AllocsPerRun(1, func() {
				if _, err := c.new().FastRead(b); !errors.Is(err, thrift.ErrDepthLimit) {
					t.Fatalf("err = %v, want ErrDepthLimit", err)
				}
			})
			if allocs > 1000 {
				t.Fatalf("%v allocations, want the decoding to stop at the limit", allocs)
			}
		})
	}
}
