package tool

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"strings"
	"text/template"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// templates holds every template, parsed once; each file renders with a clone bound to its fileGen.
var templates = template.Must(template.New("tern").Funcs((&fileGen{}).funcs()).Funcs((&protoFile{}).funcs()).
	ParseFS(templateFS, "templates/*.tmpl"))

// Config says where the generated packages live.
type Config struct {
	// ImportBase is the import path of the output directory: the module path joined with the output
	// directory's path inside the module. A types package's import path is ImportBase/<namespace dir>.
	ImportBase string
	// Use, when set, is the import path under which the types were already generated (the ImportBase
	// of an earlier run): only the service packages are generated, and they import the types from
	// there, like kitex -use.
	Use string
}

// File is one generated Go file.
type File struct {
	Path    string // Path is relative to the output directory, slash-separated.
	Package string // Package is the import path of the file's package.
	Content []byte
}

// generator renders one program.
type generator struct {
	cfg      Config
	prog     *thriftidl.Program
	reserved map[string]bool
}

// Generate renders the Go code of prog: one types package per IDL package (unless cfg.Use is set)
// and one package per service of the main file.
func Generate(prog *thriftidl.Program, cfg Config) ([]*File, error) {
	g := &generator{cfg: cfg, prog: prog, reserved: reservedNames(prog)}
	var files []*File
	if cfg.Use == "" {
		for _, p := range prog.Packages {
			fs, err := g.typesPackage(p)
			if err != nil {
				return nil, err
			}
			files = append(files, fs...)
		}
	}
	for _, s := range prog.Main.Services {
		f, err := g.servicePackage(s)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f.Path] {
			return nil, fmt.Errorf("two generated files would be %s: rename an IDL file or a service", f.Path)
		}
		seen[f.Path] = true
	}
	return files, nil
}

// TypesPath is the import path of the types package of p.
func (c Config) TypesPath(p *thriftidl.Package) string {
	if c.Use != "" {
		return joinPath(c.Use, p.Dir)
	}
	return joinPath(c.ImportBase, p.Dir)
}

// ServicePath is the import path of the package of service s, below its types package's directory.
func (c Config) ServicePath(s *thriftidl.Service) string {
	return joinPath(c.ImportBase, path.Join(s.File.Package.Dir, s.PackageName()))
}

func (g *generator) typesPath(p *thriftidl.Package) string { return g.cfg.TypesPath(p) }

func joinPath(base, rel string) string {
	if base == "" {
		return rel
	}
	return strings.TrimSuffix(base, "/") + "/" + rel
}

// newFile starts a file of package pkgName at importPath; helpers is nil for a service package.
func (g *generator) newFile(importPath, pkgName string, helpers *helperSet) *fileGen {
	locals := codecLocals
	if helpers == nil {
		locals = serviceLocals
	}
	imports := newImportSet(locals)
	imports.taken[pkgName] = true // legal, but confusing to read
	return &fileGen{gen: g, path: importPath, imports: imports, helpers: helpers}
}

// typesData is what the "types" template renders.
type typesData struct {
	File      *thriftidl.File
	Functions []*thriftidl.Function
}

// typesPackage renders, for each IDL file of p, <name>.go (the types) and <name>_codec.go (their
// codecs), then helpers.go with the container codecs they share.
func (g *generator) typesPackage(p *thriftidl.Package) ([]*File, error) {
	helpers := newHelperSet(p)
	var out []*File
	for i, file := range p.Files {
		doc := ""
		if i == 0 {
			doc = packageDoc(p)
		}
		files, err := g.typesFiles(file, doc, helpers)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file.Path, err)
		}
		out = append(out, files...)
	}
	h, err := g.helpersFile(p, helpers)
	if err != nil {
		return nil, err
	}
	if h != nil {
		out = append(out, h)
	}
	return out, nil
}

