package apachecompat_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	athrift "github.com/apache/thrift/lib/go/thrift"

	"github.com/ternhq/tern/framework/codec/thrift"
)

// Errors for values Apache's generated Write refuses (or, for a nil union, panics on).
var (
	errUnionCount = errors.New("union: exactly one field must be set")
	errNilUnion   = errors.New("nil union in a default or required field")
	errSetUnique  = errors.New("set: elements are not unique")
)

// apacheEncode writes the generated struct m with Apache's TBinaryProtocol over a TMemoryBuffer.
func apacheEncode(m thrift.Message) ([]byte, error) {
	buf := athrift.NewTMemoryBuffer()
	p := athrift.NewTBinaryProtocolConf(buf, &athrift.TConfiguration{})
	ctx := context.Background()
	v := reflect.ValueOf(m)
	if err := apacheWriteStruct(ctx, p, mustStruct(v.Type()), v); err != nil {
		return nil, err
	}
	if err := p.Flush(ctx); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// apacheWriteStruct writes the struct p points to as Apache's generated Write would: fields in
// ascending id order, optional ones only when set, a nil struct as an empty one.
func apacheWriteStruct(ctx context.Context, w athrift.TProtocol, st *structInfo, p reflect.Value) error {
	if st.union {
		if p.IsNil() {
			return errNilUnion
		}
		if n := countSet(st, p); n != 1 {
			return fmt.Errorf("%s: %w (%d set)", st.name, errUnionCount, n)
		}
	}
	if err := w.WriteStructBegin(ctx, st.name); err != nil {
		return err
	}
	if !p.IsNil() {
		for i := range st.fields {
			f := &st.fields[i]
			v, ok := fieldValue(p, f)
			if !ok {
				continue
			}
			if err := w.WriteFieldBegin(ctx, f.name, f.t.ttype, f.id); err != nil {
				return err
			}
			if err := apacheWriteValue(ctx, w, f.t, v); err != nil {
				return fmt.Errorf("%s.%s: %w", st.name, f.name, err)
			}
			if err := w.WriteFieldEnd(ctx); err != nil {
				return err
			}
		}
	}
	if err := w.WriteFieldStop(ctx); err != nil {
		return err
	}
	return w.WriteStructEnd(ctx)
}

// fieldValue returns the value of field f of the struct p points to, and false for an unset optional
// field. Optional scalars are dereferenced.
func fieldValue(p reflect.Value, f *fieldInfo) (reflect.Value, bool) {
	if f.req == reqOptional && !isSet(p, f) {
		return reflect.Value{}, false
	}
	v := p.Elem().Field(f.index)
	if v.Kind() == reflect.Pointer && f.t.ttype != athrift.STRUCT {
		v = v.Elem()
	}
	return v, true
}

// countSet counts the set fields of the union p points to.
func countSet(st *structInfo, p reflect.Value) int {
	n := 0
	for i := range st.fields {
		if isSet(p, &st.fields[i]) {
			n++
		}
	}
	return n
}

// apacheWriteValue writes v, of type t, with Apache's protocol calls.
func apacheWriteValue(ctx context.Context, w athrift.TProtocol, t *typeInfo, v reflect.Value) error {
	switch t.ttype {
	case athrift.BOOL:
		return w.WriteBool(ctx, v.Bool())
	case athrift.BYTE:
		return w.WriteByte(ctx, int8(v.Int()))
	case athrift.I16:
		return w.WriteI16(ctx, int16(v.Int()))
	case athrift.I32:
		return w.WriteI32(ctx, int32(v.Int()))
	case athrift.I64:
		return w.WriteI64(ctx, v.Int())
	case athrift.DOUBLE:
		return w.WriteDouble(ctx, v.Float())
	case athrift.STRING:
		if t.binary {
			return w.WriteBinary(ctx, v.Bytes())
		}
		return w.WriteString(ctx, v.String())
	case athrift.STRUCT:
		return apacheWriteStruct(ctx, w, t.st, v)
	case athrift.LIST:
		return apacheWriteList(ctx, w, t, v)
	case athrift.SET:
		if !uniqueElems(t.elem, v) {
			return errSetUnique
		}
		return apacheWriteList(ctx, w, t, v)
	case athrift.MAP:
		return apacheWriteMap(ctx, w, t, v)
	}
	return fmt.Errorf("unexpected type %v", t.ttype)
}

func apacheWriteList(ctx context.Context, w athrift.TProtocol, t *typeInfo, v reflect.Value) error {
	begin, end := w.WriteListBegin, w.WriteListEnd
	if t.ttype == athrift.SET {
		begin, end = w.WriteSetBegin, w.WriteSetEnd
	}
	if err := begin(ctx, t.elem.ttype, v.Len()); err != nil {
		return err
	}
	for i := range v.Len() {
		if err := apacheWriteValue(ctx, w, t.elem, v.Index(i)); err != nil {
			return err
		}
	}
	return end(ctx)
}

func apacheWriteMap(ctx context.Context, w athrift.TProtocol, t *typeInfo, v reflect.Value) error {
	if err := w.WriteMapBegin(ctx, t.key.ttype, t.elem.ttype, v.Len()); err != nil {
		return err
	}
	for it := v.MapRange(); it.Next(); {
		if err := apacheWriteValue(ctx, w, t.key, it.Key()); err != nil {
			return err
		}
		if err := apacheWriteValue(ctx, w, t.elem, it.Value()); err != nil {
			return err
		}
	}
	return w.WriteMapEnd(ctx)
}

// uniqueElems reports whether the elements of the set v differ by content, the check Apache's
// generated Write makes before writing a set.
func uniqueElems(t *typeInfo, v reflect.Value) bool {
	seen := make(map[string]bool, v.Len())
	for i := range v.Len() {
		k := valueTree(t, v.Index(i)).String()
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}
