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
	d, err := newScaffoldData(prog, cfg)
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
	var missing []*thriftidl.Function
	for _, fn := range d.Service.AllFunctions() {
		if !have[fn.GoName] {
			missing = append(missing, fn)
			added = append(added, fn.GoName)
		}
	}
	if exists && declared && len(missing) == 0 {
		return src, nil, nil
	}
	f := d.handlerFile(prog, pkg)
	body, err := execute("scaffoldHandler", d.handlerData(f, missing, !declared))
	if err != nil {
		return nil, nil, err
	}
	if !exists {
		content, err = userFile("", pkg.name, f.imports, body)
		return content, added, err
	}
	stubs, err := format.Source(bytes.TrimSpace(body))
	if err != nil {
		return nil, nil, fmt.Errorf("formatting handler stubs: %w\n%s", err, numbered(body))
	}
	content = pkg.insertImports(src, newImports(f.imports, pkg.imports))
	if !bytes.HasSuffix(content, []byte("\n")) {
		content = append(content, '\n')
	}
	if !bytes.HasSuffix(content, []byte("\n\n")) {
		content = append(content, '\n')
	}
	content = append(content, bytes.TrimSpace(stubs)...)
	return append(content, '\n'), added, nil
}

// handlerFile returns the fileGen the stubs render with: it reuses the imports handler.go has and
// keeps new import names clear of the package's top-level names.
func (d *scaffoldData) handlerFile(prog *thriftidl.Program, pkg *goPackage) *fileGen {
	g := &generator{cfg: d.Config, prog: prog, reserved: reservedNames(prog)}
	imports := newImportSet(nil)
	for p, name := range pkg.imports {
		imports.alias[p], imports.taken[name] = name, true
	}
	for name := range pkg.topNames {
		imports.taken[name] = true
	}
	return &fileGen{gen: g, path: d.ImportPath, imports: imports}
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

func (d *scaffoldData) handlerData(f *fileGen, fns []*thriftidl.Function, typeDecl bool) handlerData {
	h := handlerData{Impl: d.Impl, TypeDecl: typeDecl, TypeDoc: wrap(fmt.Sprintf(
		"%s implements the IDL service %s. tern -service wrote a stub for each of its methods; when the IDL "+
			"gains methods, running it again appends their stubs and leaves the code here untouched.", d.Impl, d.IDLName), 100)}
	for _, fn := range fns {
		h.Methods = append(h.Methods, d.stub(f, fn))
	}
	return h
}

// stub renders the stub of fn.
func (d *scaffoldData) stub(f *fileGen, fn *thriftidl.Function) stubData {
	s := stubData{Impl: d.Impl, Name: fn.GoName, IDLName: qualified(fn.Service.File, fn.Service.Name) + "." + fn.Name,
		Doc: stubDoc(d.Service, fn), Results: "error", Return: "nil"}
	params := f.params(fn) // types first: they settle the import names
	if fn.Result != nil {
		s.Results = "(" + f.goType(fn.Result) + ", error)"
		s.Return = f.zeroValue(fn.Result) + ", nil"
	}
	// Parameters and the receiver must not shadow a package the body uses.
	avoid := map[string]bool{}
	for _, name := range f.imports.alias {
		avoid[name] = true
	}
	for _, r := range []string{"s", "h", "impl"} {
		if s.Recv = r; !avoid[r] {
			break
		}
	}
	avoid[s.Recv] = true
	list := []string{"ctx " + f.std("context") + ".Context"}
	for _, p := range params {
		for avoid[p.Name] {
			p.Name += "_"
		}
		avoid[p.Name] = true
		list = append(list, p.Name+" "+p.Type)
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
