package tool

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// fileGen renders one Go file: it knows the file's package and records the imports it needs.
type fileGen struct {
	gen     *generator
	path    string // path is the import path of the file's package.
	imports *importSet
	helpers *helperSet // helpers collects the container codecs of a types package; nil elsewhere.
}

// qualify returns name, defined in IDL package pkg, as the file refers to it.
func (f *fileGen) qualify(pkg *thriftidl.Package, name string) string {
	path := f.gen.typesPath(pkg)
	if path == f.path {
		return name
	}
	return f.imports.use(path, pkg.Name) + "." + name
}

// std returns the name of a fixed import (thrift, fmt, context...) and records its use.
func (f *fileGen) std(path string) string { return f.imports.use(path, fixedImports[path]) }

// goType is the Go type of a value of t, spelled with typedef names where the IDL used them.
func (f *fileGen) goType(t *thriftidl.Type) string {
	if t.Typedef != nil {
		name := f.qualify(t.Typedef.File.Package, t.Typedef.GoName)
		if t.Kind == thriftidl.KindStruct {
			return "*" + name
		}
		return name
	}
	return f.typeOf(t, f.goType)
}

// canonType is the Go type of t without typedef names: the name under which container codecs are
// shared (typedefs are aliases, so both spell the same type).
func (f *fileGen) canonType(t *thriftidl.Type) string { return f.typeOf(t, f.canonType) }

var baseGoTypes = map[thriftidl.Kind]string{
	thriftidl.KindBool: "bool", thriftidl.KindByte: "int8", thriftidl.KindI16: "int16",
	thriftidl.KindI32: "int32", thriftidl.KindI64: "int64", thriftidl.KindDouble: "float64",
	thriftidl.KindString: "string", thriftidl.KindBinary: "[]byte",
}

func (f *fileGen) typeOf(t *thriftidl.Type, inner func(*thriftidl.Type) string) string {
	switch t.Kind {
	case thriftidl.KindStruct:
		return "*" + f.qualify(t.Struct.File.Package, t.Struct.GoName)
	case thriftidl.KindEnum:
		return f.qualify(t.Enum.File.Package, t.Enum.GoName)
	case thriftidl.KindList, thriftidl.KindSet:
		return "[]" + inner(t.Elem)
	case thriftidl.KindMap:
		key := inner(t.Key)
		if t.Key.Kind == thriftidl.KindBinary {
			key = "string" // []byte cannot be a map key
		}
		return "map[" + key + "]" + inner(t.Elem)
	}
	return baseGoTypes[t.Kind]
}

// isPtr reports whether a field is held by pointer although its type is a scalar: an optional
// scalar without default, so that "unset" can be told from the zero value.
func isPtr(fd *thriftidl.Field) bool {
	return fd.Requiredness == thriftidl.Optional && fd.Type.IsScalar() && fd.Default == nil
}

// fieldType is the Go type of a struct field.
func (f *fileGen) fieldType(fd *thriftidl.Field) string {
	if isPtr(fd) {
		return "*" + f.goType(fd.Type)
	}
	return f.goType(fd.Type)
}

// hasIsSet reports whether a field gets an IsSet method: optional fields and struct fields.
func hasIsSet(fd *thriftidl.Field) bool {
	return fd.Requiredness == thriftidl.Optional || fd.Type.Kind == thriftidl.KindStruct
}

// isSetCond is the condition under which field fd of recv counts as set.
func isSetCond(recv string, s *thriftidl.Struct, fd *thriftidl.Field) string {
	v := recv + "." + fd.GoName
	if fd.Type.IsScalar() && fd.Default != nil {
		return v + " != " + defaultVar(s, fd)
	}
	return v + " != nil"
}

// defaultVar is the name of the package variable holding a field's default value.
func defaultVar(s *thriftidl.Struct, fd *thriftidl.Field) string {
	return s.GoName + "_" + fd.GoName + "_DEFAULT"
}

// tags renders a field's struct tags the way Kitex does: thrift, frugal, go.tag, json.
func (f *fileGen) tags(fd *thriftidl.Field) string {
	thrift := fd.Name + "," + strconv.Itoa(int(fd.ID))
	if fd.Requiredness != thriftidl.Default {
		thrift += "," + fd.Requiredness.String()
	}
	tags := []string{
		fmt.Sprintf(`thrift:"%s"`, thrift),
		fmt.Sprintf(`frugal:"%d,%s,%s"`, fd.ID, fd.Requiredness, f.frugalType(fd.Type)),
	}
	goTag, hasGoTag := fd.Annotations.Get("go.tag")
	goTag = strings.ReplaceAll(goTag, "`", "'")
	if hasGoTag && goTag != "" {
		tags = append(tags, goTag)
	}
	if _, ok := reflect.StructTag(goTag).Lookup("json"); !ok {
		if fd.Requiredness == thriftidl.Optional {
			tags = append(tags, fmt.Sprintf(`json:"%s,omitempty"`, fd.Name))
		} else {
			tags = append(tags, fmt.Sprintf(`json:"%s"`, fd.Name))
		}
	}
	return "`" + strings.Join(tags, " ") + "`"
}

