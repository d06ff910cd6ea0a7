package tool

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// ProtoProgram is a compiled .proto file with everything it imports.
type ProtoProgram struct {
	// Main is the file tern was given; its path is relative to the import directory it was found in.
	Main protoreflect.FileDescriptor
	// Files are Main and every file it imports, transitively, dependencies first.
	Files []protoreflect.FileDescriptor
}

// LoadProto compiles a .proto file with protocompile, without protoc. Imports are searched in
// includes, in order; a file outside every include directory is found through its own directory,
// which is then searched first, as protoc does with -I of the file's directory. The well-known types
// (google/protobuf/*.proto) are always available. Mistakes are reported as file:line:col: message.
func LoadProto(file string, includes []string) (*ProtoProgram, error) {
	name, dirs := protoName(file, includes)
	c := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(&protocompile.SourceResolver{ImportPaths: dirs}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	files, err := c.Compile(context.Background(), name)
	if err != nil {
		return nil, err
	}
	prog := &ProtoProgram{Main: files[0]}
	seen := map[string]bool{}
	var visit func(f protoreflect.FileDescriptor)
	visit = func(f protoreflect.FileDescriptor) {
		if seen[f.Path()] {
			return
		}
		seen[f.Path()] = true
		imports := f.Imports()
		for i := range imports.Len() {
			visit(imports.Get(i).FileDescriptor)
		}
		prog.Files = append(prog.Files, f)
	}
	visit(files[0])
	return prog, nil
}

// protoName returns the name to compile file under and the import directories: the path relative to
// the first include directory holding it, or else its base name with its directory searched first.
func protoName(file string, includes []string) (string, []string) {
	for _, dir := range includes {
		rel, err := filepath.Rel(dir, file)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel), includes
		}
	}
	return filepath.Base(file), append([]string{filepath.Dir(file)}, includes...)
}

// isWellKnown reports whether a file is one protocompile supplies itself: its Go code lives in
// google.golang.org/protobuf and is never generated.
func isWellKnown(f protoreflect.FileDescriptor) bool {
	return strings.HasPrefix(f.Path(), "google/protobuf/")
}

// GenerateProto renders the Go code of prog. The messages of the main file and of every file it
// imports, except the well-known types, are rendered with protoc-gen-go's own generator, so they are
// ordinary proto.Message types. A file's package sits at cfg.ImportBase joined with its go_package
// import path (the part below ImportBase when go_package is already under it), or, without
// go_package, its proto package as a path (its base name when it has no package either); go_package's
// ";name" suffix names the Go package.
//
// For the services of the main file, <file>_tern.go is added to its message package, with each
// service's handler interface (named as the service) and the server ends of its streams
// (<Service>_<Method>Server), and each service gets a package below it, named after the service in
// lower case with "service" appended unless it ends so already: its description, the server glue,
// the argument and result wrappers of unary methods (<Method>Args, <Method>Result, implementing
// codec/protobuf.Body), the client with the client ends of streams (<Service>_<Method>Client),
// NewServer and RegisterService. A unary method whose idempotency_level is NO_SIDE_EFFECTS or
// IDEMPOTENT is marked Idempotent, as tern.idempotent marks Thrift methods. cfg.Use is not supported.
func GenerateProto(prog *ProtoProgram, cfg Config) ([]*File, error) {
	if cfg.Use != "" {
		return nil, errors.New("-use is not supported for .proto files yet")
	}
	plugin, err := protoPlugin(prog, cfg.ImportBase)
	if err != nil {
		return nil, err
	}
	files, err := protoMessages(plugin, cfg.ImportBase)
	if err != nil {
		return nil, err
	}
	svcFiles, err := protoServiceFiles(plugin.FilesByPath[prog.Main.Path()], cfg.ImportBase, protoPackageNames(plugin), files)
	if err != nil {
		return nil, err
	}
	files = append(files, svcFiles...)
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f.Path] {
			return nil, fmt.Errorf("two generated files would be %s: rename a .proto file or a service", f.Path)
		}
		seen[f.Path] = true
	}
	return files, nil
}

// protoPlugin returns the protogen view of prog, every file but the well-known types to generate,
// each in the Go package protoGoPackage gives it.
func protoPlugin(prog *ProtoProgram, base string) (*protogen.Plugin, error) {
	req := &pluginpb.CodeGeneratorRequest{}
	params := []string{"module=" + base}
	for _, f := range prog.Files {
		req.ProtoFile = append(req.ProtoFile, protodesc.ToFileDescriptorProto(f))
		if isWellKnown(f) {
			continue
		}
		req.FileToGenerate = append(req.FileToGenerate, f.Path())
		imp, name := protoGoPackage(f, base)
		params = append(params, "M"+f.Path()+"="+imp+";"+name)
	}
	req.Parameter = proto.String(strings.Join(params, ","))
	return protogen.Options{}.New(req)
}

