package apachecompat_test

import (
	"bytes"
	"fmt"
	"math"
	"reflect"

	athrift "github.com/apache/thrift/lib/go/thrift"
)

// equivalent reports how got, decoded from the encoding of want, differs from it, or nil. It is
// reflect.DeepEqual except for the rules of the package documentation: in default and required
// positions nil and empty containers and binaries are equal and a nil struct equals its
// constructor's value; maps keyed by struct pointers match keys by content; doubles compare by bits.
// want and got are pointers to the generated struct st.
func equivalent(st *structInfo, want, got reflect.Value) error {
	return eqStruct(st, want, got, st.name)
}

func eqStruct(st *structInfo, want, got reflect.Value, path string) error {
	if want.IsNil() || got.IsNil() {
		if want.IsNil() && got.IsNil() {
			return nil
		}
		return fmt.Errorf("%s: nil %v, got %v", path, want.IsNil(), got.IsNil())
	}
	for i := range st.fields {
		f := &st.fields[i]
		p := path + "." + f.name
		w, g := want.Elem().Field(f.index), got.Elem().Field(f.index)
		if f.req == reqOptional {
			ws, gs := isSet(want, f), isSet(got, f)
			if ws != gs {
				return fmt.Errorf("%s: set %v, got set %v", p, ws, gs)
			}
			if w.Kind() == reflect.Pointer && f.t.ttype != athrift.STRUCT {
				if !ws {
					continue
				}
				w, g = w.Elem(), g.Elem()
			}
		}
		if err := eqValue(f.t, w, g, f.req != reqOptional, p); err != nil {
			return err
		}
	}
	return nil
}

// eqValue compares w and g of type t; loose is true where nil stands for empty (rules 1 and 2).
func eqValue(t *typeInfo, w, g reflect.Value, loose bool, path string) error {
	switch t.ttype {
	case athrift.STRUCT:
		if loose && w.IsNil() && !g.IsNil() {
			w = reflect.ValueOf(t.st.newFn())
		}
		return eqStruct(t.st, w, g, path)
	case athrift.LIST, athrift.SET:
		if err := eqNil(w, g, loose, path); err != nil {
			return err
		}
		if w.Len() != g.Len() {
			return fmt.Errorf("%s: %d elements, got %d", path, w.Len(), g.Len())
		}
		for i := range w.Len() {
			if err := eqValue(t.elem, w.Index(i), g.Index(i), true, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case athrift.MAP:
		return eqMap(t, w, g, loose, path)
	case athrift.DOUBLE:
		if math.Float64bits(w.Float()) != math.Float64bits(g.Float()) {
			return fmt.Errorf("%s: %v, got %v", path, w.Float(), g.Float())
		}
		return nil
	case athrift.STRING:
		if t.binary { // nil-ness of optional binaries is checked by IsSet; elsewhere it is loose
			if !bytes.Equal(w.Bytes(), g.Bytes()) {
				return fmt.Errorf("%s: %x, got %x", path, w.Bytes(), g.Bytes())
			}
			return nil
		}
	}
	if !reflect.DeepEqual(w.Interface(), g.Interface()) {
		return fmt.Errorf("%s: %#v, got %#v", path, w.Interface(), g.Interface())
	}
	return nil
}

// eqNil checks nil-ness of a slice or map: it must match unless loose.
func eqNil(w, g reflect.Value, loose bool, path string) error {
	if !loose && w.IsNil() != g.IsNil() {
		return fmt.Errorf("%s: nil %v, got nil %v", path, w.IsNil(), g.IsNil())
	}
	return nil
}

func eqMap(t *typeInfo, w, g reflect.Value, loose bool, path string) error {
	if err := eqNil(w, g, loose, path); err != nil {
		return err
	}
	if w.Len() != g.Len() {
		return fmt.Errorf("%s: %d entries, got %d", path, w.Len(), g.Len())
	}
	for it := w.MapRange(); it.Next(); {
		k := it.Key()
		gv := g.MapIndex(k)
		if t.key.ttype == athrift.STRUCT { // rule 3: new pointers, match by content
			gv = reflect.Value{}
			for git := g.MapRange(); git.Next(); {
				if eqValue(t.key, k, git.Key(), true, path) == nil {
					gv = git.Value()
					break
				}
			}
		}
		if !gv.IsValid() {
			return fmt.Errorf("%s[%q]: missing", path, valueTree(t.key, k).String())
		}
		if err := eqValue(t.elem, it.Value(), gv, true, path+"[…]"); err != nil {
			return fmt.Errorf("key %q: %w", valueTree(t.key, k).String(), err)
		}
	}
	return nil
}
