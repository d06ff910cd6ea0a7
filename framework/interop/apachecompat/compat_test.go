package apachecompat_test

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"reflect"
	"sync"
	"testing"

	athrift "github.com/apache/thrift/lib/go/thrift"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/interop/gen/everything"
)

// TestModel checks the tag-derived models the bridge relies on, including the assumption behind the
// byte-for-byte comparison: Tern writes fields in IDL order, Apache in ascending id order, which agree
// because every struct of everything.thrift declares its fields in ascending id order.
func TestModel(t *testing.T) {
	for _, g := range generated {
		st, err := structFor(reflect.TypeOf(g.newFn()))
		if err != nil {
			t.Fatal(err)
		}
		if !st.idlOrder {
			t.Errorf("%s declares its fields out of id order: Tern's bytes would differ from Apache's", st.name)
		}
	}
	e := mustStruct(reflect.TypeFor[*everything.Everything]())
	want := map[string]string{
		"deep":        "list<map<string,list<set<i32>>>>",
		"by_point":    "map<struct,string>",
		"colors":      "set<i32>",
		"blob_map":    "map<string,string>",
		"children":    "map<string,struct>",
		"a_color":     "i32",
		"an_i64":      "i64",
		"item_id":     "string",
		"statuses":    "list<i32>",
		"a_binary":    "string",
		"cube":        "list<list<list<double>>>",
		"choices":     "list<struct>",
		"a_point":     "struct",
		"scores":      "map<string,i64>",
		"tags":        "set<string>",
		"nested_maps": "map<i64,map<i16,bool>>",
	}
	for _, f := range e.fields {
		if w, ok := want[f.name]; ok && typeString(f.t) != w {
			t.Errorf("Everything.%s: model %s, want %s", f.name, typeString(f.t), w)
		}
	}
}

func typeString(t *typeInfo) string {
	switch t.ttype {
	case athrift.LIST, athrift.SET:
		return typeName(t.ttype) + "<" + typeString(t.elem) + ">"
	case athrift.MAP:
		return "map<" + typeString(t.key) + "," + typeString(t.elem) + ">"
	}
	return typeName(t.ttype)
}

// everythingValues is how many random Everything values TestRandomValues checks; other types get
// otherValues each.
const (
	everythingValues = 300
	otherValues      = 30
)

// seedFor is the seed of the j-th random value of the named type.
func seedFor(name string, j int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64() ^ uint64(j)
}

var valueCache sync.Map // type name → []thrift.Message

// randomValues returns n random values of st, the same on every call: value j comes from
// seedFor(st.name, j), and every other one has maps of at most one entry.
func randomValues(st *structInfo, n int) []thrift.Message {
	if v, ok := valueCache.Load(st.name); ok && len(v.([]thrift.Message)) == n {
		return v.([]thrift.Message)
	}
	ms := make([]thrift.Message, n)
	for j := range ms {
		ms[j] = newGen(seedFor(st.name, j), j%2 == 0).message(st)
	}
	valueCache.Store(st.name, ms)
	return ms
}

// TestRandomValues runs checkCompat on generated values of every listed type: half of them with at
// most one entry per map, so that their bytes can be compared exactly.
func TestRandomValues(t *testing.T) {
	total, exact := 0, 0
	for _, g := range generated {
		st := mustStruct(reflect.TypeOf(g.newFn()))
		n := otherValues
		if st.name == "Everything" {
			n = everythingValues
		}
		t.Run(st.name, func(t *testing.T) {
			for j, m := range randomValues(st, n) {
				if checkCompat(t, st, m, fmt.Sprintf("value %d (seed %#x)", j, seedFor(st.name, j))) {
					exact++
				}
				total++
			}
		})
	}
	t.Logf("%d values: %d compared byte for byte, %d (with larger maps) as trees", total, exact, total-exact)
	if exact < total*2/5 || total-exact < 50 {
		t.Errorf("%d of %d values compared byte for byte: too few of one kind", exact, total)
	}
}

// checkCompat checks m both ways and reports whether its bytes were compared exactly:
//   - Tern's bytes, read by Apache's TBinaryProtocol, make the tree of m;
//   - Apache's bytes decode with Tern's FastRead to a value equivalent to m;
//   - Tern's bytes equal Apache's when every map has at most one entry, else they make the same tree.
func checkCompat(t *testing.T, st *structInfo, m thrift.Message, label string) bool {
	t.Helper()
	v := reflect.ValueOf(m)
	tern := thrift.Marshal(m)
	if len(tern) != m.BLength() {
		t.Fatalf("%s: Marshal wrote %d bytes, BLength says %d", label, len(tern), m.BLength())
	}
	want := valueTree(&typeInfo{ttype: athrift.STRUCT, gotype: v.Type(), st: st}, v).String()
	tree, err := apacheDecodeTree(tern)
	if err != nil {
		t.Fatalf("%s: Apache cannot read Tern's bytes: %v\n%s", label, err, clip(fmt.Sprintf("%x", tern), 400))
	}
	if got := tree.String(); got != want {
		t.Fatalf("%s: Apache reads Tern's bytes as another tree %s", label, firstDiff(got, want))
	}

	apache, err := apacheEncode(m)
	if err != nil {
		t.Fatalf("%s: Apache cannot write the value: %v", label, err)
	}
	got := st.newFn()
	if err := thrift.Unmarshal(apache, got); err != nil {
		t.Fatalf("%s: Tern cannot read Apache's bytes: %v", label, err)
	}
	if err := equivalent(st, v, reflect.ValueOf(got)); err != nil {
		t.Fatalf("%s: Tern reads Apache's bytes as another value: %v", label, err)
	}

	if mapsAtMostOne(v) {
		if !bytes.Equal(tern, apache) {
			t.Fatalf("%s: bytes differ at %d:\ntern   %s\napache %s", label, diffIndex(tern, apache),
				clip(fmt.Sprintf("%x", tern), 400), clip(fmt.Sprintf("%x", apache), 400))
		}
		return true
	}
	if len(tern) != len(apache) {
		t.Fatalf("%s: Tern wrote %d bytes, Apache %d", label, len(tern), len(apache))
	}
	atree, err := apacheDecodeTree(apache)
	if err != nil {
		t.Fatalf("%s: Apache cannot read its own bytes: %v", label, err)
	}
	if got := atree.String(); got != want {
		t.Fatalf("%s: Apache's bytes make another tree %s", label, firstDiff(got, want))
	}
	return false
}

func diffIndex(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// mapsAtMostOne reports whether no map anywhere in the struct v points to has more than one entry.
func mapsAtMostOne(v reflect.Value) bool {
	return walkMaps(mustStruct(v.Type()), v)
}

func walkMaps(st *structInfo, p reflect.Value) bool {
	if p.IsNil() {
		return true
	}
	for i := range st.fields {
		if fv, ok := fieldValue(p, &st.fields[i]); ok && !walkValue(st.fields[i].t, fv) {
			return false
		}
	}
	return true
}

func walkValue(t *typeInfo, v reflect.Value) bool {
	switch t.ttype {
	case athrift.STRUCT:
		return walkMaps(t.st, v)
	case athrift.LIST, athrift.SET:
		for i := range v.Len() {
			if !walkValue(t.elem, v.Index(i)) {
				return false
			}
		}
	case athrift.MAP:
		if v.Len() > 1 {
			return false
		}
		for it := v.MapRange(); it.Next(); {
			if !walkValue(t.key, it.Key()) || !walkValue(t.elem, it.Value()) {
				return false
			}
		}
	}
	return true
}
