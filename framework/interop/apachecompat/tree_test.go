package apachecompat_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	athrift "github.com/apache/thrift/lib/go/thrift"
)

// node is a Thrift value without a schema: what the wire says, nothing more. Trees built from a Tern
// value (valueTree) and read by Apache's protocol (apacheDecodeTree) are compared by their String.
type node struct {
	t      athrift.TType
	scalar string        // BOOL … STRING: the value, rendered exactly
	fields []fieldNode   // STRUCT, in wire order
	kt, et athrift.TType // MAP key type; LIST, SET and MAP element (value) type
	elems  []node        // LIST, SET; for MAP key, value, key, value …
}

type fieldNode struct {
	id int16
	v  node
}

// String renders n canonically: struct fields in wire order, list and set elements in order, map
// entries sorted by their rendered keys (map order on the wire is Go's random iteration order).
func (n node) String() string {
	var b strings.Builder
	n.render(&b)
	return b.String()
}

func (n node) render(b *strings.Builder) {
	switch n.t {
	case athrift.STRUCT:
		b.WriteByte('{')
		for i, f := range n.fields {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.Itoa(int(f.id)))
			b.WriteByte(':')
			f.v.render(b)
		}
		b.WriteByte('}')
	case athrift.LIST, athrift.SET:
		b.WriteString(typeName(n.t) + "<" + typeName(n.et) + ">[")
		for i, e := range n.elems {
			if i > 0 {
				b.WriteByte(' ')
			}
			e.render(b)
		}
		b.WriteByte(']')
	case athrift.MAP:
		entries := make([]string, 0, len(n.elems)/2)
		for i := 0; i+1 < len(n.elems); i += 2 {
			entries = append(entries, n.elems[i].String()+"=>"+n.elems[i+1].String())
		}
		slices.Sort(entries)
		b.WriteString("map<" + typeName(n.kt) + "," + typeName(n.et) + ">{")
		b.WriteString(strings.Join(entries, " "))
		b.WriteByte('}')
	default:
		b.WriteString(typeName(n.t))
		b.WriteByte('(')
		b.WriteString(n.scalar)
		b.WriteByte(')')
	}
}

func typeName(t athrift.TType) string {
	switch t {
	case athrift.BOOL:
		return "bool"
	case athrift.BYTE:
		return "byte"
	case athrift.I16:
		return "i16"
	case athrift.I32:
		return "i32"
	case athrift.I64:
		return "i64"
	case athrift.DOUBLE:
		return "double"
	case athrift.STRING:
		return "string"
	case athrift.STRUCT:
		return "struct"
	case athrift.MAP:
		return "map"
	case athrift.SET:
		return "set"
	case athrift.LIST:
		return "list"
	}
	return "type" + strconv.Itoa(int(t))
}

func boolNode(v bool) node { return node{t: athrift.BOOL, scalar: strconv.FormatBool(v)} }
func intNode(t athrift.TType, v int64) node {
	return node{t: t, scalar: strconv.FormatInt(v, 10)}
}
func doubleNode(v float64) node {
	return node{t: athrift.DOUBLE, scalar: strconv.FormatFloat(v, 'g', -1, 64)}
}

// stringNode renders a string or binary as its length and raw bytes: unambiguous, and cheaper than
// quoting (firstDiff quotes what it shows).
func stringNode(v string) node {
	return node{t: athrift.STRING, scalar: strconv.Itoa(len(v)) + ":" + v}
}

// valueTree is the tree of v, of type t, with the presence rules apacheWriteStruct follows.
func valueTree(t *typeInfo, v reflect.Value) node {
	switch t.ttype {
	case athrift.BOOL:
		return boolNode(v.Bool())
	case athrift.BYTE, athrift.I16, athrift.I32, athrift.I64:
		if t.enum {
			return intNode(t.ttype, int64(int32(v.Int())))
		}
		return intNode(t.ttype, v.Int())
	case athrift.DOUBLE:
		return doubleNode(v.Float())
	case athrift.STRING:
		if t.binary {
			return stringNode(string(v.Bytes()))
		}
		return stringNode(v.String())
	case athrift.STRUCT:
		n := node{t: athrift.STRUCT}
		if v.IsNil() {
			return n
		}
		for i := range t.st.fields {
			f := &t.st.fields[i]
			if fv, ok := fieldValue(v, f); ok {
				n.fields = append(n.fields, fieldNode{id: f.id, v: valueTree(f.t, fv)})
			}
		}
		return n
	case athrift.LIST, athrift.SET:
		n := node{t: t.ttype, et: t.elem.ttype, elems: make([]node, 0, v.Len())}
		for i := range v.Len() {
			n.elems = append(n.elems, valueTree(t.elem, v.Index(i)))
		}
		return n
	case athrift.MAP:
		n := node{t: athrift.MAP, kt: t.key.ttype, et: t.elem.ttype, elems: make([]node, 0, 2*v.Len())}
		for it := v.MapRange(); it.Next(); {
			n.elems = append(n.elems, valueTree(t.key, it.Key()), valueTree(t.elem, it.Value()))
		}
		return n
	}
	panic(fmt.Sprintf("unexpected type %v", t.ttype))
}