// typesFiles renders the types file of one IDL file and, if it has structs, its codec file.
func (g *generator) typesFiles(file *thriftidl.File, doc string, helpers *helperSet) ([]*File, error) {
	p, importPath := file.Package, g.typesPath(file.Package)
	data := typesData{File: file}
	structs := append([]*thriftidl.Struct(nil), file.Structs...)
	for _, s := range file.Services {
		for _, fn := range s.Functions {
			data.Functions = append(data.Functions, fn)
			structs = append(structs, fn.ArgsStruct)
			if fn.ResultStruct != nil {
				structs = append(structs, fn.ResultStruct)
			}
		}
	}
	f := g.newFile(importPath, p.Name, helpers)
	if len(structs)+len(file.Enums) > 0 {
		f.std("fmt")
	}
	if len(file.Services) > 0 {
		f.std("context")
	}
	types, err := g.render(f, "types", data, doc, p.Name)
	if err != nil {
		return nil, err
	}
	out := []*File{{Path: path.Join(p.Dir, goFileName(file.Name, "")), Package: importPath, Content: types}}
	if len(structs) == 0 {
		return out, nil
	}
	f = g.newFile(importPath, p.Name, helpers)
	f.std("fmt")
	f.std(pathThrift)
	codec, err := g.render(f, "codec", structs, "", p.Name)
	if err != nil {
		return nil, err
	}
	return append(out, &File{Path: path.Join(p.Dir, goFileName(file.Name, "_codec")), Package: importPath, Content: codec}), nil
}

// goFileName names the Go file of an IDL file; a name Go would treat as a test file gets a suffix.
func goFileName(name, suffix string) string {
	name += suffix
	if strings.HasSuffix(name, "_test") {
		name += "_"
	}
	return name + ".go"
}

func packageDoc(p *thriftidl.Package) string {
	var names []string
	for _, f := range p.Files {
		names = append(names, path.Base(f.Path))
	}
	return wrap(fmt.Sprintf("Package %s holds the types of %s (Go namespace %s), with fast Thrift binary codecs.",
		p.Name, strings.Join(names, ", "), p.Namespace), 97)
}

// helpersData is what the "helpers" template renders.
type helpersData struct {
	Containers []containerHelper
	Ptr        bool
}

// containerHelper is one container type of a package and the name of its len/write/read functions.
type containerHelper struct {
	Name   string
	Type   *thriftidl.Type
	GoType string
}

// helpersFile renders helpers.go, or returns nil when the package needs no helpers.
func (g *generator) helpersFile(p *thriftidl.Package, h *helperSet) (*File, error) {
	// Register the containers nested in registered ones, until none is new.
	for i := 0; i < len(h.order); i++ {
		t := h.types[h.order[i]]
		for _, inner := range []*thriftidl.Type{t.Key, t.Elem} {
			if inner != nil && inner.IsContainer() {
				h.name(inner)
			}
		}
	}
	if len(h.order) == 0 && !h.ptr {
		return nil, nil
	}
	f := g.newFile(g.typesPath(p), p.Name, h)
	data := helpersData{Ptr: h.ptr}
	if len(h.order) > 0 {
		f.std(pathThrift)
	}
	for _, name := range h.order {
		data.Containers = append(data.Containers, containerHelper{Name: name, Type: h.types[name], GoType: f.canonType(h.types[name])})
	}
	content, err := g.render(f, "helpers", data, "", p.Name)
	if err != nil {
		return nil, err
	}
	return &File{Path: path.Join(p.Dir, "helpers.go"), Package: g.typesPath(p), Content: content}, nil
}

// servicePackage renders the package of service s: <dir>/<name>service/<name>service.go.
func (g *generator) servicePackage(s *thriftidl.Service) (*File, error) {
	for _, fn := range s.AllFunctions() {
		if fn.GoName == "Close" {
			return nil, fmt.Errorf("%s: service %s: a method named Close would clash with the generated Client.Close",
				fn.Pos, s.Name)
		}
	}
	name := s.PackageName()
	dir := path.Join(s.File.Package.Dir, name)
	importPath := g.cfg.ServicePath(s)
	f := g.newFile(importPath, name, nil)
	for _, p := range []string{pathClient, pathServer, pathServiceinfo} {
		f.std(p)
	}
	if len(s.AllFunctions()) > 0 {
		f.std("context")
		f.std(pathCallopt)
	}
	doc := wrap(fmt.Sprintf("Package %s holds the client, the server and the description of the IDL service %s.",
		name, qualified(s.File, s.Name)), 97)
	content, err := g.render(f, "servicePackage", s, doc, name)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", s.Name, err)
	}
	return &File{Path: path.Join(dir, name+".go"), Package: importPath, Content: content}, nil
}

// render executes template name for file f and assembles the formatted Go file.
func (g *generator) render(f *fileGen, name string, data any, doc, pkgName string) ([]byte, error) {
	t, err := templates.Clone()
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	if err := t.Funcs(f.funcs()).ExecuteTemplate(&body, name, data); err != nil {
		return nil, err
	}
	return assemble(doc, pkgName, f.imports, body.Bytes())
}
