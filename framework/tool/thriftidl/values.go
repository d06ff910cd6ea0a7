package thriftidl

import (
	"math"
	"strconv"
	"strings"

	"github.com/cloudwego/thriftgo/parser"
)

// value converts a constant or default value of file t to typ, checking that it fits.
func (cv *converter) value(t *parser.Thrift, pos Pos, typ *Type, v *parser.ConstValue) (*Value, error) {
	if v.Type == parser.ConstType_ConstIdentifier {
		switch id := v.TypedValue.GetIdentifier(); id {
		case "true", "false":
			return boolValue(pos, typ, id == "true")
		default:
			ref, err := cv.reference(t, pos, v)
			if err != nil {
				return nil, err
			}
			return ref, checkRef(pos, typ, ref)
		}
	}
	var out *Value
	var err error
	switch typ.Kind {
	case KindBool, KindByte, KindI16, KindI32, KindI64, KindDouble, KindEnum:
		out, err = numberValue(pos, typ, v)
	case KindString, KindBinary:
		if v.Type == parser.ConstType_ConstLiteral {
			out = &Value{Kind: StringValue, Str: unescape(v.TypedValue.GetLiteral())}
		}
	case KindList, KindSet:
		out, err = cv.listValue(t, pos, typ, v)
	case KindMap:
		out, err = cv.mapValue(t, pos, typ, v)
	case KindStruct:
		out, err = cv.structValue(t, pos, typ, v)
	}
	if out == nil && err == nil {
		err = errorf(pos, "%s is not a valid %s value", describeValue(v), typ)
	}
	return out, err
}

var intRanges = map[Kind][2]int64{
	KindByte: {math.MinInt8, math.MaxInt8}, KindI16: {math.MinInt16, math.MaxInt16},
	KindI32: {math.MinInt32, math.MaxInt32}, KindI64: {math.MinInt64, math.MaxInt64},
	KindEnum: {math.MinInt32, math.MaxInt32},
}

// numberValue converts an integer or double literal to a bool, number or enum.
func numberValue(pos Pos, typ *Type, v *parser.ConstValue) (*Value, error) {
	switch {
	case v.Type == parser.ConstType_ConstInt:
		n := v.TypedValue.GetInt()
		switch typ.Kind {
		case KindBool:
			return &Value{Kind: BoolValue, Bool: n != 0}, nil
		case KindDouble:
			return &Value{Kind: DoubleValue, Double: float64(n)}, nil
		}
		if r := intRanges[typ.Kind]; n < r[0] || n > r[1] {
			return nil, errorf(pos, "%d does not fit in %s", n, typ)
		}
		return &Value{Kind: IntValue, Int: n}, nil
	case v.Type == parser.ConstType_ConstDouble && typ.Kind == KindDouble:
		return &Value{Kind: DoubleValue, Double: v.TypedValue.GetDouble()}, nil
	}
	return nil, nil
}

func boolValue(pos Pos, typ *Type, b bool) (*Value, error) {
	n := int64(0)
	if b {
		n = 1
	}
	switch typ.Kind {
	case KindBool:
		return &Value{Kind: BoolValue, Bool: b}, nil
	case KindByte, KindI16, KindI32, KindI64:
		return &Value{Kind: IntValue, Int: n}, nil
	case KindDouble:
		return &Value{Kind: DoubleValue, Double: float64(n)}, nil
	}
	return nil, errorf(pos, "%t is not a valid %s value", b, typ)
}

func (cv *converter) listValue(t *parser.Thrift, pos Pos, typ *Type, v *parser.ConstValue) (*Value, error) {
	if v.Type == parser.ConstType_ConstMap && len(v.TypedValue.Map) == 0 {
		return &Value{Kind: ListValue}, nil // {} for an empty list, as thriftgo accepts
	}
	if v.Type != parser.ConstType_ConstList {
		return nil, nil
	}
	out := &Value{Kind: ListValue}
	for _, e := range v.TypedValue.List {
		ev, err := cv.value(t, pos, typ.Elem, e)
		if err != nil {
			return nil, err
		}
		out.Elems = append(out.Elems, ev)
	}
	return out, nil
}

func (cv *converter) mapValue(t *parser.Thrift, pos Pos, typ *Type, v *parser.ConstValue) (*Value, error) {
	if v.Type == parser.ConstType_ConstList && len(v.TypedValue.List) == 0 {
		return &Value{Kind: MapValue}, nil
	}
	if v.Type != parser.ConstType_ConstMap {
		return nil, nil
	}
	out := &Value{Kind: MapValue}
	for _, e := range v.TypedValue.Map {
		k, err := cv.value(t, pos, typ.Key, e.Key)
		if err != nil {
			return nil, err
		}
		val, err := cv.value(t, pos, typ.Elem, e.Value)
		if err != nil {
			return nil, err
		}
		out.Entries = append(out.Entries, MapEntry{Key: k, Value: val})
	}
	return out, nil
}

