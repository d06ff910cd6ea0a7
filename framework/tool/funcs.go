package tool

import (
	"fmt"
	"text/template"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// funcs are the template functions; they render types and code as seen from file f.
func (f *fileGen) funcs() template.FuncMap {
	return template.FuncMap{
		"comment":        comment,
		"upperFirst":     thriftidl.UpperFirst,
		"goType":         f.goType,
		"canonType":      f.canonType,
		"fieldType":      f.fieldType,
		"tags":           f.tags,
		"constExpr":      f.constExpr,
		"constDecls":     func(cs []*thriftidl.Const) []*thriftidl.Const { return filterConsts(cs, true) },
		"varDecls":       func(cs []*thriftidl.Const) []*thriftidl.Const { return filterConsts(cs, false) },
		"defaultVars":    f.defaultVars,
		"defaultVar":     defaultVar,
		"hasIsSet":       hasIsSet,
		"isSetCond":      isSetCond,
		"isPtr":          isPtr,
		"isOptional":     func(fd *thriftidl.Field) bool { return fd.Requiredness == thriftidl.Optional },
		"isRequired":     func(fd *thriftidl.Field) bool { return fd.Requiredness == thriftidl.Required },
		"isUnion":        func(s *thriftidl.Struct) bool { return s.Kind == thriftidl.Union },
		"requiredFields": requiredFields,
		"fieldValue":     fieldValue,
		"enumDoc":        enumDoc,
		"typedefDoc":     typedefDoc,
		"structDoc":      structDoc,
		"serviceDoc":     serviceDoc,
		"typedefTarget":  f.typedefTarget,
		"typedefNew": func(d *thriftidl.Typedef) string {
			return f.qualify(d.Type.Struct.File.Package, "New"+d.Type.Struct.GoName)
		},
		"qualifyService": func(s *thriftidl.Service) string { return f.qualify(s.File.Package, s.GoName) },
		"params":         f.params,
		"fieldsOf":       func(s *thriftidl.Struct, op string) fieldsData { return fieldsData{Struct: s, Op: op} },
		"fieldCode":      f.fieldCode,
		"readCase":       f.readCase,
		"readField":      f.readField,
		"lenExpr":        f.lenExpr,
		"writeExpr":      f.writeExpr,
		"readStmt":       f.readStmt,
		"fixedLen":       f.fixedLen,
		"ttype":          f.ttype,
		"keyType":        keyType,
		"handlerName":    func(fn *thriftidl.Function) string { return thriftidl.LowerFirst(fn.GoName) + "Handler" },
		"argsType":       func(fn *thriftidl.Function) string { return f.qualify(fn.Service.File.Package, fn.ArgsStruct.GoName) },
		"resultType":     func(fn *thriftidl.Function) string { return f.qualify(fn.Service.File.Package, fn.ResultStruct.GoName) },
		"successField":   func(fn *thriftidl.Function) *thriftidl.Field { return fn.ResultStruct.Fields[0] },
		"uniqueThrows":   uniqueThrows,
	}
}

// fieldsData is what the "fields" template renders: the length ("len") or write ("write") code of
// every field of Struct.
type fieldsData struct {
	Struct *thriftidl.Struct
	Op     string
}

func (f *fileGen) fieldCode(op string, fd *thriftidl.Field) string {
	if op == "len" {
		return f.lenField(fd)
	}
	return f.writeField(fd)
}

// filterConsts returns the constants that are Go constants (goConst) or Go variables (!goConst).
func filterConsts(cs []*thriftidl.Const, goConst bool) []*thriftidl.Const {
	var out []*thriftidl.Const
	for _, c := range cs {
		if (c.Type.IsScalar()) == goConst {
			out = append(out, c)
		}
	}
	return out
}

// defaultVarDecl is one <Struct>_<Field>_DEFAULT variable.
type defaultVarDecl struct{ Name, Type, Expr string }

// defaultVars lists the default-value variables of s: one per field that has an IsSet method.
func (f *fileGen) defaultVars(s *thriftidl.Struct) []defaultVarDecl {
	var out []defaultVarDecl
	for _, fd := range s.Fields {
		if !hasIsSet(fd) {
			continue
		}
		d := defaultVarDecl{Name: defaultVar(s, fd), Type: f.goType(fd.Type)}
		if fd.Default != nil {
			d.Expr = f.constExpr(fd.Type, fd.Default)
		}
		out = append(out, d)
	}
	return out
}

func requiredFields(s *thriftidl.Struct) []*thriftidl.Field {
	var out []*thriftidl.Field
	for _, fd := range s.Fields {
		if fd.Requiredness == thriftidl.Required {
			out = append(out, fd)
		}
	}
	return out
}

// uniqueThrows returns the declared exceptions of fn, one per exception type.
func uniqueThrows(fn *thriftidl.Function) []*thriftidl.Field {
	var out []*thriftidl.Field
	seen := map[*thriftidl.Struct]bool{}
	for _, x := range fn.Throws {
		if !seen[x.Type.Struct] {
			seen[x.Type.Struct] = true
			out = append(out, x)
		}
	}
	return out
}

// typedefTarget is what a typedef aliases: the struct type itself (not a pointer) for a struct.
func (f *fileGen) typedefTarget(d *thriftidl.Typedef) string {
	if d.Type.Kind == thriftidl.KindStruct && d.Type.Typedef == nil {
		return f.qualify(d.Type.Struct.File.Package, d.Type.Struct.GoName)
	}
	if d.Type.Kind == thriftidl.KindStruct {
		return f.qualify(d.Type.Typedef.File.Package, d.Type.Typedef.GoName)
	}
	return f.goType(d.Type)
}

// param is one Go parameter of a service method, with the args struct field it fills.
type param struct{ Name, Type, Field string }

func (f *fileGen) params(fn *thriftidl.Function) []param {
	names := f.gen.params(fn)
	out := make([]param, len(fn.Args))
	for i, a := range fn.Args {
		out[i] = param{Name: names[i], Type: f.fieldType(a), Field: a.GoName}
	}
	return out
}

func orDoc(doc, fallback string) string {
	if doc != "" {
		return doc
	}
	return fallback
}

func qualified(file *thriftidl.File, name string) string {
	return file.Package.Namespace + "." + name
}

func enumDoc(e *thriftidl.Enum) string {
	return orDoc(e.Doc, fmt.Sprintf("%s is the IDL enum %s.", e.GoName, qualified(e.File, e.Name)))
}

func typedefDoc(d *thriftidl.Typedef) string {
	return orDoc(d.Doc, fmt.Sprintf("%s is the IDL typedef %s.", d.GoName, qualified(d.File, d.Name)))
}

func serviceDoc(s *thriftidl.Service) string {
	return orDoc(s.Doc, fmt.Sprintf("%s is the IDL service %s.", s.GoName, qualified(s.File, s.Name)))
}

func structDoc(s *thriftidl.Struct) string {
	if fn := s.Function; fn != nil {
		if s == fn.ArgsStruct {
			return fmt.Sprintf("%s holds the arguments of %s.%s.", s.GoName, fn.Service.Name, fn.Name)
		}
		return fmt.Sprintf("%s holds the result of %s.%s: Success or one of the declared exceptions.",
			s.GoName, fn.Service.Name, fn.Name)
	}
	doc := orDoc(s.Doc, fmt.Sprintf("%s is the IDL %s %s.", s.GoName, s.Kind, qualified(s.File, s.Name)))
	if s.Kind == thriftidl.Union {
		doc += "\n\nAt most one field of a union should be set. When several are, FastWrite writes only the\n" +
			"first one set, in IDL order, so the encoding is always a valid union."
	}
	return doc
}