// apacheDecodeTree reads one struct from b with Apache's TBinaryProtocol, which must consume b.
func apacheDecodeTree(b []byte) (node, error) {
	buf := athrift.NewTMemoryBuffer()
	buf.Write(b)
	p := athrift.NewTBinaryProtocolConf(buf, &athrift.TConfiguration{})
	n, err := apacheReadTree(context.Background(), p, athrift.STRUCT)
	if err != nil {
		return node{}, err
	}
	if rest := buf.Len(); rest != 0 {
		return node{}, fmt.Errorf("%d bytes left after the struct", rest)
	}
	return n, nil
}

// apacheReadTree reads a value of type t with Apache's protocol calls.
func apacheReadTree(ctx context.Context, r athrift.TProtocol, t athrift.TType) (node, error) {
	switch t {
	case athrift.BOOL:
		v, err := r.ReadBool(ctx)
		return boolNode(v), err
	case athrift.BYTE:
		v, err := r.ReadByte(ctx)
		return intNode(t, int64(v)), err
	case athrift.I16:
		v, err := r.ReadI16(ctx)
		return intNode(t, int64(v)), err
	case athrift.I32:
		v, err := r.ReadI32(ctx)
		return intNode(t, int64(v)), err
	case athrift.I64:
		v, err := r.ReadI64(ctx)
		return intNode(t, v), err
	case athrift.DOUBLE:
		v, err := r.ReadDouble(ctx)
		return doubleNode(v), err
	case athrift.STRING:
		v, err := r.ReadBinary(ctx)
		return stringNode(string(v)), err
	case athrift.STRUCT:
		return apacheReadStruct(ctx, r)
	case athrift.LIST, athrift.SET:
		return apacheReadList(ctx, r, t)
	case athrift.MAP:
		return apacheReadMap(ctx, r)
	}
	return node{}, fmt.Errorf("unexpected type %v", t)
}

func apacheReadStruct(ctx context.Context, r athrift.TProtocol) (node, error) {
	n := node{t: athrift.STRUCT}
	if _, err := r.ReadStructBegin(ctx); err != nil {
		return n, err
	}
	for {
		_, ft, id, err := r.ReadFieldBegin(ctx)
		if err != nil {
			return n, err
		}
		if ft == athrift.STOP {
			break
		}
		v, err := apacheReadTree(ctx, r, ft)
		if err != nil {
			return n, fmt.Errorf("field %d: %w", id, err)
		}
		n.fields = append(n.fields, fieldNode{id: id, v: v})
		if err := r.ReadFieldEnd(ctx); err != nil {
			return n, err
		}
	}
	return n, r.ReadStructEnd(ctx)
}

func apacheReadList(ctx context.Context, r athrift.TProtocol, t athrift.TType) (node, error) {
	begin, end := r.ReadListBegin, r.ReadListEnd
	if t == athrift.SET {
		begin, end = r.ReadSetBegin, r.ReadSetEnd
	}
	et, size, err := begin(ctx)
	if err != nil {
		return node{}, err
	}
	n := node{t: t, et: et, elems: make([]node, 0, size)}
	for range size {
		e, err := apacheReadTree(ctx, r, et)
		if err != nil {
			return n, err
		}
		n.elems = append(n.elems, e)
	}
	return n, end(ctx)
}

func apacheReadMap(ctx context.Context, r athrift.TProtocol) (node, error) {
	kt, vt, size, err := r.ReadMapBegin(ctx)
	if err != nil {
		return node{}, err
	}
	n := node{t: athrift.MAP, kt: kt, et: vt, elems: make([]node, 0, 2*size)}
	for range size {
		k, err := apacheReadTree(ctx, r, kt)
		if err != nil {
			return n, err
		}
		v, err := apacheReadTree(ctx, r, vt)
		if err != nil {
			return n, err
		}
		n.elems = append(n.elems, k, v)
	}
	return n, r.ReadMapEnd(ctx)
}

// firstDiff shows where two renderings part, with some context.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-60)
	return fmt.Sprintf("at %d:\n  got  …%q\n  want …%q", i, clip(a[from:], 160), clip(b[from:], 160))
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
