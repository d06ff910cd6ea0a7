package apachecompat_test

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	athrift "github.com/apache/thrift/lib/go/thrift"

	"github.com/ternhq/tern/framework/codec/thrift"
	"github.com/ternhq/tern/framework/interop/gen/base"
	"github.com/ternhq/tern/framework/interop/gen/everything"
)

// generated lists the constructor of every generated struct the tests use, and which are unions. A
// struct reachable from one of them must be listed too: structFor refuses unknown struct types.
var generated = []struct {
	newFn func() thrift.Message
	union bool
}{
	{func() thrift.Message { return everything.NewPoint() }, false},
	{func() thrift.Message { return everything.NewEverything() }, false},
	{func() thrift.Message { return everything.NewDefaults() }, false},
	{func() thrift.Message { return everything.NewRequired() }, false},
	{func() thrift.Message { return everything.NewNarrow() }, false},
	{func() thrift.Message { return everything.NewChoice() }, true},
	{func() thrift.Message { return everything.NewFailure() }, false},
	{func() thrift.Message { return everything.NewTagged() }, false},
	{func() thrift.Message { return everything.NewTree() }, false},
	{func() thrift.Message { return everything.NewNames() }, false},
	{func() thrift.Message { return everything.NewEmpty() }, false},
	{func() thrift.Message { return everything.NewLineItem() }, false},
	{func() thrift.Message { return everything.NewOrder() }, false},
	{func() thrift.Message { return everything.NewStoreEchoArgs() }, false},
	{func() thrift.Message { return everything.NewStoreEchoResult() }, false},
	{func() thrift.Message { return everything.NewStorePutArgs() }, false},
	{func() thrift.Message { return everything.NewStorePointsArgs() }, false},
	{func() thrift.Message { return everything.NewStorePointsResult() }, false},
	{func() thrift.Message { return everything.NewStorePricesArgs() }, false},
	{func() thrift.Message { return everything.NewStorePricesResult() }, false},
	{func() thrift.Message { return everything.NewStorePickArgs() }, false},
	{func() thrift.Message { return everything.NewStoreRawResult() }, false},
	{func() thrift.Message { return everything.NewStorePayArgs() }, false},
	{func() thrift.Message { return everything.NewStoreCheckResult() }, false},
	{func() thrift.Message { return everything.NewStoreKeywordsArgs() }, false},
	{func() thrift.Message { return base.NewMoney() }, false},
	{func() thrift.Message { return base.NewNotFound() }, false},
}

type requiredness int

const (
	reqDefault requiredness = iota
	reqOptional
	reqRequired
)

// typeInfo describes how a Go type of generated code travels on the wire.
type typeInfo struct {
	ttype  athrift.TType
	gotype reflect.Type
	enum   bool        // a Go int64 enum, an i32 on the wire
	binary bool        // []byte, a STRING on the wire
	key    *typeInfo   // map key
	elem   *typeInfo   // list or set element, map value
	st     *structInfo // ttype == STRUCT; gotype is the pointer
}

// structInfo describes a generated struct, from its tags.
type structInfo struct {
	name     string
	gotype   reflect.Type // the struct type, not the pointer
	union    bool
	newFn    func() thrift.Message
	fields   []fieldInfo // in ascending id order
	required bool        // some field is required: a nil value of this struct cannot be read back
	idlOrder bool        // the Go fields (so the IDL fields) are declared in ascending id order
}

// fieldInfo is one field of a structInfo.
type fieldInfo struct {
	name   string // IDL name
	goName string
	id     int16
	req    requiredness
	index  int
	t      *typeInfo
}

var models struct {
	once    sync.Once
	err     error
	ctors   map[reflect.Type]*structInfo
	structs map[reflect.Type]*structInfo
}

// structFor returns the model of the generated struct whose pointer type is pt.
func structFor(pt reflect.Type) (*structInfo, error) {
	models.once.Do(func() {
		models.ctors = map[reflect.Type]*structInfo{}
		models.structs = map[reflect.Type]*structInfo{}
		for _, g := range generated {
			t := reflect.TypeOf(g.newFn()).Elem()
			models.ctors[t] = &structInfo{name: t.Name(), gotype: t, union: g.union, newFn: g.newFn}
		}
		for _, g := range generated {
			if _, err := buildStruct(reflect.TypeOf(g.newFn()).Elem()); err != nil {
				models.err = err
				return
			}
		}
	})
	if models.err != nil {
		return nil, models.err
	}
	if pt.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("%v is not a pointer to a generated struct", pt)
	}
	if st := models.structs[pt.Elem()]; st != nil {
		return st, nil
	}
	return nil, fmt.Errorf("%v is not in the generated list", pt)
}

// mustStruct is structFor for types known to be listed.
func mustStruct(pt reflect.Type) *structInfo {
	st, err := structFor(pt)
	if err != nil {
		panic(err)
	}
	return st
}

// buildStruct models t, caching it first so that recursive types terminate.
func buildStruct(t reflect.Type) (*structInfo, error) {
	if st := models.structs[t]; st != nil {
		return st, nil
	}
	st := models.ctors[t]
	if st == nil {
		return nil, fmt.Errorf("struct %v is not in the generated list", t)
	}
	models.structs[t] = st
	st.idlOrder = true
	for i := range t.NumField() {
		f := t.Field(i)
		fi, err := buildField(f)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
		}
		fi.index = i
		if n := len(st.fields); n > 0 && st.fields[n-1].id > fi.id {
			st.idlOrder = false
		}
		st.required = st.required || fi.req == reqRequired
		st.fields = append(st.fields, fi)
	}
	sortFields(st.fields)
	return st, nil
}

