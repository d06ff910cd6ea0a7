package apachecompat_test

import (
	"maps"
	"math"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"

	athrift "github.com/apache/thrift/lib/go/thrift"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/interop/gen/everything"
)

// TestCheckersCatchDifferences makes sure equivalent and the trees notice a change anywhere, and that
// equivalent's loose rules accept exactly what they document.
func TestCheckersCatchDifferences(t *testing.T) {
	st := mustStruct(reflect.TypeFor[*everything.Everything]())
	orig := extremeEverything()
	origTree := valueTree(&typeInfo{ttype: athrift.STRUCT, st: st}, reflect.ValueOf(orig)).String()
	mutations := map[string]func(e *everything.Everything){
		"i32":                func(e *everything.Everything) { e.AnI32++ },
		"negative zero":      func(e *everything.Everything) { e.ADouble = 0 },
		"set element":        func(e *everything.Everything) { e.Tags = append(e.Tags, "x") },
		"binary in list":     func(e *everything.Everything) { e.Blobs[2][0]++ },
		"nil binary in list": func(e *everything.Everything) { e.Blobs[0] = []byte{1} },
		"struct map key":     func(e *everything.Everything) { rekeyPoints(e, 5) },
		"nested child":       func(e *everything.Everything) { e.Children["child"].AString = "x" },
		"union variant":      func(e *everything.Everything) { e.Choice = &everything.Choice{Text: ptr("")} },
		"inner map value":    func(e *everything.Everything) { e.NestedMaps[math.MinInt64][math.MinInt16] = false },
		"deep list":          func(e *everything.Everything) { e.Deep[2]["k"][2][0]-- },
		"optional label":     func(e *everything.Everything) { e.APoint.Label = nil },
		"enum":               func(e *everything.Everything) { e.Statuses[3] = 4 },
		"map key":            func(e *everything.Everything) { e.Scores = map[string]int64{"x": math.MinInt64} },
	}
	for name, mutate := range mutations {
		got := roundTrip(t, orig)
		mutate(got)
		if equivalent(st, reflect.ValueOf(orig), reflect.ValueOf(got)) == nil {
			t.Errorf("%s: equivalent missed the change", name)
		}
		if valueTree(&typeInfo{ttype: athrift.STRUCT, st: st}, reflect.ValueOf(got)).String() == origTree {
			t.Errorf("%s: the trees missed the change", name)
		}
	}

	loose := minimalEverything()
	loose.Ints, loose.APoint, loose.Blobs = nil, nil, [][]byte{nil}
	if err := equivalent(st, reflect.ValueOf(loose), reflect.ValueOf(roundTrip(t, loose))); err != nil {
		t.Errorf("nil containers and structs in default fields: %v", err)
	}
	d := mustStruct(reflect.TypeFor[*everything.Defaults]())
	set, unset := everything.NewDefaults(), everything.NewDefaults()
	set.OptList = []int32{}
	if equivalent(d, reflect.ValueOf(set), reflect.ValueOf(unset)) == nil {
		t.Error("an optional empty list equals an unset one")
	}
}

// rekeyPoints changes the content of the keys of e.ByPoint.
func rekeyPoints(e *everything.Everything, x int32) {
	for k := range e.ByPoint {
		k.X = x
	}
}

