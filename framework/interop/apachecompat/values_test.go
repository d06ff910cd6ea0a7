package apachecompat_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"

	athrift "github.com/apache/thrift/lib/go/thrift"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/interop/gen/base"
	"github.com/ternhq/tern/framework/interop/gen/everything"
)

// enumValues are the values each generated enum defines; the generator also picks undefined ones.
var enumValues = map[reflect.Type][]int64{
	reflect.TypeFor[everything.Color](): {1, 2, 4},
	reflect.TypeFor[everything.Level](): {0, 1, -1},
	reflect.TypeFor[base.Status]():      {0, 1, 5},
}

// sampleStrings are picked often: empty, unicode of every width, control bytes, invalid UTF-8 (Thrift
// strings are bytes; both sides must pass them through untouched) and a long one.
var sampleStrings = []string{
	"", "a", "tern", "ñandú", "日本語テキスト", "🦀🚀 emoji", "e\u0301 combining", "\u202eRTL override",
	"nul\x00inside", "\xff\xfe not utf-8", "tab\tnew\nline\r", `quote" back\slash`, "\U0010FFFF",
	strings.Repeat("long-", 100),
}

const (
	maxDepth    = 3   // structs nest at most this deep below the top value
	valueBudget = 400 // container elements per top-level value
)

// gen is a deterministic generator of values of generated types.
type gen struct {
	r          *rand.Rand
	singleMaps bool // every map gets at most one entry, so the value's encoding is deterministic
	budget     int
}

func newGen(seed uint64, singleMaps bool) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 0x7465726e)), singleMaps: singleMaps, budget: valueBudget}
}

// message returns a new value of st.
func (g *gen) message(st *structInfo) thrift.Message {
	g.budget = valueBudget
	return g.structValue(st, 0).Interface().(thrift.Message)
}

// structValue returns a pointer to a new st: its constructor's value with fields overwritten at random.
func (g *gen) structValue(st *structInfo, depth int) reflect.Value {
	p := reflect.ValueOf(st.newFn())
	if st.union {
		g.setUnion(st, p, depth)
		return p
	}
	for i := range st.fields {
		f := &st.fields[i]
		fv := p.Elem().Field(f.index)
		if f.req == reqOptional {
			if g.r.IntN(10) < 3 || (depth >= maxDepth && f.t.ttype == athrift.STRUCT) {
				continue // unset: nil, or the default for optional fields that have one
			}
			g.setOptional(f, fv, depth)
			continue
		}
		fv.Set(g.value(f.t, depth, 0, true))
	}
	return p
}

// setUnion sets exactly one field of the union p points to, preferably not a struct when deep.
func (g *gen) setUnion(st *structInfo, p reflect.Value, depth int) {
	f := &st.fields[g.r.IntN(len(st.fields))]
	for try := 0; try < 8 && depth >= maxDepth && f.t.ttype == athrift.STRUCT; try++ {
		f = &st.fields[g.r.IntN(len(st.fields))]
	}
	g.setOptional(f, p.Elem().Field(f.index), depth)
}

// setOptional sets the optional field f (value fv): scalars through a new pointer, containers and
// binaries non-nil even when empty.
func (g *gen) setOptional(f *fieldInfo, fv reflect.Value, depth int) {
	v := g.value(f.t, depth, 0, false)
	if fv.Kind() == reflect.Pointer && f.t.ttype != athrift.STRUCT {
		ptr := reflect.New(v.Type())
		ptr.Elem().Set(v)
		v = ptr
	}
	fv.Set(v)
}

// value returns a value of t. nilOK allows nil containers, binaries and structs where the wire cannot
// tell them from empty ones (see equivalent); level is the container nesting.
func (g *gen) value(t *typeInfo, depth, level int, nilOK bool) reflect.Value {
	v := reflect.New(t.gotype).Elem()
	switch t.ttype {
	case athrift.BOOL:
		v.SetBool(g.r.IntN(2) == 1)
	case athrift.BYTE, athrift.I16, athrift.I32, athrift.I64:
		if t.enum {
			v.SetInt(g.enum(t.gotype))
		} else {
			v.SetInt(g.integer(t.gotype.Bits()))
		}
	case athrift.DOUBLE:
		v.SetFloat(g.double())
	case athrift.STRING:
		if t.binary {
			v.SetBytes(g.bytes(nilOK))
		} else {
			v.SetString(g.text())
		}
	case athrift.STRUCT:
		// A nil struct is written as an empty one; that is unreadable when the struct has required
		// fields, and Apache cannot write a nil union at all.
		if nilOK && !t.st.union && !t.st.required && g.r.IntN(10) == 0 {
			return v
		}
		return g.structValue(t.st, depth+1)
	case athrift.LIST, athrift.SET:
		return g.list(t, depth, level, nilOK)
	case athrift.MAP:
		return g.mapping(t, depth, level, nilOK)
	}
	return v
}

