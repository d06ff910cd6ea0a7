package tool_test

import (
	"bytes"
	"go/format"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/tool"
)

// serviceModule makes dir the root of module example.com/hello, built against this framework.
func serviceModule(t *testing.T, dir string) {
	t.Helper()
	framework, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/hello\n\ngo 1.26\n\nrequire github.com/ternhq/tern/framework v0.0.0\n\n" +
		"replace github.com/ternhq/tern/framework => " + framework + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(filepath.Join(framework, "go.sum"), filepath.Join(dir, "go.sum")); err != nil {
		t.Fatal(err)
	}
}

// scaffoldFiles reads every file of the scaffold but handler.go.
func scaffoldFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"main.go", "conf/conf.go", "conf/conf_test.go", "conf/dev.yaml", "conf/test.yaml",
		"conf/prod.yaml", "build.sh", "README.md", ".gitignore"} {
		out[name] = readFile(t, name)
	}
	return out
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A scaffold edited by its user, rerun after the IDL gained methods: the generated code follows the
// IDL, the user's files stay byte for byte, handler.go gets the new stubs appended, and it all builds.
func TestScaffoldIncremental(t *testing.T) {
	v1, err := filepath.Abs("testdata/scaffold/v1/hello.thrift")
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := filepath.Abs("testdata/scaffold/v2/hello.thrift")
	includes, _ := filepath.Abs("testdata")
	dir := t.TempDir()
	serviceModule(t, dir)
	t.Chdir(dir)
	run := func(idl string) string {
		t.Helper()
		var log strings.Builder
		if err := tool.Run(tool.Options{IDL: idl, Includes: []string{includes}, Service: "hello", Log: &log}); err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		return log.String()
	}
	if log := run(v1); !strings.Contains(log, "tern: created handler.go\n") || strings.Contains(log, "go.mod") {
		t.Fatalf("first run:\n%s", log)
	}
	if info, err := os.Stat("build.sh"); err != nil || info.Mode().Perm()&0o111 == 0 {
		t.Fatalf("build.sh is not executable: %v", err)
	}

	// The user edits the scaffold: code in a method, a helper, a comment in main.go.
	fresh := readFile(t, "handler.go")
	const stub = "\t// Your code for hello.Hello.Greet goes here.\n\treturn &hello.HelloResponse{}, nil\n"
	if !strings.Contains(fresh, stub) {
		t.Fatalf("no Greet stub in handler.go:\n%s", fresh)
	}
	edited := strings.Replace(fresh, stub, "\treturn &hello.HelloResponse{Greeting: greeting(req.GetName())}, nil\n", 1) +
		"\n// greeting is a helper of the user's.\nfunc greeting(name string) string { return \"hello, \" + name }\n"
	if err := os.WriteFile("handler.go", []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod("handler.go", 0o600); err != nil { // a mode of the user's, to keep
		t.Fatal(err)
	}
	if err := os.WriteFile("main.go", []byte(readFile(t, "main.go")+"\n// The user's note.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := scaffoldFiles(t)

	log := run(v2)
	for _, want := range []string{"tern: handler.go: added Ping, Fire, Count\n", "tern: kept main.go (it exists)\n",
		"tern: kept conf/dev.yaml (it exists)\n", "tern: generated example.com/hello/tern_gen/base (2 files)\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("second run: no %q in\n%s", want, log)
		}
	}
	if after := scaffoldFiles(t); !mapsEqual(before, after) {
		t.Errorf("the second run changed the user's files")
	}
	updated := readFile(t, "handler.go")
	appended := appendedTo(t, edited, "\n\t\"example.com/hello/tern_gen/base\"\n", updated)
	if got := implMethods(t, "package main\n"+appended); !slices.Equal(got, []string{"Ping", "Fire", "Count"}) {
		t.Errorf("appended methods %v, want Ping, Fire, Count:\n%s", got, appended)
	}
	if formatted, err := format.Source([]byte(updated)); err != nil || !bytes.Equal(formatted, []byte(updated)) {
		t.Errorf("handler.go is not gofmt-clean (%v):\n%s", err, updated)
	}
	if info, err := os.Stat("handler.go"); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("handler.go lost its permissions: %v", err)
	}

	if log := run(v2); !strings.Contains(log, "tern: kept handler.go (no method missing)\n") || readFile(t, "handler.go") != updated {
		t.Errorf("third run changed handler.go:\n%s", log)
	}
	// It compiles, vets, and the configuration package's own tests pass.
	runGo(t, dir, "build", "./...")
	runGo(t, dir, "test", "./conf/")
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A scaffold run checks everything before it writes anything.
func TestScaffoldRunErrors(t *testing.T) {
	idl, _ := filepath.Abs("../testdata/echo.thrift")
	noService, _ := filepath.Abs("testdata/scaffold/noservice.thrift")
	cases := []struct {
		name   string
		gomod  string
		handle string // handler.go, if any
		opts   tool.Options
		want   string
	}{
		{"no module", "", "", tool.Options{IDL: idl, Service: "x"}, "no go.mod above tern_gen: pass -module"},
		{"no service", "", "", tool.Options{IDL: noService, Service: "x", Module: "example.com/x"}, "noservice.thrift defines no service"},
		{"bad name", "", "", tool.Options{IDL: idl, Service: "x/y", Module: "example.com/x"}, `-service "x/y"`},
		{"bad module", "", "", tool.Options{IDL: idl, Service: "x", Module: "a b"}, `-module "a b" is not a module path`},
		{"other module", "module example.com/y\n", "", tool.Options{IDL: idl, Service: "x", Module: "example.com/x"}, "-module example.com/x does not match module example.com/y"},
		{"broken handler", "module example.com/y\n", "package main\nfunc {", tool.Options{IDL: idl, Service: "x"}, "cannot add methods to handler.go: handler.go:2:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			if c.gomod != "" {
				if err := os.WriteFile("go.mod", []byte(c.gomod), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if c.handle != "" {
				if err := os.WriteFile("handler.go", []byte(c.handle), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := os.ReadDir(".")
			err := tool.Run(c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Run = %v, want %q", err, c.want)
			}
			if after, _ := os.ReadDir("."); len(after) != len(before) {
				t.Errorf("a failed run wrote files: %v", after)
			}
		})
	}
}
