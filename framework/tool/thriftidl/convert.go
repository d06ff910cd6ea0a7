package thriftidl

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudwego/thriftgo/parser"
	"github.com/cloudwego/thriftgo/semantic"
)

// converter turns resolved thriftgo ASTs into the model. It works in passes over all files so that
// definitions may refer to each other in any order: declare, typedefs, field and const types,
// values, services.
type converter struct {
	c         *checker
	files     map[*parser.Thrift]*File
	asts      map[*File]*parser.Thrift
	defs      map[*File]map[string]any // name -> *Enum, *Struct, *Typedef, *Const or *Service
	typedefs  map[*Typedef]*parser.Typedef
	consts    map[*Const]*parser.Constant
	structs   map[*parser.StructLike]*Struct
	services  map[*parser.Service]*Service
	fields    map[*Field]*parser.Field
	resolving map[*Typedef]bool
}

func newConverter(c *checker) *converter {
	return &converter{
		c: c, files: map[*parser.Thrift]*File{}, asts: map[*File]*parser.Thrift{}, defs: map[*File]map[string]any{},
		typedefs: map[*Typedef]*parser.Typedef{}, consts: map[*Const]*parser.Constant{},
		structs: map[*parser.StructLike]*Struct{}, services: map[*parser.Service]*Service{},
		fields: map[*Field]*parser.Field{}, resolving: map[*Typedef]bool{},
	}
}

// declare creates the model's definitions of t, without their types.
func (cv *converter) declare(t *parser.Thrift) *File {
	ns, _ := t.GetNamespace("go")
	f := &File{Path: t.Filename, Name: semantic.IDLPrefix(t.Filename), Namespace: ns}
	cv.files[t], cv.asts[f] = f, t
	for _, inc := range t.Includes {
		f.Includes = append(f.Includes, cv.files[inc.Reference])
	}
	defs := map[string]any{}
	cv.defs[f] = defs
	src := cv.c.srcs[t]
	pos := func(keyword, name string) Pos { return Pos{File: t.Filename, Line: src.def(keyword, name)} }
	for _, e := range t.Enums {
		en := &Enum{Name: e.Name, File: f, Annotations: annotations(e.Annotations), Doc: doc(e.ReservedComments),
			Pos: pos("enum", e.Name)}
		for _, v := range e.Values {
			en.Values = append(en.Values, &EnumValue{Name: v.Name, Value: v.Value, Enum: en, Doc: doc(v.ReservedComments)})
		}
		f.Enums, defs[e.Name] = append(f.Enums, en), en
	}
	for _, td := range t.Typedefs {
		d := &Typedef{Name: td.Alias, File: f, Doc: doc(td.ReservedComments), Pos: pos("typedef", td.Alias)}
		f.Typedefs, defs[td.Alias], cv.typedefs[d] = append(f.Typedefs, d), d, td
	}
	for _, s := range t.GetStructLikes() {
		st := &Struct{Name: s.Name, Kind: structKind(s.Category), File: f, Annotations: annotations(s.Annotations),
			Doc: doc(s.ReservedComments), Pos: pos(s.Category, s.Name)}
		f.Structs, defs[s.Name], cv.structs[s] = append(f.Structs, st), st, st
	}
	sort.SliceStable(f.Structs, func(i, j int) bool { return f.Structs[i].Pos.Line < f.Structs[j].Pos.Line })
	for _, c := range t.Constants {
		d := &Const{Name: c.Name, File: f, Doc: doc(c.ReservedComments), Pos: pos("const", c.Name)}
		f.Consts, defs[c.Name], cv.consts[d] = append(f.Consts, d), d, c
	}
	for _, s := range t.Services {
		svc := &Service{Name: s.Name, File: f, Annotations: annotations(s.Annotations), Doc: doc(s.ReservedComments),
			Pos: pos("service", s.Name)}
		f.Services, defs[s.Name], cv.services[s] = append(f.Services, svc), svc, svc
	}
	return f
}

func structKind(category string) StructKind {
	switch category {
	case "union":
		return Union
	case "exception":
		return Exception
	}
	return PlainStruct
}

// lookup returns the definition a resolved name refers to: ref is the include reference thriftgo
// recorded, nil for a local name.
func (cv *converter) lookup(t *parser.Thrift, name string, ref *parser.Reference) any {
	f := cv.files[t]
	if ref != nil {
		f, name = cv.files[t.Includes[ref.Index].Reference], ref.Name
	}
	return cv.defs[f][name]
}

