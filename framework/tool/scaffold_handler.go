package tool

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// UpdateHandler returns handler.go for the scaffold directory dir with a stub for every method of
// ScaffoldService(prog) that its handler type, <Service>Impl, lacks, and the Go names of the stubs
// added. Each stub returns zero values: an empty struct, 0, "", false or nil, and a nil error.
//
// The methods the type has are read with go/parser from every non-test Go file of dir's package,
// including methods promoted from embedded types of the package (not from types of other packages).
// When handler.go exists, its bytes are kept as they are: the stubs are appended, and the imports they
// need and the file lacks are inserted as a new group of its import block (or a new import
// declaration); the type is declared too if no file declares it. Without handler.go, a whole file is
// returned. When nothing is missing, the content is handler.go unchanged and added is empty.
func UpdateHandler(prog *thriftidl.Program, cfg ScaffoldConfig, dir fs.FS) (content []byte, added []string, err error) {
	t, err := thriftTarget(prog, cfg.Config)
	if err != nil {
		return nil, nil, err
	}
	return updateHandler(t, cfg, dir)
}

// updateHandler is UpdateHandler for the service t.
func updateHandler(t *scaffoldTarget, cfg ScaffoldConfig, dir fs.FS) (content []byte, added []string, err error) {
	d, err := newScaffoldData(t, cfg)
	if err != nil {
		return nil, nil, err
	}
	src, err := fs.ReadFile(dir, "handler.go")
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	pkg, err := scanPackage(dir, src, exists)
	if err != nil {
		return nil, nil, err
	}
	have, declared := pkg.methodsOf(d.Impl)
	var missing []int
	for i, name := range t.methods {
		if !have[name] {
			missing = append(missing, i)
			added = append(added, name)
		}
	}
	if exists && declared && len(missing) == 0 {
		return src, nil, nil
	}
	imports := handlerImports(pkg)
	body, err := execute("scaffoldHandler", d.handlerData(imports, missing, !declared))
	if err != nil {
		return nil, nil, err
	}
	if !exists {
		content, err = userFile("", pkg.name, imports, body)
		return content, added, err
	}
	content, err = appendStubs(pkg, src, body, imports)
	return content, added, err
}

// appendStubs returns handler.go (src) with the stubs in body appended and the imports they need
// inserted, every byte of src kept.
func appendStubs(pkg *goPackage, src, body []byte, imports *importSet) ([]byte, error) {
	// Formatted as a whole file: go/format drops the empty "//" line of the first doc comment of a
	// fragment without a package clause.
	clause := "package " + pkg.name + "\n"
	stubs, err := format.Source(append([]byte(clause), body...))
	if err != nil {
		return nil, fmt.Errorf("formatting handler stubs: %w\n%s", err, numbered(body))
	}
	stubs = bytes.TrimPrefix(stubs, []byte(clause))
	content := pkg.insertImports(src, newImports(imports, pkg.imports))
	if !bytes.HasSuffix(content, []byte("\n")) {
		content = append(content, '\n')
	}
	if !bytes.HasSuffix(content, []byte("\n\n")) {
		content = append(content, '\n')
	}
	content = append(content, bytes.TrimSpace(stubs)...)
	return append(content, '\n'), nil
}

// handlerImports returns the imports the stubs render with: it reuses the imports handler.go has
// and keeps new import names clear of the package's top-level names.
func handlerImports(pkg *goPackage) *importSet {
	imports := newImportSet(nil)
	for p, name := range pkg.imports {
		imports.alias[p], imports.taken[name] = name, true
	}
	for name := range pkg.topNames {
		imports.taken[name] = true
	}
	return imports
}

// handlerData is what the "scaffoldHandler" template renders.
type handlerData struct {
	Impl     string
	TypeDecl bool // TypeDecl is set when no file of the package declares Impl.
	TypeDoc  string
	Methods  []stubData
}

