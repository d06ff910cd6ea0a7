package tool

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"path"
	"strings"
	"text/template"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// Import paths the generated code of proto services uses besides those of fixedImports.
const (
	pathStreaming = "github.com/ternhq/tern/framework/streaming"
	pathProto     = "google.golang.org/protobuf/proto"
)

// protoFixedImports are imported under their own names by the generated code of proto services;
// message packages never get these names in those files.
var protoFixedImports = map[string]string{pathStreaming: "streaming", pathProto: "proto"}

// protoServiceLocals are the identifiers the function bodies of a proto service package declare.
var protoServiceLocals = []string{
	"a", "args", "c", "callOptions", "ctx", "destService", "err", "handler", "m", "opts", "p", "r", "req",
	"result", "resp", "s", "stream", "svr", "x",
}

// protoService is a service of the main .proto file, with the names its generated code uses. The
// handler interface and the server ends of its streams live in the message package (TypesPath), next
// to the messages, as the Thrift service interfaces live in their types package; the client, the
// server glue and the argument and result wrappers live in the service package (PkgPath).
type protoService struct {
	Name      string // Name is the service's proto name: ServiceInfo.ServiceName.
	Package   string // Package is the proto package: ServiceInfo.PackageName.
	GoName    string // GoName names the handler interface.
	Doc       string // Doc is the service's leading comment.
	PkgName   string // PkgName is the service package's name.
	PkgPath   string // PkgPath is the service package's import path.
	Dir       string // Dir is the service package's directory below the output directory.
	TypesPath string // TypesPath is the import path of the message package.
	TypesName string // TypesName is the message package's name.
	Methods   []*protoMethod
}

// FullName is the service's qualified proto name.
func (s *protoService) FullName() string { return qualifiedProto(s.Package, s.Name) }

// protoMethod is one method of a protoService.
type protoMethod struct {
	Service         *protoService
	Name            string // Name is the proto name, sent on the wire.
	GoName          string
	Doc             string
	Input, Output   protogen.GoIdent
	ClientStreaming bool
	ServerStreaming bool
	Idempotent      bool // Idempotent is set by idempotency_level NO_SIDE_EFFECTS or IDEMPOTENT.
}

// Streaming reports whether the method streams either way.
func (m *protoMethod) Streaming() bool { return m.ClientStreaming || m.ServerStreaming }

// Mode is the name of the method's streaming.Mode constant.
func (m *protoMethod) Mode() string {
	switch {
	case m.ClientStreaming && m.ServerStreaming:
		return "BidiStreaming"
	case m.ClientStreaming:
		return "ClientStreaming"
	case m.ServerStreaming:
		return "ServerStreaming"
	}
	return "None"
}

// Local is the prefix of the unexported names the service package declares for the method.
func (m *protoMethod) Local() string { return thriftidl.LowerFirst(m.GoName) }

// ServerStream names the server's typed stream interface of a streaming method, in the message package.
func (m *protoMethod) ServerStream() string { return m.Service.GoName + "_" + m.GoName + "Server" }

// ClientStream names the client's typed stream interface, in the service package.
func (m *protoMethod) ClientStream() string { return m.Service.GoName + "_" + m.GoName + "Client" }

// FullName is the method's qualified proto name.
func (m *protoMethod) FullName() string { return m.Service.FullName() + "." + m.Name }

func qualifiedProto(pkg, name string) string {
	if pkg == "" {
		return name
	}
	return pkg + "." + name
}

// protoServices returns the services of f, the main file, as generated under base.
func protoServices(f *protogen.File, base string) ([]*protoService, error) {
	var out []*protoService
	for _, s := range f.Services {
		svc := &protoService{
			Name: string(s.Desc.Name()), Package: string(f.Desc.Package()), GoName: s.GoName,
			Doc: protoDoc(s.Comments.Leading), PkgName: protoServicePkgName(s.GoName),
			TypesPath: string(f.GoImportPath), TypesName: string(f.GoPackageName),
		}
		svc.PkgPath = svc.TypesPath + "/" + svc.PkgName
		svc.Dir = path.Join(relDir(svc.TypesPath, base), svc.PkgName)
		for _, m := range s.Methods {
			level := m.Desc.Options().(*descriptorpb.MethodOptions).GetIdempotencyLevel()
			svc.Methods = append(svc.Methods, &protoMethod{
				Service: svc, Name: string(m.Desc.Name()), GoName: m.GoName, Doc: protoDoc(m.Comments.Leading),
				Input: m.Input.GoIdent, Output: m.Output.GoIdent,
				ClientStreaming: m.Desc.IsStreamingClient(), ServerStreaming: m.Desc.IsStreamingServer(),
				Idempotent: level != descriptorpb.MethodOptions_IDEMPOTENCY_UNKNOWN,
			})
		}
		if err := svc.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Desc.Path(), err)
		}
		out = append(out, svc)
	}
	return out, nil
}

