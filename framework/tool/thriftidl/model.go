package thriftidl

import (
	"fmt"
	"strings"
)

// Program is a Thrift IDL file with everything it includes, resolved and named for Go.
type Program struct {
	Main     *File      // Main is the file the program was loaded from.
	Files    []*File    // Files holds every file, each after the files it includes.
	Packages []*Package // Packages holds the Go packages of Files, sorted by Dir.
}

// Package is one Go package: the IDL files that share a Go namespace.
type Package struct {
	Dir       string  // Dir is the package's directory below the output root, slash-separated ("a/b").
	Name      string  // Name is the Go package name (the last element of Dir).
	Namespace string  // Namespace is the Go namespace as written ("a.b"), or the file's base name.
	Files     []*File // Files are the IDL files of the package, sorted by path.
}

// File is one IDL file.
type File struct {
	Path      string // Path is the file's path as the parser saw it (relative to the working directory).
	Name      string // Name is the file's base name without the .thrift extension.
	Namespace string // Namespace is the `namespace go` value, empty when there is none.
	Package   *Package
	Includes  []*File
	Typedefs  []*Typedef
	Consts    []*Const
	Enums     []*Enum
	Structs   []*Struct // Structs holds the structs, unions and exceptions in source order.
	Services  []*Service
}

// Pos is a position in an IDL file. Line is 0 when it is not known.
type Pos struct {
	File string
	Line int
}

// String formats the position as file:line, or file when the line is unknown.
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Annotation is one IDL annotation, key = "value"; a key may be repeated.
type Annotation struct {
	Key    string
	Values []string
}

// Annotations are the annotations of a definition or a field, in source order.
type Annotations []Annotation

// Get returns the first value of key, and whether the key is present.
func (a Annotations) Get(key string) (string, bool) {
	for _, x := range a {
		if x.Key == key && len(x.Values) > 0 {
			return x.Values[0], true
		}
	}
	return "", false
}

// Kind is the kind of a Thrift type.
type Kind int

// The kinds of Thrift types. KindStruct stands for structs, unions and exceptions.
const (
	KindBool Kind = iota + 1
	KindByte
	KindI16
	KindI32
	KindI64
	KindDouble
	KindString
	KindBinary
	KindList
	KindSet
	KindMap
	KindEnum
	KindStruct
)

var kindNames = [...]string{
	KindBool: "bool", KindByte: "byte", KindI16: "i16", KindI32: "i32", KindI64: "i64",
	KindDouble: "double", KindString: "string", KindBinary: "binary", KindList: "list", KindSet: "set",
	KindMap: "map", KindEnum: "enum", KindStruct: "struct",
}

// String returns the IDL name of the kind ("i32", "list"...).
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Type is a resolved Thrift type: typedefs are already followed, and Typedef records the name the IDL
// used, if any.
type Type struct {
	Kind    Kind
	Key     *Type    // Key is the key type of a map.
	Elem    *Type    // Elem is the element type of a list or set, or the value type of a map.
	Enum    *Enum    // Enum is set for KindEnum.
	Struct  *Struct  // Struct is set for KindStruct.
	Typedef *Typedef // Typedef is the typedef the IDL named this type through, or nil.
}

// IsContainer reports whether t is a list, set or map.
func (t *Type) IsContainer() bool {
	return t.Kind == KindList || t.Kind == KindSet || t.Kind == KindMap
}

// IsScalar reports whether t is a bool, a number, a string or an enum: a type Go holds by value
// and an optional field holds by pointer.
func (t *Type) IsScalar() bool {
	return t.Kind >= KindBool && t.Kind <= KindString || t.Kind == KindEnum
}

// String spells t as IDL, with typedefs followed ("list<map<string,i32>>").
func (t *Type) String() string {
	switch t.Kind {
	case KindList, KindSet:
		return t.Kind.String() + "<" + t.Elem.String() + ">"
	case KindMap:
		return "map<" + t.Key.String() + "," + t.Elem.String() + ">"
	case KindEnum:
		return t.Enum.Name
	case KindStruct:
		return t.Struct.Name
	}
	return t.Kind.String()
}

// Requiredness is how a field is declared: required, optional or neither (default).
type Requiredness int

// The requiredness of a field.
const (
	Default Requiredness = iota
	Required
	Optional
)

// String returns "default", "required" or "optional".
func (r Requiredness) String() string {
	return [...]string{"default", "required", "optional"}[r]
}

