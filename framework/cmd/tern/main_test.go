package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tern runs the command's main logic and returns its exit status, stdout and stderr.
func tern(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func abs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Without a go.mod, -module names the module and the working directory is its root.
func TestGenerateWithModule(t *testing.T) {
	idl := abs(t, "../../testdata/echo.thrift")
	t.Chdir(t.TempDir())
	code, _, stderr := tern(t, "-module", "example.com/m", "-out", "gen", idl)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"echo/echo.go", "echo/echo_codec.go", "echo/helpers.go",
		"echo/echoservice/echoservice.go", "echo/greeterservice/greeterservice.go"} {
		if _, err := os.Stat(filepath.Join("gen", f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if src := readFile(t, "gen/echo/echoservice/echoservice.go"); !strings.Contains(src, `"example.com/m/gen/echo"`) {
		t.Errorf("echoservice does not import example.com/m/gen/echo:\n%s", src)
	}
	want := "tern: generated example.com/m/gen/echo (3 files)\n" +
		"tern: generated example.com/m/gen/echo/echoservice (1 files)\n" +
		"tern: generated example.com/m/gen/echo/greeterservice (1 files)\n"
	if stderr != want {
		t.Errorf("progress log:\n%s\nwant:\n%s", stderr, want)
	}
}

// Without -module, the module is the one of the nearest go.mod above -out.
func TestModuleFromGoMod(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/fromgomod // comment\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "sub", "gen")
	if code, _, stderr := tern(t, "-out", out, "../../testdata/echo.thrift"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if src := readFile(t, filepath.Join(out, "echo/echoservice/echoservice.go")); !strings.Contains(src, `"example.com/fromgomod/sub/gen/echo"`) {
		t.Errorf("echoservice imports the wrong types package:\n%s", src)
	}
	code, _, stderr := tern(t, "-module", "example.com/other", "-out", out, "../../testdata/echo.thrift")
	if code != 1 || !strings.Contains(stderr, "-module example.com/other does not match module example.com/fromgomod") {
		t.Errorf("mismatched -module: exit %d: %s", code, stderr)
	}
}

// With -use only the service packages are written, importing the types from the given path.
func TestUse(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/svc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := tern(t, "-use", "example.com/types", "-out", filepath.Join(dir, "gen"), "../../testdata/echo.thrift")
	if code != 0 || strings.Count(stderr, "\n") != 2 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "gen", "echo", "echo.go")); !os.IsNotExist(err) {
		t.Errorf("types were generated with -use: %v", err)
	}
	if src := readFile(t, filepath.Join(dir, "gen/echo/greeterservice/greeterservice.go")); !strings.Contains(src, `"example.com/types/echo"`) {
		t.Errorf("greeterservice does not import example.com/types/echo:\n%s", src)
	}
}

// testdata returns the absolute path of a file below the framework directory.
func testdata(t *testing.T, rel string) string { return abs(t, filepath.Join("..", "..", rel)) }

// moduleDir returns a new directory holding a go.mod for module example.com/m.
func moduleDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Include directories are searched for included files; -I repeats.
func TestIncludeDirs(t *testing.T) {
	out, idl := filepath.Join(moduleDir(t), "gen"), testdata(t, "tool/testdata/incl/main.thrift")
	code, _, stderr := tern(t, "-out", out, idl)
	if code != 1 || !strings.Contains(stderr, `main.thrift:2: include "base.thrift": file not found`) {
		t.Fatalf("without -I: exit %d: %s", code, stderr)
	}
	code, _, stderr = tern(t, "-I", "/nonexistent", "-I", testdata(t, "tool/testdata"), "-out", out, idl)
	if code != 0 || !strings.Contains(stderr, "example.com/m/gen/base") {
		t.Fatalf("with -I: exit %d: %s", code, stderr)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"syntax", []string{"tool/testdata/errors/syntax.thrift"}, 1, "syntax.thrift:5: syntax error at the end of the line"},
		{"unknown type", []string{"tool/testdata/errors/unknown_type.thrift"}, 1, `unknown_type.thrift:6: unknown type "Missing"`},
		{"missing file", []string{"nope.thrift"}, 1, "nope.thrift: file not found"},
		{"no idl", nil, 2, "want one IDL file"},
		{"two idls", []string{"a.thrift", "b.thrift"}, 2, "want one IDL file"},
		{"unknown flag", []string{"-services", "x", "a.thrift"}, 2, "flag provided but not defined: -services"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"-out", filepath.Join(moduleDir(t), "gen")}
			for _, a := range c.args {
				if strings.HasSuffix(a, ".thrift") && strings.Contains(a, "/") {
					a = testdata(t, a)
				}
				args = append(args, a)
			}
			code, _, stderr := tern(t, args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, c.code, c.want)
			}
		})
	}
}

// Without a go.mod above -out, -module is needed, and -out must be inside the working directory.
func TestModuleRoot(t *testing.T) {
	idl := testdata(t, "testdata/echo.thrift")
	outside := filepath.Join(t.TempDir(), "gen")
	if code, _, stderr := tern(t, "-out", outside, idl); code != 1 || !strings.Contains(stderr, "pass -module") {
		t.Errorf("no module: exit %d: %s", code, stderr)
	}
	t.Chdir(t.TempDir())
	code, _, stderr := tern(t, "-module", "example.com/m", "-out", outside, idl)
	if code != 1 || !strings.Contains(stderr, "is outside the module root") {
		t.Errorf("outside the module: exit %d: %s", code, stderr)
	}
}

func TestVersionAndHelp(t *testing.T) {
	if code, stdout, _ := tern(t, "-version"); code != 0 || !strings.HasPrefix(stdout, "tern v") {
		t.Errorf("-version: exit %d, %q", code, stdout)
	}
	if code, _, stderr := tern(t, "-h"); code != 0 || !strings.Contains(stderr, "usage: tern") {
		t.Errorf("-h: exit %d, %q", code, stderr)
	}
}