// protoServicePkgName names the package of a service: its Go name in lower case, with "service"
// appended unless it already ends so (Greeter → greeterservice, ItemService → itemservice).
func protoServicePkgName(goName string) string {
	name := goPackageName(goName)
	if !strings.HasSuffix(name, "service") {
		name += "service"
	}
	return name
}

// relDir is the directory of import path p below the output directory, whose import path is base.
func relDir(p, base string) string {
	if p == base {
		return "."
	}
	return strings.TrimPrefix(p, base+"/")
}

// check reports names of the service package that would clash: two methods with one Go name, or a
// method named Close, which the generated Client has already.
func (s *protoService) check() error {
	seen := map[string]string{}
	for _, m := range s.Methods {
		if m.GoName == "Close" {
			return fmt.Errorf("service %s: a method named Close would clash with the generated Client.Close", s.Name)
		}
		if other, ok := seen[m.GoName]; ok {
			return fmt.Errorf("service %s: methods %s and %s have the same Go name %s", s.Name, other, m.Name, m.GoName)
		}
		seen[m.GoName] = m.Name
	}
	return nil
}

// typeNames are the top-level names the message package gains for s.
func (s *protoService) typeNames() []string {
	names := []string{s.GoName}
	for _, m := range s.Methods {
		if m.Streaming() {
			names = append(names, m.ServerStream())
		}
	}
	return names
}

// protoDoc turns a proto comment into doc text: the leading space of each line dropped.
func protoDoc(c protogen.Comments) string {
	text := strings.TrimRight(string(c), "\n")
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.TrimPrefix(l, " "), " \t")
	}
	return strings.Join(lines, "\n")
}

// protoFile renders one Go file of proto service code: it qualifies message types as the file sees
// them and records the imports they need.
type protoFile struct {
	path     string // path is the import path of the file's package.
	imports  *importSet
	pkgNames map[protogen.GoImportPath]protogen.GoPackageName
}

func newProtoFile(importPath, pkgName string, locals []string, pkgNames map[protogen.GoImportPath]protogen.GoPackageName) *protoFile {
	imports := newImportSet(locals)
	imports.taken[pkgName] = true
	for _, name := range protoFixedImports {
		imports.taken[name] = true
	}
	return &protoFile{path: importPath, imports: imports, pkgNames: pkgNames}
}

// use records an import of a fixed package and returns its name.
func (f *protoFile) use(p string) string {
	if name, ok := protoFixedImports[p]; ok {
		f.imports.alias[p] = name
		return name
	}
	return f.imports.use(p, fixedImports[p])
}

// goType returns the message type id as the file refers to it.
func (f *protoFile) goType(id protogen.GoIdent) string {
	if string(id.GoImportPath) == f.path {
		return id.GoName
	}
	name := string(f.pkgNames[id.GoImportPath])
	if name == "" {
		name = goPackageName(path.Base(string(id.GoImportPath)))
	}
	return f.imports.use(string(id.GoImportPath), name) + "." + id.GoName
}

// qualifyHandler returns the handler interface of s as the file refers to it.
func (f *protoFile) qualifyHandler(s *protoService) string {
	return f.goType(protogen.GoIdent{GoName: s.GoName, GoImportPath: protogen.GoImportPath(s.TypesPath)})
}

// topLevelNames returns the package-level identifiers declared in the Go sources srcs.
func topLevelNames(srcs [][]byte) (map[string]bool, error) {
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, src := range srcs {
		f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		p := &goPackage{types: map[string]*typeInfo{}, topNames: map[string]bool{}}
		p.add(f)
		for name := range p.topNames {
			names[name] = true
		}
	}
	return names, nil
}