func sortFields(fs []fieldInfo) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j-1].id > fs[j].id; j-- {
			fs[j-1], fs[j] = fs[j], fs[j-1]
		}
	}
}

// buildField reads `thrift:"name,id[,optional|required]"` and the type expression of
// `frugal:"id,requiredness,type"`.
func buildField(f reflect.StructField) (fieldInfo, error) {
	parts := strings.Split(f.Tag.Get("thrift"), ",")
	if len(parts) < 2 {
		return fieldInfo{}, fmt.Errorf("no thrift tag")
	}
	id, err := strconv.ParseInt(parts[1], 10, 16)
	if err != nil {
		return fieldInfo{}, fmt.Errorf("thrift tag id: %w", err)
	}
	fi := fieldInfo{name: parts[0], goName: f.Name, id: int16(id)}
	if len(parts) > 2 {
		switch parts[2] {
		case "optional":
			fi.req = reqOptional
		case "required":
			fi.req = reqRequired
		default:
			return fieldInfo{}, fmt.Errorf("thrift tag requiredness %q", parts[2])
		}
	}
	frugal := strings.SplitN(f.Tag.Get("frugal"), ",", 3)
	if len(frugal) != 3 {
		return fieldInfo{}, fmt.Errorf("no frugal tag")
	}
	gt := f.Type
	if fi.req == reqOptional && gt.Kind() == reflect.Pointer && gt.Elem().Kind() != reflect.Struct {
		gt = gt.Elem() // an optional scalar: the pointer only marks presence
	}
	fi.t, err = buildType(gt, frugal[2])
	return fi, err
}

// buildType models a Go type whose IDL type expression is expr ("list<map<string:i32>>", "Color").
func buildType(gt reflect.Type, expr string) (*typeInfo, error) {
	t := &typeInfo{gotype: gt}
	head, args, err := splitExpr(expr)
	if err != nil {
		return nil, err
	}
	switch head {
	case "list", "set":
		if gt.Kind() != reflect.Slice || len(args) != 1 {
			return nil, fmt.Errorf("%s is not a %v", expr, gt)
		}
		t.ttype = athrift.LIST
		if head == "set" {
			t.ttype = athrift.SET
		}
		t.elem, err = buildType(gt.Elem(), args[0])
		return t, err
	case "map":
		if gt.Kind() != reflect.Map || len(args) != 2 {
			return nil, fmt.Errorf("%s is not a %v", expr, gt)
		}
		t.ttype = athrift.MAP
		if t.key, err = buildType(gt.Key(), args[0]); err != nil {
			return nil, err
		}
		t.elem, err = buildType(gt.Elem(), args[1])
		return t, err
	}
	switch gt.Kind() {
	case reflect.Bool:
		t.ttype = athrift.BOOL
	case reflect.Int8:
		t.ttype = athrift.BYTE
	case reflect.Int16:
		t.ttype = athrift.I16
	case reflect.Int32:
		t.ttype = athrift.I32
	case reflect.Int64:
		t.ttype = athrift.I64
		if expr != "i64" { // an enum: a named int64 type with a String method
			if _, ok := reflect.Zero(gt).Interface().(fmt.Stringer); !ok || gt.PkgPath() == "" {
				return nil, fmt.Errorf("%v (%s) is neither i64 nor an enum", gt, expr)
			}
			t.ttype, t.enum = athrift.I32, true
		}
	case reflect.Float64:
		t.ttype = athrift.DOUBLE
	case reflect.String:
		t.ttype = athrift.STRING
	case reflect.Slice:
		if gt.Elem().Kind() != reflect.Uint8 {
			return nil, fmt.Errorf("%v for %s", gt, expr)
		}
		t.ttype, t.binary = athrift.STRING, true
	case reflect.Pointer:
		t.ttype = athrift.STRUCT
		if t.st, err = buildStruct(gt.Elem()); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unsupported Go type %v for %s", gt, expr)
	}
	return t, nil
}

// splitExpr splits "map<K:V>" into "map", [K, V] and "list<E>" into "list", [E]; a name has no args.
func splitExpr(expr string) (string, []string, error) {
	open := strings.IndexByte(expr, '<')
	if open < 0 {
		return expr, nil, nil
	}
	if !strings.HasSuffix(expr, ">") {
		return "", nil, fmt.Errorf("bad type expression %q", expr)
	}
	head, inner := expr[:open], expr[open+1:len(expr)-1]
	if head != "map" {
		return head, []string{inner}, nil
	}
	depth := 0
	for i, c := range inner {
		switch c {
		case '<':
			depth++
		case '>':
			depth--
		case ':':
			if depth == 0 {
				return head, []string{inner[:i], inner[i+1:]}, nil
			}
		}
	}
	return "", nil, fmt.Errorf("bad map expression %q", expr)
}

// isSet reports whether the optional field f of the struct pointed to by p is set, through the
// generated IsSet method.
func isSet(p reflect.Value, f *fieldInfo) bool {
	m := p.MethodByName("IsSet" + f.goName)
	if !m.IsValid() {
		panic(fmt.Sprintf("%v has no IsSet%s", p.Type(), f.goName))
	}
	return m.Call(nil)[0].Bool()
}