func roundTrip[T thrift.Message](t *testing.T, m T) T {
	t.Helper()
	got := reflect.ValueOf(mustStruct(reflect.TypeOf(m)).newFn()).Interface().(T)
	if err := thrift.Unmarshal(thrift.Marshal(m), got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestGeneratorCoverage checks that the random Everything values of TestRandomValues contain every
// kind of value the tests claim to cover.
func TestGeneratorCoverage(t *testing.T) {
	st := mustStruct(reflect.TypeFor[*everything.Everything]())
	seen := map[string]int{}
	for _, m := range randomValues(st, everythingValues) {
		collect(&typeInfo{ttype: athrift.STRUCT, st: st}, reflect.ValueOf(m), seen)
	}
	want := []string{"nil struct", "unset optional", "set optional", "union number", "union text",
		"union point", "union words", "nil container", "empty container", "large container",
		"multi-entry map", "one-entry map", "min int", "max int", "negative int", "undefined enum",
		"defined enum", "negative zero", "infinity", "empty string", "non-ASCII string", "invalid UTF-8",
		"nil binary", "empty binary", "nested containers", "depth 3 struct"}
	for _, w := range want {
		if seen[w] == 0 {
			t.Errorf("no %s in %d values", w, everythingValues)
		}
	}
	keys := slices.Sorted(maps.Keys(seen))
	for _, k := range keys {
		t.Logf("%-18s %d", k, seen[k])
	}
}

// collect counts the kinds of values in v, of type t.
func collect(t *typeInfo, v reflect.Value, seen map[string]int) {
	collectAt(t, v, seen, 0)
}

func collectAt(t *typeInfo, v reflect.Value, seen map[string]int, depth int) {
	switch t.ttype {
	case athrift.STRUCT:
		collectStruct(t.st, v, seen, depth)
	case athrift.LIST, athrift.SET, athrift.MAP:
		collectContainer(t, v, seen, depth)
	case athrift.BYTE, athrift.I16, athrift.I32, athrift.I64:
		collectInt(t, v.Int(), seen)
	case athrift.DOUBLE:
		if f := v.Float(); f == 0 && math.Signbit(f) {
			seen["negative zero"]++
		} else if math.IsInf(f, 0) {
			seen["infinity"]++
		}
	case athrift.STRING:
		collectString(t, v, seen)
	}
}

func collectStruct(st *structInfo, v reflect.Value, seen map[string]int, depth int) {
	if v.IsNil() {
		seen["nil struct"]++
		return
	}
	if depth == 3 {
		seen["depth 3 struct"]++
	}
	for i := range st.fields {
		f := &st.fields[i]
		fv, ok := fieldValue(v, f)
		switch {
		case !ok:
			seen["unset optional"]++
			continue
		case st.union:
			seen["union "+f.name]++
		case f.req == reqOptional:
			seen["set optional"]++
		}
		collectAt(f.t, fv, seen, depth+1)
	}
}

func collectContainer(t *typeInfo, v reflect.Value, seen map[string]int, depth int) {
	switch n := v.Len(); {
	case v.IsNil():
		seen["nil container"]++
	case n == 0:
		seen["empty container"]++
	case n >= 50:
		seen["large container"]++
	}
	if t.elem.ttype == athrift.LIST || t.elem.ttype == athrift.SET || t.elem.ttype == athrift.MAP {
		seen["nested containers"]++
	}
	if t.ttype != athrift.MAP {
		for i := range v.Len() {
			collectAt(t.elem, v.Index(i), seen, depth)
		}
		return
	}
	if v.Len() > 1 {
		seen["multi-entry map"]++
	} else if v.Len() == 1 {
		seen["one-entry map"]++
	}
	for it := v.MapRange(); it.Next(); {
		collectAt(t.key, it.Key(), seen, depth)
		collectAt(t.elem, it.Value(), seen, depth)
	}
}

func collectInt(t *typeInfo, x int64, seen map[string]int) {
	if t.enum {
		if slices.Contains(enumValues[t.gotype], x) {
			seen["defined enum"]++
		} else {
			seen["undefined enum"]++
		}
		return
	}
	bits := t.gotype.Bits()
	switch {
	case x == -1<<(bits-1):
		seen["min int"]++
	case x == 1<<(bits-1)-1:
		seen["max int"]++
	case x < 0:
		seen["negative int"]++
	}
}

func collectString(t *typeInfo, v reflect.Value, seen map[string]int) {
	if t.binary {
		if v.IsNil() {
			seen["nil binary"]++
		} else if v.Len() == 0 {
			seen["empty binary"]++
		}
		return
	}
	s := v.String()
	switch {
	case s == "":
		seen["empty string"]++
	case !utf8.ValidString(s):
		seen["invalid UTF-8"]++
	default:
		for _, r := range s {
			if r >= utf8.RuneSelf {
				seen["non-ASCII string"]++
				break
			}
		}
	}
}