// frugalType spells t for the frugal tag: IDL base names, typedefs followed, struct names qualified
// by package name when they live in another package.
func (f *fileGen) frugalType(t *thriftidl.Type) string {
	switch t.Kind {
	case thriftidl.KindList, thriftidl.KindSet:
		return t.Kind.String() + "<" + f.frugalType(t.Elem) + ">"
	case thriftidl.KindMap:
		key := f.frugalType(t.Key)
		if t.Key.Kind == thriftidl.KindBinary {
			key = "string"
		}
		return "map<" + key + ":" + f.frugalType(t.Elem) + ">"
	case thriftidl.KindEnum:
		return t.Enum.GoName
	case thriftidl.KindStruct:
		if path := f.gen.typesPath(t.Struct.File.Package); path != f.path {
			return t.Struct.File.Package.Name + "." + t.Struct.GoName
		}
		return t.Struct.GoName
	}
	return t.Kind.String()
}

// constExpr renders v, a value of type t, as a Go expression.
func (f *fileGen) constExpr(t *thriftidl.Type, v *thriftidl.Value) string {
	switch v.Kind {
	case thriftidl.IntValue:
		if t.Kind == thriftidl.KindEnum {
			return f.goType(t) + "(" + strconv.FormatInt(v.Int, 10) + ")"
		}
		return strconv.FormatInt(v.Int, 10)
	case thriftidl.DoubleValue:
		s := strconv.FormatFloat(v.Double, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case thriftidl.BoolValue:
		return strconv.FormatBool(v.Bool)
	case thriftidl.StringValue:
		if t.Kind == thriftidl.KindBinary {
			return "[]byte(" + strconv.Quote(v.Str) + ")"
		}
		return strconv.Quote(v.Str)
	case thriftidl.ConstRef:
		if !v.Const.Type.IsScalar() {
			// A Go variable: repeat its value, so that no two values share a slice, map or struct.
			return f.constExpr(t, v.Const.Value)
		}
		return f.convert(t, v.Const.Type, f.qualify(v.Const.File.Package, v.Const.GoName))
	case thriftidl.EnumRef:
		ev := v.EnumValue
		return f.convert(t, &thriftidl.Type{Kind: thriftidl.KindEnum, Enum: ev.Enum}, f.qualify(ev.Enum.File.Package, ev.GoName))
	}
	return f.compositeExpr(t, v)
}

// convert converts expr, of type from, to type to where Go needs it.
func (f *fileGen) convert(to, from *thriftidl.Type, expr string) string {
	switch {
	case from.Kind == thriftidl.KindEnum && to.Kind != thriftidl.KindEnum,
		from.Kind == thriftidl.KindBinary && to.Kind == thriftidl.KindString,
		from.Kind == thriftidl.KindString && to.Kind == thriftidl.KindBinary:
		return f.goType(to) + "(" + expr + ")"
	}
	return expr
}

// compositeExpr renders a list, set, map or struct value.
func (f *fileGen) compositeExpr(t *thriftidl.Type, v *thriftidl.Value) string {
	var parts []string
	switch v.Kind {
	case thriftidl.ListValue:
		for _, e := range v.Elems {
			parts = append(parts, f.constExpr(t.Elem, e))
		}
		return f.goType(t) + "{" + strings.Join(parts, ", ") + "}"
	case thriftidl.MapValue:
		key := t.Key
		if key.Kind == thriftidl.KindBinary {
			key = &thriftidl.Type{Kind: thriftidl.KindString}
		}
		for _, e := range v.Entries {
			parts = append(parts, f.constExpr(key, e.Key)+": "+f.constExpr(t.Elem, e.Value))
		}
		return f.goType(t) + "{" + strings.Join(parts, ", ") + "}"
	case thriftidl.StructValue:
		for _, fv := range v.Fields {
			expr := f.constExpr(fv.Field.Type, fv.Value)
			if isPtr(fv.Field) {
				f.helpers.needPtr()
				expr = "ptr[" + f.goType(fv.Field.Type) + "](" + expr + ")"
			}
			parts = append(parts, fv.Field.GoName+": "+expr)
		}
		return "&" + strings.TrimPrefix(f.goType(t), "*") + "{" + strings.Join(parts, ", ") + "}"
	}
	panic(fmt.Sprintf("tern: value kind %d for type %s", v.Kind, t))
}

// params returns the Go parameter names of a function's arguments: the lower-cased Go names, made
// unique and kept clear of keywords, predeclared names, package names and the generated locals.
func (g *generator) params(fn *thriftidl.Function) []string {
	taken := map[string]bool{}
	for k := range g.reserved {
		taken[k] = true
	}
	out := make([]string, len(fn.Args))
	for i, a := range fn.Args {
		name := thriftidl.LowerFirst(a.GoName)
		for taken[name] {
			name += "_"
		}
		taken[name], out[i] = true, name
	}
	return out
}

// reservedNames lists what a parameter must not be called: Go keywords and predeclared identifiers,
// the fixed imports, the locals of the client methods and every package name of the program.
func reservedNames(prog *thriftidl.Program) map[string]bool {
	words := strings.Fields(`break case chan const continue default defer else fallthrough for func go goto if
		import interface map package range return select struct switch type var any bool byte comparable
		complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16
		uint32 uint64 uintptr true false iota nil append cap clear close complex copy delete imag len make
		max min new panic print println real recover`)
	words = append(words, "args", "callOptions", "ctx", "err", "p", "r", "result") // the client method's locals
	for _, name := range fixedImports {
		words = append(words, name)
	}
	for _, p := range prog.Packages {
		words = append(words, p.Name)
	}
	out := map[string]bool{}
	for _, w := range words {
		out[w] = true
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