// size picks a container size: often empty or one element, sometimes a few, sometimes many.
func (g *gen) size(depth, level int) int {
	if depth >= maxDepth || g.budget <= 0 {
		return 0
	}
	n := 0
	switch k := g.r.IntN(10); {
	case k < 2:
		n = 0
	case k < 5:
		n = 1
	case k < 9:
		n = 2 + g.r.IntN(4)
	case depth == 0 && level == 0:
		n = 50 + g.r.IntN(200)
	default:
		n = 6 + g.r.IntN(10)
	}
	n = min(n, g.budget)
	g.budget -= n
	return n
}

func (g *gen) list(t *typeInfo, depth, level int, nilOK bool) reflect.Value {
	n := g.size(depth, level)
	if n == 0 && nilOK && g.r.IntN(2) == 0 {
		return reflect.Zero(t.gotype)
	}
	v := reflect.MakeSlice(t.gotype, 0, n)
	seen := map[string]bool{}
	for range 4 * n {
		if v.Len() == n {
			break
		}
		e := g.value(t.elem, depth, level+1, true)
		if t.ttype == athrift.SET { // Apache's generated Write refuses duplicates
			k := valueTree(t.elem, e).String()
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		v = reflect.Append(v, e)
	}
	return v
}

func (g *gen) mapping(t *typeInfo, depth, level int, nilOK bool) reflect.Value {
	n := g.size(depth, level)
	if g.singleMaps {
		n = min(n, 1)
	}
	if n == 0 && nilOK && g.r.IntN(2) == 0 {
		return reflect.Zero(t.gotype)
	}
	v := reflect.MakeMapWithSize(t.gotype, n)
	seen := map[string]bool{} // keys must differ by content, not only as Go map keys (pointers)
	for range 4 * n {
		if v.Len() == n {
			break
		}
		k := g.value(t.key, depth, level+1, false)
		ks := valueTree(t.key, k).String()
		if seen[ks] {
			continue
		}
		seen[ks] = true
		v.SetMapIndex(k, g.value(t.elem, depth, level+1, true))
	}
	return v
}

func (g *gen) enum(t reflect.Type) int64 {
	defined, ok := enumValues[t]
	if !ok {
		panic("no values listed for enum " + t.String())
	}
	if g.r.IntN(5) == 0 { // not defined by the IDL: still an i32 on the wire
		return g.integer(32)
	}
	return defined[g.r.IntN(len(defined))]
}

// integer returns an int of the given width: an edge value (0, ±1, min, max, min+1, max-1) two
// times in five, else uniformly random.
func (g *gen) integer(bits int) int64 {
	maxV := int64(1)<<(bits-1) - 1
	minV := -maxV - 1
	if g.r.IntN(5) < 2 {
		edges := []int64{0, 1, -1, minV, maxV, minV + 1, maxV - 1}
		return edges[g.r.IntN(len(edges))]
	}
	return int64(g.r.Uint64()<<(64-bits)) >> (64 - bits)
}

// double returns an edge value (±0, ±1, ±Inf, extremes, subnormals) or random bits; never NaN.
func (g *gen) double() float64 {
	if g.r.IntN(3) == 0 {
		edges := []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.MaxFloat64,
			-math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 0.1, math.Pi}
		return edges[g.r.IntN(len(edges))]
	}
	for {
		if f := math.Float64frombits(g.r.Uint64()); !math.IsNaN(f) {
			return f
		}
	}
}

// text returns a sample string or random runes from ASCII, Latin-1, CJK, emoji and all of Unicode.
func (g *gen) text() string {
	if g.r.IntN(2) == 0 {
		return sampleStrings[g.r.IntN(len(sampleStrings))]
	}
	var b strings.Builder
	for range g.r.IntN(24) {
		switch g.r.IntN(5) {
		case 0:
			b.WriteRune(rune(0x20 + g.r.IntN(0x5f)))
		case 1:
			b.WriteRune(rune(0xa0 + g.r.IntN(0x160)))
		case 2:
			b.WriteRune(rune(0x4e00 + g.r.IntN(0x5000)))
		case 3:
			b.WriteRune(rune(0x1f300 + g.r.IntN(0x300)))
		default:
			b.WriteRune(rune(g.r.IntN(0x110000))) // surrogates become U+FFFD
		}
	}
	return b.String()
}

// bytes returns nil (when allowed), empty or random bytes.
func (g *gen) bytes(nilOK bool) []byte {
	switch k := g.r.IntN(8); {
	case k == 0 && nilOK:
		return nil
	case k <= 1:
		return []byte{}
	}
	n := g.r.IntN(32)
	if g.r.IntN(10) == 0 {
		n = 256 + g.r.IntN(256)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}