// protoPackageNames maps the import path of every file's Go package to its name.
func protoPackageNames(plugin *protogen.Plugin) map[protogen.GoImportPath]protogen.GoPackageName {
	names := map[protogen.GoImportPath]protogen.GoPackageName{}
	for _, f := range plugin.Files {
		names[f.GoImportPath] = f.GoPackageName
	}
	return names
}

// protoMessages renders the message code of the files of plugin with protoc-gen-go's generator.
func protoMessages(plugin *protogen.Plugin, base string) ([]*File, error) {
	for _, f := range plugin.Files {
		if f.Generate {
			internal_gengo.GenerateFile(plugin, f)
		}
	}
	plugin.SupportedFeatures = internal_gengo.SupportedFeatures
	plugin.SupportedEditionsMinimum = internal_gengo.SupportedEditionsMinimum
	plugin.SupportedEditionsMaximum = internal_gengo.SupportedEditionsMaximum
	resp := plugin.Response()
	if resp.Error != nil {
		return nil, errors.New(resp.GetError())
	}
	files := make([]*File, 0, len(resp.File))
	for _, rf := range resp.File {
		content, err := ternHeader(rf.GetContent())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rf.GetName(), err)
		}
		dir := path.Dir(rf.GetName())
		pkg := base
		if dir != "." {
			pkg += "/" + dir
		}
		files = append(files, &File{Path: rf.GetName(), Package: pkg, Content: content})
	}
	return files, nil
}

// protoGoPackage returns the import path and package name of a file's generated code.
func protoGoPackage(f protoreflect.FileDescriptor, base string) (importPath, name string) {
	var rel string
	opts, _ := f.Options().(*descriptorpb.FileOptions)
	if gp := opts.GetGoPackage(); gp != "" {
		rel, name, _ = strings.Cut(gp, ";")
		rel = strings.TrimPrefix(strings.TrimPrefix(rel, base), "/")
	} else if pkg := string(f.Package()); pkg != "" {
		rel = strings.ReplaceAll(pkg, ".", "/")
	} else {
		rel = strings.TrimSuffix(path.Base(f.Path()), ".proto")
	}
	rel = strings.Trim(path.Clean("/"+rel), "/")
	if name == "" {
		name = goPackageName(path.Base(rel))
	}
	if rel == "" {
		return base, name
	}
	return base + "/" + rel, name
}

// goPackageName turns the last element of an import path into a Go package name: lower case letters,
// digits and underscores, not starting with a digit.
func goPackageName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r == '_', r >= '0' && r <= '9' && b.Len() > 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			b.WriteString("_" + string(r))
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "pb"
	}
	return b.String()
}

// ternHeader puts Header first and drops protoc-gen-go's generated-code line, so that scripts/gen.sh
// recognises the file as tern's. That line is first, unless the .proto has comments above its syntax
// statement (a licence, say), which protoc-gen-go copies above it: they then follow Header.
func ternHeader(content string) ([]byte, error) {
	const generated = "// Code generated by protoc-gen-go."
	for off := 0; off < len(content); {
		line, _, _ := strings.Cut(content[off:], "\n")
		switch {
		case strings.HasPrefix(line, generated):
			rest := content[:off] + content[min(off+len(line)+1, len(content)):]
			return []byte(Header + "\n" + rest), nil
		case line != "" && !strings.HasPrefix(line, "//"):
			return nil, fmt.Errorf("no %q line before %q", generated, line)
		}
		off += len(line) + 1
	}
	return nil, fmt.Errorf("no %q line", generated)
}

// ProtoServices returns the full names of the services declared in the files GenerateProto renders,
// imports included; GenerateProto renders stubs for the services of the main file only.
func ProtoServices(prog *ProtoProgram) []string {
	var names []string
	for _, f := range prog.Files {
		if isWellKnown(f) {
			continue
		}
		for i := range f.Services().Len() {
			names = append(names, string(f.Services().Get(i).FullName()))
		}
	}
	slices.Sort(names)
	return names
}

// runProto is Run for a .proto file: messages and service stubs, and with opts.Service the scaffold
// of the last service.
func runProto(opts Options, base string) error {
	if opts.Use != "" {
		return errors.New("-use is not supported for .proto files yet")
	}
	prog, err := LoadProto(opts.IDL, opts.Includes)
	if err != nil {
		return err
	}
	cfg := Config{ImportBase: base}
	files, err := GenerateProto(prog, cfg)
	if err != nil {
		return err
	}
	if opts.Service == "" {
		return write(opts.Out, files, opts.Log)
	}
	t, err := protoTarget(prog, cfg)
	if err != nil {
		return err
	}
	return runScaffold(opts, t, cfg, files)
}
