package tool

import (
	"strconv"
	"strings"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// The fast codec is generated as straight-line code per field; containers get one len/write/read
// function per distinct container type and package (helpers.go), which nested containers call.

var fixedLengths = map[thriftidl.Kind]string{
	thriftidl.KindBool: "BoolLength", thriftidl.KindByte: "ByteLength", thriftidl.KindI16: "I16Length",
	thriftidl.KindI32: "I32Length", thriftidl.KindI64: "I64Length", thriftidl.KindDouble: "DoubleLength",
	thriftidl.KindEnum: "I32Length",
}

var ttypes = map[thriftidl.Kind]string{
	thriftidl.KindBool: "BOOL", thriftidl.KindByte: "BYTE", thriftidl.KindI16: "I16", thriftidl.KindI32: "I32",
	thriftidl.KindI64: "I64", thriftidl.KindDouble: "DOUBLE", thriftidl.KindString: "STRING",
	thriftidl.KindBinary: "STRING", thriftidl.KindList: "LIST", thriftidl.KindSet: "SET",
	thriftidl.KindMap: "MAP", thriftidl.KindEnum: "I32", thriftidl.KindStruct: "STRUCT",
}

// rw names the Read/Write function suffix of each scalar kind.
var rw = map[thriftidl.Kind]string{
	thriftidl.KindBool: "Bool", thriftidl.KindByte: "Byte", thriftidl.KindI16: "I16", thriftidl.KindI32: "I32",
	thriftidl.KindI64: "I64", thriftidl.KindDouble: "Double", thriftidl.KindString: "String",
	thriftidl.KindBinary: "Binary",
}

// ttype is the wire type constant of t.
func (f *fileGen) ttype(t *thriftidl.Type) string { return f.std(pathThrift) + "." + ttypes[t.Kind] }

// keyType is the type a map key is coded as: binary keys are Go strings.
func keyType(t *thriftidl.Type) *thriftidl.Type {
	if t.Kind == thriftidl.KindBinary {
		return &thriftidl.Type{Kind: thriftidl.KindString}
	}
	return t
}

// fixedLen returns the constant size expression of a fixed-size type, or "".
func (f *fileGen) fixedLen(t *thriftidl.Type) string {
	if c, ok := fixedLengths[t.Kind]; ok {
		return f.std(pathThrift) + "." + c
	}
	return ""
}

// lenExpr is the encoded size of v, a value of type t.
func (f *fileGen) lenExpr(t *thriftidl.Type, v string) string {
	if c := f.fixedLen(t); c != "" {
		return c
	}
	switch t.Kind {
	case thriftidl.KindString, thriftidl.KindBinary:
		return f.std(pathThrift) + "." + rw[t.Kind] + "Length(" + v + ")"
	case thriftidl.KindStruct:
		return v + ".BLength()"
	}
	return "len" + f.helpers.name(t) + "(" + v + ")"
}

// writeExpr writes v, a value of type t, at b[off:] and evaluates to the bytes written.
func (f *fileGen) writeExpr(t *thriftidl.Type, v string) string {
	switch t.Kind {
	case thriftidl.KindStruct:
		return v + ".FastWrite(b[off:])"
	case thriftidl.KindEnum:
		return f.std(pathThrift) + ".WriteI32(b[off:], int32(" + v + "))"
	case thriftidl.KindList, thriftidl.KindSet, thriftidl.KindMap:
		return "write" + f.helpers.name(t) + "(b[off:], " + v + ")"
	}
	return f.std(pathThrift) + ".Write" + rw[t.Kind] + "(b[off:], " + v + ")"
}

// readStmt reads a value of type t at b[off:] into target, setting n and err; tmp names a temporary
// when one is needed. Structs and containers are read at depth+1: the code runs where the variable
// depth is the nesting depth of the enclosing struct or container (see FastReadDepth).
func (f *fileGen) readStmt(t *thriftidl.Type, target, tmp string) string {
	switch t.Kind {
	case thriftidl.KindStruct:
		return target + " = " + f.qualify(t.Struct.File.Package, "New"+t.Struct.GoName) + "()\n" +
			"n, err = " + target + ".FastReadDepth(b[off:], depth+1)"
	case thriftidl.KindEnum:
		return "var " + tmp + " int32\n" + tmp + ", n, err = " + f.std(pathThrift) + ".ReadI32(b[off:])\n" +
			target + " = " + f.goType(t) + "(" + tmp + ")"
	case thriftidl.KindList, thriftidl.KindSet, thriftidl.KindMap:
		return target + ", n, err = read" + f.helpers.name(t) + "(b[off:], depth+1)"
	}
	return target + ", n, err = " + f.std(pathThrift) + ".Read" + rw[t.Kind] + "(b[off:])"
}

// fieldValue is the expression of a set field's value (dereferenced for pointer scalars).
func fieldValue(fd *thriftidl.Field) string {
	if isPtr(fd) {
		return "*p." + fd.GoName
	}
	return "p." + fd.GoName
}

// lenField is the statement adding field fd's encoded size to n.
func (f *fileGen) lenField(fd *thriftidl.Field) string {
	return "n += " + f.std(pathThrift) + ".FieldBeginLength + " + f.lenExpr(fd.Type, fieldValue(fd))
}

// writeField writes field fd: its header and its value.
func (f *fileGen) writeField(fd *thriftidl.Field) string {
	return "off += " + f.std(pathThrift) + ".WriteFieldBegin(b[off:], " + f.ttype(fd.Type) + ", " +
		strconv.Itoa(int(fd.ID)) + ")\n" + "off += " + f.writeExpr(fd.Type, fieldValue(fd))
}

// readCase is the switch condition that selects field fd in FastRead.
func (f *fileGen) readCase(fd *thriftidl.Field) string {
	return "id == " + strconv.Itoa(int(fd.ID)) + " && t == " + f.ttype(fd.Type)
}

// readField reads field fd into p. A container whose element types do not match the IDL is skipped.
func (f *fileGen) readField(fd *thriftidl.Field) string {
	t, target := fd.Type, "p."+fd.GoName
	switch {
	case t.IsContainer():
		return "var v " + f.goType(t) + "\n" +
			"if v, n, err = read" + f.helpers.name(t) + "(b[off:], depth+1); err == nil {\n" + target + " = v\n" +
			"} else if err == errElemType {\n" + "n, err = " + f.std(pathThrift) + ".Skip(b[off:], t)\n}"
	case isPtr(fd) && t.Kind == thriftidl.KindEnum:
		return "var v int32\nv, n, err = " + f.std(pathThrift) + ".ReadI32(b[off:])\n" +
			target + " = " + f.qualify(t.Enum.File.Package, t.Enum.GoName+"Ptr") + "(" + f.goType(t) + "(v))"
	case isPtr(fd):
		return "var v " + f.goType(t) + "\nv, n, err = " + f.std(pathThrift) + ".Read" + rw[t.Kind] +
			"(b[off:])\n" + target + " = &v"
	}
	return f.readStmt(t, target, "v")
}

// helperSet collects the container types a package's codecs call helpers for.
type helperSet struct {
	pkg   *thriftidl.Package
	names map[string]string          // type key -> helper name
	types map[string]*thriftidl.Type // helper name -> type
	order []string
	ptr   bool
}

func newHelperSet(pkg *thriftidl.Package) *helperSet {
	return &helperSet{pkg: pkg, names: map[string]string{}, types: map[string]*thriftidl.Type{}}
}

// needPtr records that the package needs the generic ptr helper.
func (h *helperSet) needPtr() {
	if h != nil {
		h.ptr = true
	}
}

// name returns the helper suffix of container type t ("ListI32"), registering it.
func (h *helperSet) name(t *thriftidl.Type) string {
	key := typeKey(t)
	if n, ok := h.names[key]; ok {
		return n
	}
	base := h.mangle(t)
	n := base
	for i := 2; h.types[n] != nil; i++ {
		n = base + strconv.Itoa(i)
	}
	h.names[key], h.types[n] = n, t
	h.order = append(h.order, n)
	return n
}

// typeKey identifies a Go type structurally: container types with the same key share helpers.
func typeKey(t *thriftidl.Type) string {
	switch t.Kind {
	case thriftidl.KindList, thriftidl.KindSet:
		return t.Kind.String() + "<" + typeKey(t.Elem) + ">"
	case thriftidl.KindMap:
		return "map<" + typeKey(keyType(t.Key)) + "," + typeKey(t.Elem) + ">"
	case thriftidl.KindEnum:
		return "enum:" + t.Enum.File.Package.Dir + "." + t.Enum.GoName
	case thriftidl.KindStruct:
		return "struct:" + t.Struct.File.Package.Dir + "." + t.Struct.GoName
	}
	return t.Kind.String()
}

func (h *helperSet) mangle(t *thriftidl.Type) string {
	switch t.Kind {
	case thriftidl.KindList, thriftidl.KindSet, thriftidl.KindMap:
		s := thriftidl.UpperFirst(t.Kind.String())
		if t.Kind == thriftidl.KindMap {
			s += h.mangle(keyType(t.Key))
		}
		return s + h.mangle(t.Elem)
	case thriftidl.KindEnum:
		return h.named(t.Enum.File.Package, t.Enum.GoName)
	case thriftidl.KindStruct:
		return h.named(t.Struct.File.Package, t.Struct.GoName)
	}
	return rw[t.Kind]
}

func (h *helperSet) named(p *thriftidl.Package, name string) string {
	name = strings.TrimLeft(name, "_")
	if p == h.pkg {
		return name
	}
	return thriftidl.UpperFirst(p.Name) + name
}