// Field is a field of a struct, union or exception, an argument, or a thrown exception.
type Field struct {
	ID           int16
	Name         string // Name is the IDL name.
	GoName       string
	Type         *Type
	Requiredness Requiredness
	Default      *Value // Default is the default value, or nil.
	Annotations  Annotations
	Doc          string // Doc is the comment written before the field, without comment markers.
	Pos          Pos
}

// StructKind tells structs, unions and exceptions apart.
type StructKind int

// The kinds of struct-like definitions.
const (
	PlainStruct StructKind = iota
	Union
	Exception
)

// String returns "struct", "union" or "exception".
func (k StructKind) String() string {
	return [...]string{"struct", "union", "exception"}[k]
}

// Struct is a struct, union or exception, or the synthesized arguments or result of a function.
type Struct struct {
	Name        string // Name is the IDL name (for arguments and results, the Go name).
	GoName      string
	Kind        StructKind
	File        *File
	Fields      []*Field
	Annotations Annotations
	Doc         string
	Pos         Pos
	Function    *Function // Function is set for the arguments and result structs of a function.
}

// Enum is an enum definition.
type Enum struct {
	Name        string
	GoName      string
	File        *File
	Values      []*EnumValue
	Annotations Annotations
	Doc         string
	Pos         Pos
}

// EnumValue is one value of an enum.
type EnumValue struct {
	Name   string
	GoName string // GoName is the Go constant, <Enum>_<NAME>.
	Value  int64
	Enum   *Enum
	Doc    string
}

// Typedef is a typedef: in Go, a type alias.
type Typedef struct {
	Name   string
	GoName string
	File   *File
	Type   *Type
	Doc    string
	Pos    Pos
}

// Const is a constant definition.
type Const struct {
	Name   string
	GoName string
	File   *File
	Type   *Type
	Value  *Value
	Doc    string
	Pos    Pos
}

// Service is a service definition.
type Service struct {
	Name        string
	GoName      string
	File        *File
	Extends     *Service // Extends is the parent service, or nil.
	Functions   []*Function
	Annotations Annotations
	Doc         string
	Pos         Pos
}

// AllFunctions returns the service's functions with the inherited ones first, root service first.
func (s *Service) AllFunctions() []*Function {
	if s.Extends == nil {
		return s.Functions
	}
	return append(append([]*Function(nil), s.Extends.AllFunctions()...), s.Functions...)
}

// PackageName is the name of the service's own Go package: the lower-cased Go name + "service".
func (s *Service) PackageName() string {
	return strings.ToLower(s.GoName) + "service"
}

// Function is a service method.
type Function struct {
	Name         string
	GoName       string
	Service      *Service
	Oneway       bool
	Result       *Type // Result is the result type, nil for void.
	Args         []*Field
	Throws       []*Field
	ArgsStruct   *Struct // ArgsStruct is <Service><Method>Args.
	ResultStruct *Struct // ResultStruct is <Service><Method>Result, nil for oneway functions.
	Annotations  Annotations
	Doc          string
	Pos          Pos
}

// IdempotentAnnotation marks a method that may safely run twice, so a client may retry it even after
// its request may have reached the server: `Get(...) (tern.idempotent = "true")`.
const IdempotentAnnotation = "tern.idempotent"

// Idempotent reports whether the method is annotated idempotent.
func (f *Function) Idempotent() bool {
	v, _ := f.Annotations.Get(IdempotentAnnotation)
	return v == "true"
}

// ValueKind is the kind of a constant value.
type ValueKind int

// The kinds of constant values. A value is already converted to the type it initializes: a bool is
// BoolValue even when the IDL wrote 1, a double is DoubleValue even when the IDL wrote 2.
const (
	IntValue ValueKind = iota + 1
	DoubleValue
	BoolValue
	StringValue
	ListValue
	MapValue
	StructValue
	ConstRef
	EnumRef
)

// Value is a constant value or a default value, checked against its type.
type Value struct {
	Kind      ValueKind
	Int       int64
	Double    float64
	Bool      bool
	Str       string // Str is the unescaped text of a string or binary.
	Elems     []*Value
	Entries   []MapEntry
	Fields    []FieldValue
	Const     *Const     // Const is the referenced constant (ConstRef).
	EnumValue *EnumValue // EnumValue is the referenced enum value (EnumRef).
}

// MapEntry is one key and value of a map constant.
type MapEntry struct{ Key, Value *Value }

// FieldValue is one field of a struct constant.
type FieldValue struct {
	Field *Field
	Value *Value
}