// structValue converts a map literal {"field": value, ...} to a struct value.
func (cv *converter) structValue(t *parser.Thrift, pos Pos, typ *Type, v *parser.ConstValue) (*Value, error) {
	if v.Type != parser.ConstType_ConstMap {
		return nil, nil
	}
	out := &Value{Kind: StructValue}
	for _, e := range v.TypedValue.Map {
		if e.Key.Type != parser.ConstType_ConstLiteral {
			return nil, errorf(pos, "a %s value needs field names as keys, not %s", typ, describeValue(e.Key))
		}
		name := e.Key.TypedValue.GetLiteral()
		var field *Field
		for _, f := range typ.Struct.Fields {
			if f.Name == name {
				field = f
			}
		}
		if field == nil {
			return nil, errorf(pos, "%s has no field %q", typ, name)
		}
		fv, err := cv.value(t, pos, field.Type, e.Value)
		if err != nil {
			return nil, err
		}
		out.Fields = append(out.Fields, FieldValue{Field: field, Value: fv})
	}
	return out, nil
}

// reference resolves a constant or enum value named by an identifier, using the resolution thriftgo's
// semantic package recorded.
func (cv *converter) reference(t *parser.Thrift, pos Pos, v *parser.ConstValue) (*Value, error) {
	id, extra := v.TypedValue.GetIdentifier(), v.Extra
	if extra == nil {
		return nil, errorf(pos, "unknown constant or enum value %q", id)
	}
	f := cv.files[t]
	if extra.Index >= 0 {
		f = cv.files[t.Includes[extra.Index].Reference]
	}
	if !extra.IsEnum {
		if c, ok := cv.defs[f][extra.Name].(*Const); ok {
			return &Value{Kind: ConstRef, Const: c}, nil
		}
		return nil, errorf(pos, "unknown constant %q", id)
	}
	for _, file := range []*File{f, cv.files[t]} {
		if en := enumNamed(cv.defs[file][extra.Sel]); en != nil {
			for _, ev := range en.Values {
				if ev.Name == extra.Name {
					return &Value{Kind: EnumRef, EnumValue: ev}, nil
				}
			}
		}
	}
	return nil, errorf(pos, "unknown enum value %q", id)
}

// enumNamed returns the enum a definition is, directly or through a typedef.
func enumNamed(def any) *Enum {
	switch d := def.(type) {
	case *Enum:
		return d
	case *Typedef:
		if d.Type != nil && d.Type.Kind == KindEnum {
			return d.Type.Enum
		}
	}
	return nil
}

// checkRef checks that a referenced constant or enum value can initialize typ.
func checkRef(pos Pos, typ *Type, ref *Value) error {
	var from *Type
	name := ""
	if ref.Kind == EnumRef {
		from, name = &Type{Kind: KindEnum, Enum: ref.EnumValue.Enum}, ref.EnumValue.Enum.Name+"."+ref.EnumValue.Name
	} else {
		from, name = ref.Const.Type, ref.Const.Name
	}
	if assignable(typ, from) {
		return nil
	}
	return errorf(pos, "%s (a %s) cannot initialize a %s", name, from, typ)
}

func assignable(to, from *Type) bool {
	isInt := func(k Kind) bool { return k >= KindByte && k <= KindI64 || k == KindEnum }
	switch {
	case to.Kind == KindEnum && from.Kind == KindEnum:
		return to.Enum == from.Enum
	case isInt(to.Kind) && isInt(from.Kind):
		return true
	case to.Kind == KindDouble:
		return from.Kind == KindDouble || isInt(from.Kind) && from.Kind != KindEnum
	case to.Kind == KindString || to.Kind == KindBinary:
		return from.Kind == KindString || from.Kind == KindBinary
	}
	return to.String() == from.String()
}

func describeValue(v *parser.ConstValue) string {
	switch v.Type {
	case parser.ConstType_ConstInt:
		return strconv.FormatInt(v.TypedValue.GetInt(), 10)
	case parser.ConstType_ConstDouble:
		return strconv.FormatFloat(v.TypedValue.GetDouble(), 'g', -1, 64)
	case parser.ConstType_ConstLiteral:
		return strconv.Quote(v.TypedValue.GetLiteral())
	case parser.ConstType_ConstList:
		return "a list"
	case parser.ConstType_ConstMap:
		return "a map"
	}
	return v.TypedValue.GetIdentifier()
}

var escapes = map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', '"': '"', '\'': '\''}

// unescape interprets the escapes the IDL parser leaves in a literal: \n \t \r \\ \" \'.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			if r, ok := escapes[s[i+1]]; ok {
				b.WriteByte(r)
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// checkConstCycles rejects constants whose values refer back to themselves.
func (cv *converter) checkConstCycles(t *parser.Thrift) error {
	for _, c := range cv.files[t].Consts {
		if refersTo(c.Value, c, map[*Const]bool{}) {
			return errorf(c.Pos, "constant %s refers to itself", c.Name)
		}
	}
	return nil
}

func refersTo(v *Value, target *Const, seen map[*Const]bool) bool {
	if v == nil {
		return false
	}
	if v.Kind == ConstRef {
		if v.Const == target {
			return true
		}
		if seen[v.Const] {
			return false
		}
		seen[v.Const] = true
		return refersTo(v.Const.Value, target, seen)
	}
	for _, e := range v.Elems {
		if refersTo(e, target, seen) {
			return true
		}
	}
	for _, e := range v.Entries {
		if refersTo(e.Key, target, seen) || refersTo(e.Value, target, seen) {
			return true
		}
	}
	for _, fv := range v.Fields {
		if refersTo(fv.Value, target, seen) {
			return true
		}
	}
	return false
}