var baseKinds = map[string]Kind{
	"bool": KindBool, "byte": KindByte, "i8": KindByte, "i16": KindI16, "i32": KindI32, "i64": KindI64,
	"double": KindDouble, "string": KindString, "binary": KindBinary,
}

// typ converts a resolved type of file t.
func (cv *converter) typ(t *parser.Thrift, pt *parser.Type) (*Type, error) {
	if k, ok := baseKinds[pt.Name]; ok {
		return &Type{Kind: k}, nil
	}
	switch pt.Name {
	case "list", "set":
		elem, err := cv.typ(t, pt.ValueType)
		kind := KindList
		if pt.Name == "set" {
			kind = KindSet
		}
		return &Type{Kind: kind, Elem: elem}, err
	case "map":
		key, err := cv.typ(t, pt.KeyType)
		if err != nil {
			return nil, err
		}
		elem, err := cv.typ(t, pt.ValueType)
		return &Type{Kind: KindMap, Key: key, Elem: elem}, err
	}
	switch d := cv.lookup(t, pt.Name, pt.Reference).(type) {
	case *Enum:
		return &Type{Kind: KindEnum, Enum: d}, nil
	case *Struct:
		return &Type{Kind: KindStruct, Struct: d}, nil
	case *Typedef:
		under, err := cv.typedefType(d)
		if err != nil {
			return nil, err
		}
		named := *under
		named.Typedef = d
		return &named, nil
	}
	return nil, errorf(Pos{File: t.Filename}, "unknown type %q", pt.Name)
}

func (cv *converter) typedefType(d *Typedef) (*Type, error) {
	if d.Type != nil {
		return d.Type, nil
	}
	if cv.resolving[d] {
		return nil, errorf(d.Pos, "typedef %s refers to itself", d.Name)
	}
	cv.resolving[d] = true
	typ, err := cv.typ(cv.asts[d.File], cv.typedefs[d].Type)
	d.Type = typ
	return typ, err
}

func (cv *converter) resolveTypedefs(t *parser.Thrift) error {
	for _, d := range cv.files[t].Typedefs {
		if _, err := cv.typedefType(d); err != nil {
			return err
		}
	}
	return nil
}

// resolveTypes converts the types of constants and struct fields.
func (cv *converter) resolveTypes(t *parser.Thrift) (err error) {
	for _, d := range cv.files[t].Consts {
		if d.Type, err = cv.typ(t, cv.consts[d].Type); err != nil {
			return err
		}
	}
	for _, ps := range t.GetStructLikes() {
		s := cv.structs[ps]
		if s.Fields, err = cv.fieldList(t, s.Pos.Line, ps.Fields); err != nil {
			return err
		}
		if s.Kind == Union {
			for _, f := range s.Fields {
				f.Requiredness = Optional
			}
		}
	}
	return nil
}

func (cv *converter) fieldList(t *parser.Thrift, def int, pfs []*parser.Field) ([]*Field, error) {
	out := make([]*Field, 0, len(pfs))
	for _, pf := range pfs {
		typ, err := cv.typ(t, pf.Type)
		if err != nil {
			return nil, err
		}
		line := cv.c.srcs[t].member(def, strconv.Itoa(int(pf.ID)), pf.Name)
		f := &Field{ID: int16(pf.ID), Name: pf.Name, Type: typ, Requiredness: Requiredness(pf.Requiredness),
			Annotations: annotations(pf.Annotations), Doc: doc(pf.ReservedComments), Pos: Pos{File: t.Filename, Line: line}}
		cv.fields[f] = pf
		out = append(out, f)
	}
	return out, nil
}

// resolveValues converts constant values and default values, checking them against their types.
func (cv *converter) resolveValues(t *parser.Thrift) (err error) {
	f := cv.files[t]
	for _, d := range f.Consts {
		if d.Value, err = cv.value(t, d.Pos, d.Type, cv.consts[d].Value); err != nil {
			return err
		}
	}
	for _, s := range f.Structs {
		for _, fd := range s.Fields {
			if pf := cv.fields[fd]; pf.Default != nil {
				if fd.Default, err = cv.value(t, fd.Pos, fd.Type, pf.Default); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func annotations(as parser.Annotations) Annotations {
	var out Annotations
	for _, a := range as {
		out = append(out, Annotation{Key: a.Key, Values: a.Values})
	}
	return out
}

var commentMarks = regexp.MustCompile(`^(//+|#|/\*+|\*+/?)`)

// doc turns the comments written before a definition into plain text lines.
func doc(reserved string) string {
	var lines []string
	for _, l := range strings.Split(reserved, "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimSpace(strings.TrimSuffix(commentMarks.ReplaceAllString(l, ""), "*/"))
		lines = append(lines, l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