// protoServiceFiles renders the service code of f, the main file: <name>_tern.go in its message
// package, with the handler interfaces and the server ends of their streams, and one package per
// service. messages are the message files, whose names the new declarations must not clash with.
func protoServiceFiles(f *protogen.File, base string, pkgNames map[protogen.GoImportPath]protogen.GoPackageName,
	messages []*File) ([]*File, error) {
	svcs, err := protoServices(f, base)
	if err != nil || len(svcs) == 0 {
		return nil, err
	}
	if err := checkTypeNames(svcs, messages); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Desc.Path(), err)
	}
	types, err := protoTypesFile(f, svcs, base, pkgNames)
	if err != nil {
		return nil, err
	}
	files := []*File{types}
	for _, s := range svcs {
		sf, err := protoServiceFile(s, pkgNames)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.Name, err)
		}
		files = append(files, sf)
	}
	return files, nil
}

// checkTypeNames reports a name the services add to the message package that it declares already.
func checkTypeNames(svcs []*protoService, messages []*File) error {
	var srcs [][]byte
	for _, m := range messages {
		if m.Package == svcs[0].TypesPath {
			srcs = append(srcs, m.Content)
		}
	}
	taken, err := topLevelNames(srcs)
	if err != nil {
		return err
	}
	for _, s := range svcs {
		for _, name := range s.typeNames() {
			if taken[name] {
				return fmt.Errorf("service %s: the generated %s would clash with a declaration of package %s",
					s.Name, name, s.TypesName)
			}
			taken[name] = true
		}
	}
	return nil
}

// streamKinds reports whether the methods of svcs include unary and streaming ones.
func streamKinds(svcs ...*protoService) (unary, streams bool) {
	for _, s := range svcs {
		for _, m := range s.Methods {
			streams = streams || m.Streaming()
			unary = unary || !m.Streaming()
		}
	}
	return unary, streams
}

// protoTypesFile renders <name>_tern.go, the handler interfaces of svcs, in f's message package.
func protoTypesFile(f *protogen.File, svcs []*protoService, base string,
	pkgNames map[protogen.GoImportPath]protogen.GoPackageName) (*File, error) {
	pf := newProtoFile(string(f.GoImportPath), string(f.GoPackageName), nil, pkgNames)
	unary, streams := streamKinds(svcs...)
	if unary {
		pf.use("context")
	}
	if streams {
		pf.use(pathStreaming)
	}
	content, err := renderProto(pf, "protoTypes", svcs, "", string(f.GoPackageName))
	if err != nil {
		return nil, err
	}
	name := path.Join(relDir(string(f.GoImportPath), base), path.Base(f.GeneratedFilenamePrefix)+"_tern.go")
	return &File{Path: name, Package: string(f.GoImportPath), Content: content}, nil
}

// protoServiceFile renders the package of service s: <dir>/<name>/<name>.go.
func protoServiceFile(s *protoService, pkgNames map[protogen.GoImportPath]protogen.GoPackageName) (*File, error) {
	pf := newProtoFile(s.PkgPath, s.PkgName, protoServiceLocals, pkgNames)
	for _, p := range []string{pathClient, pathServer, pathServiceinfo} {
		pf.use(p)
	}
	unary, streams := streamKinds(s)
	if len(s.Methods) > 0 {
		pf.use("context")
		pf.use(pathCallopt)
	}
	if unary {
		pf.use(pathProto)
	}
	if streams {
		pf.use(pathStreaming)
	}
	doc := wrap(fmt.Sprintf("Package %s holds the client, the server and the description of the proto service %s.",
		s.PkgName, s.FullName()), 97)
	content, err := renderProto(pf, "protoServicePackage", s, doc, s.PkgName)
	if err != nil {
		return nil, err
	}
	return &File{Path: path.Join(s.Dir, s.PkgName+".go"), Package: s.PkgPath, Content: content}, nil
}

// renderProto executes template name for file f and assembles the formatted Go file.
func renderProto(f *protoFile, name string, data any, doc, pkgName string) ([]byte, error) {
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

// funcs are the template functions of proto service templates.
func (f *protoFile) funcs() template.FuncMap {
	return template.FuncMap{
		"pbType":    f.goType,
		"pbHandler": f.qualifyHandler,
		"pbServerStream": func(m *protoMethod) string {
			return f.goType(protogen.GoIdent{GoName: m.ServerStream(), GoImportPath: protogen.GoImportPath(m.Service.TypesPath)})
		},
		"pbDoc": orDoc,
	}
}