// stubData is one method stub.
type stubData struct {
	Impl, Recv, Name, IDLName, Params, Results, Return, Doc string
}

func (d *scaffoldData) handlerData(imports *importSet, methods []int, typeDecl bool) handlerData {
	h := handlerData{Impl: d.Impl, TypeDecl: typeDecl, TypeDoc: wrap(fmt.Sprintf(
		"%s implements the IDL service %s. tern -service wrote a stub for each of its methods; when the IDL "+
			"gains methods, running it again appends their stubs and leaves the code here untouched.", d.Impl, d.IDLName), 100)}
	for _, i := range methods {
		h.Methods = append(h.Methods, d.stub(imports, i))
	}
	return h
}

// stub renders the stub of the target's method i.
func (d *scaffoldData) stub(imports *importSet, i int) stubData {
	p := d.target.stub(imports, i) // types first: they settle the import names
	s := stubData{Impl: d.Impl, Name: d.target.methods[i], IDLName: p.IDLName, Doc: p.Doc, Results: p.Results,
		Return: p.Return}
	// Parameters and the receiver must not shadow a package the body uses.
	avoid := map[string]bool{}
	for _, name := range imports.alias {
		avoid[name] = true
	}
	for _, r := range []string{"s", "h", "impl"} {
		if s.Recv = r; !avoid[r] {
			break
		}
	}
	avoid[s.Recv] = true
	list := make([]string, 0, len(p.Params))
	for _, prm := range p.Params {
		for avoid[prm.Name] {
			prm.Name += "_"
		}
		avoid[prm.Name] = true
		list = append(list, prm.Name+" "+prm.Type)
	}
	s.Params = strings.Join(list, ", ")
	return s
}

// stubDoc is the doc comment of a stub: the IDL's, or a sentence naming the IDL method.
func stubDoc(svc *thriftidl.Service, fn *thriftidl.Function) string {
	declaring := qualified(fn.Service.File, fn.Service.Name)
	doc := fn.Doc
	switch {
	case doc == "":
		doc = wrap(fmt.Sprintf("%s implements the IDL method %s.%s.", fn.GoName, declaring, fn.Name), 100)
	case fn.Service != svc:
		doc += "\n\n" + wrap(fmt.Sprintf("It implements the IDL method %s.%s, which %s inherits.", declaring, fn.Name, svc.Name), 100)
	}
	if fn.Oneway {
		doc += "\n\nThe method is oneway: the caller gets no reply, not even an error."
	}
	return doc
}

// zeroValue is what a stub returns for a result of type t: an empty struct, or the zero value.
func (f *fileGen) zeroValue(t *thriftidl.Type) string {
	switch t.Kind {
	case thriftidl.KindStruct:
		return "&" + strings.TrimPrefix(f.goType(t), "*") + "{}"
	case thriftidl.KindBool:
		return "false"
	case thriftidl.KindString:
		return `""`
	case thriftidl.KindBinary, thriftidl.KindList, thriftidl.KindSet, thriftidl.KindMap:
		return "nil"
	}
	return "0"
}

// newImports returns the import specs ("name path" or "path") the stubs use and the file lacks,
// sorted, standard library first, the groups separated by an empty string.
func newImports(set *importSet, had map[string]string) []string {
	var std, other []string
	for p, name := range set.alias {
		if _, ok := had[p]; ok {
			continue
		}
		spec := fmt.Sprintf("%q", p)
		if name != path.Base(p) {
			spec = name + " " + spec
		}
		if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
			other = append(other, spec)
		} else {
			std = append(std, spec)
		}
	}
	byPath := func(s []string) {
		sort.Slice(s, func(i, j int) bool { return specPath(s[i]) < specPath(s[j]) })
	}
	byPath(std)
	byPath(other)
	if len(std) > 0 && len(other) > 0 {
		std = append(std, "")
	}
	return append(std, other...)
}

func specPath(spec string) string { return spec[strings.IndexByte(spec, '"'):] }
