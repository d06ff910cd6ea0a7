package tool_test

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ternhq/tern/framework/tool"
	"github.com/ternhq/tern/framework/tool/thriftidl"
)

var scaffoldCases = []struct {
	name, idl string
	includes  []string
}{
	{name: "echo", idl: "../testdata/echo.thrift"},                                            // Greeter, the last service
	{name: "everything", idl: "testdata/everything.thrift", includes: []string{"testdata"}},   // inheritance across files
	{name: "hello", idl: "testdata/scaffold/v2/hello.thrift", includes: []string{"testdata"}}, // the incremental test's v2
}

// scaffoldConfig is the configuration the golden scaffolds are rendered with.
func scaffoldConfig(name string) tool.ScaffoldConfig {
	return tool.ScaffoldConfig{
		Config:     tool.Config{ImportBase: "example.com/" + name + "/tern_gen"},
		Name:       name,
		ImportPath: "example.com/" + name,
		Command:    "tern -service " + name + " " + name + ".thrift",
	}
}

func load(t *testing.T, idl string, includes ...string) *thriftidl.Program {
	t.Helper()
	prog, err := thriftidl.Load(idl, includes)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// TestScaffoldGolden renders the scaffold of each case and compares it with
// testdata/scaffold/golden/<case>; -update rewrites the golden files.
func TestScaffoldGolden(t *testing.T) {
	for _, c := range scaffoldCases {
		t.Run(c.name, func(t *testing.T) {
			files, err := tool.Scaffold(load(t, c.idl, c.includes...), scaffoldConfig(c.name))
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, f := range files {
				paths = append(paths, f.Path)
				if !strings.HasSuffix(f.Path, ".go") {
					continue
				}
				// The user owns these files: make gen.sh, which deletes generated files, never touch them.
				if bytes.HasPrefix(f.Content, []byte(tool.Header)) {
					t.Errorf("%s starts with the generated-code header", f.Path)
				}
				if formatted, err := format.Source(f.Content); err != nil || !bytes.Equal(formatted, f.Content) {
					t.Errorf("%s is not gofmt-clean (%v)", f.Path, err)
				}
			}
			want := []string{"main.go", "handler.go", "conf/conf.go", "conf/conf_test.go", "conf/dev.yaml",
				"conf/test.yaml", "conf/prod.yaml", "build.sh", "README.md", ".gitignore"}
			if !slices.Equal(paths, want) {
				t.Errorf("files %v, want %v", paths, want)
			}
			dir := filepath.Join("testdata", "scaffold", "golden", c.name)
			if *update {
				rewriteGolden(t, dir, files)
				return
			}
			compareGolden(t, dir, files)
		})
	}
}

func TestScaffoldErrors(t *testing.T) {
	cases := []struct {
		name, idl, service, want string
	}{
		{"no service", "testdata/scaffold/noservice.thrift", "x",
			"noservice.thrift defines no service to scaffold (-service scaffolds the last service of the IDL file)"},
		{"bad name", "../testdata/echo.thrift", "a b", `-service "a b": a service name is letters`},
		{"dash", "../testdata/echo.thrift", "-x", `-service "-x"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := scaffoldConfig("x")
			cfg.Name = c.service
			_, err := tool.Scaffold(load(t, c.idl), cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Scaffold = %v, want %q", err, c.want)
			}
		})
	}
}

// freshV1 is handler.go as the scaffold of testdata/scaffold/v1/hello.thrift writes it.
func freshV1(t *testing.T) string {
	t.Helper()
	content, added, err := tool.UpdateHandler(load(t, "testdata/scaffold/v1/hello.thrift"), scaffoldConfig("hello"), fstest.MapFS{})
	if err != nil || !slices.Equal(added, []string{"Greet"}) {
		t.Fatalf("UpdateHandler on an empty directory: added %v, %v", added, err)
	}
	return string(content)
}

// appendedTo returns what out adds to orig with inserted inserted somewhere in it: out must be orig,
// every byte kept, with inserted at one place and text appended.
func appendedTo(t *testing.T, orig, inserted, out string) string {
	t.Helper()
	for k := 0; k <= len(orig); k++ {
		if want := orig[:k] + inserted + orig[k:]; strings.HasPrefix(out, want) {
			return out[len(want):]
		}
	}
	t.Fatalf("the result is not the original with %q inserted and text appended:\n--- original\n%s\n--- result\n%s", inserted, orig, out)
	return ""
}

// implMethods returns the methods declared on HelloImpl in src, in order.
func implMethods(t *testing.T, src string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "handler.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	var out []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
			out = append(out, fd.Name.Name)
		}
	}
	return out
}

func TestUpdateHandler(t *testing.T) {
	v1 := freshV1(t)
	const baseImport = "\n\t\"example.com/hello/tern_gen/base\"\n"
	cases := []struct {
		name     string
		handler  string            // handler.go; "-" for none
		others   map[string]string // other files of the directory
		idl      string            // v1 or v2
		added    []string
		inserted string // what is inserted before the appended stubs
		methods  []string
		want     []string // substrings of the result
	}{
		{name: "up to date", handler: v1, idl: "v1", methods: []string{"Greet"}},
		{name: "new methods", handler: v1, idl: "v2", added: []string{"Ping", "Fire", "Count"}, inserted: baseImport,
			methods: []string{"Greet", "Ping", "Fire", "Count"},
			want: []string{"func (s *HelloImpl) Fire(ctx context.Context, id base.ID) error {\n\t// Your code for base.BaseService.Fire goes here.\n\treturn nil\n}",
				"// Count counts names.\nfunc (s *HelloImpl) Count(ctx context.Context, names []string) (int32, error) {",
				"// Ping implements the IDL method base.BaseService.Ping.\n"}},
		{name: "methods in other files", handler: v1, idl: "v2", added: []string{"Fire"}, inserted: baseImport,
			others: map[string]string{
				"ping.go":      "package main\n\nfunc (s HelloImpl) Ping() {}\n",
				"count.go":     "package main\n\nfunc (s *HelloImpl) Count() {}\n",
				"x_test.go":    "package main\n\nfunc (s *HelloImpl) Fire() {}\n",
				"other.go":     "package other\n\nfunc (s *HelloImpl) Fire() {}\n",
				"sub/fire.go":  "package main\n\nfunc (s *HelloImpl) Fire() {}\n",
				"notgo.go.txt": "func (s *HelloImpl) Fire() {}\n",
			},
			methods: []string{"Greet", "Fire"}},
		{name: "promoted methods", idl: "v2", added: []string{"Fire"}, inserted: baseImport,
			handler: strings.Replace(v1, "type HelloImpl struct{}", "type HelloImpl struct {\n\t*counter\n\tpinger\n}", 1),
			others: map[string]string{"embedded.go": "package main\n\ntype counter struct{}\n\nfunc (*counter) Count() {}\n\n" +
				"type pinger = pingImpl\n\ntype pingImpl struct{}\n\nfunc (pingImpl) Ping() {}\n"},
			methods: []string{"Greet", "Fire"}},
		{name: "aliases kept", idl: "v2", added: []string{"Ping", "Fire", "Count"},
			handler: "package main\n\nimport (\n\tstdctx \"context\"\n\n\tapi \"example.com/hello/tern_gen/hello\"\n)\n\n" +
				"// HelloImpl is mine.\ntype HelloImpl struct{ api int }\n\n" +
				"func (s *HelloImpl) Greet(ctx stdctx.Context, req *api.HelloRequest) (*api.HelloResponse, error) {\n\treturn nil, nil\n}\n",
			inserted: baseImport, methods: []string{"Greet", "Ping", "Fire", "Count"},
			want: []string{"func (s *HelloImpl) Count(ctx stdctx.Context, names []string) (int32, error) {"}},
		{name: "no imports", idl: "v1", added: []string{"Greet"}, handler: "package main\n\ntype HelloImpl struct{}\n",
			inserted: "\n\nimport (\n\t\"context\"\n\n\t\"example.com/hello/tern_gen/hello\"\n)", methods: []string{"Greet"},
			want: []string{"return &hello.HelloResponse{}, nil"}},
		{name: "single import", idl: "v1", added: []string{"Greet"},
			handler:  "package main\n\nimport \"context\" // for ctx\n\ntype HelloImpl struct{}\n\nvar _ context.Context\n",
			inserted: "\n\nimport \"example.com/hello/tern_gen/hello\"", methods: []string{"Greet"}},
		{name: "type declared", idl: "v1", added: []string{"Greet"}, handler: "package main\n",
			inserted: "\n\nimport (\n\t\"context\"\n\n\t\"example.com/hello/tern_gen/hello\"\n)", methods: []string{"Greet"},
			want: []string{"\ntype HelloImpl struct{}\n"}},
		{name: "package name clash", idl: "v1", added: []string{"Greet"},
			handler:  "package main\n\ntype HelloImpl struct{}\n\nvar hello = 1\n",
			inserted: "\n\nimport (\n\t\"context\"\n\n\thello0 \"example.com/hello/tern_gen/hello\"\n)", methods: []string{"Greet"},
			want: []string{"req *hello0.HelloRequest"}},
		{name: "no handler.go", handler: "-", idl: "v2", added: []string{"Fire", "Greet", "Count"},
			others:  map[string]string{"main.go": "package main\n\ntype HelloImpl struct{}\n\nfunc (h *HelloImpl) Ping() {}\n"},
			methods: []string{"Fire", "Greet", "Count"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := fstest.MapFS{}
			if c.handler != "-" {
				dir["handler.go"] = &fstest.MapFile{Data: []byte(c.handler)}
			}
			for name, src := range c.others {
				dir[name] = &fstest.MapFile{Data: []byte(src)}
			}
			prog := load(t, "testdata/scaffold/"+c.idl+"/hello.thrift", "testdata")
			content, added, err := tool.UpdateHandler(prog, scaffoldConfig("hello"), dir)
			if err != nil {
				t.Fatal(err)
			}
			out := string(content)
			if !slices.Equal(added, c.added) {
				t.Errorf("added %v, want %v", added, c.added)
			}
			if got := implMethods(t, out); !slices.Equal(got, c.methods) {
				t.Errorf("methods %v, want %v\n%s", got, c.methods, out)
			}
			if formatted, err := format.Source(content); err != nil || !bytes.Equal(formatted, content) {
				t.Errorf("not gofmt-clean (%v):\n%s", err, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
			if c.handler == "-" {
				return
			}
			if appended := appendedTo(t, c.handler, c.inserted, out); (appended == "") != (len(c.added) == 0) {
				t.Errorf("appended %q for methods %v", appended, c.added)
			}
		})
	}
}

func TestUpdateHandlerErrors(t *testing.T) {
	prog := load(t, "testdata/scaffold/v1/hello.thrift")
	cases := []struct{ name, file, src, want string }{
		{"handler syntax", "handler.go", "package main\n\nfunc (", "cannot add methods to handler.go: handler.go:3:"},
		{"sibling syntax", "impl.go", "package main\n\ntype", "cannot tell the methods of the handler type: impl.go:3:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := fstest.MapFS{c.file: &fstest.MapFile{Data: []byte(c.src)}}
			if _, _, err := tool.UpdateHandler(prog, scaffoldConfig("hello"), dir); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("UpdateHandler = %v, want %q", err, c.want)
			}
		})
	}
}
