package tool_test

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ternhq/tern/framework/tool"
	"github.com/ternhq/tern/framework/tool/thriftidl"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenModule is the module path the golden code is generated for; each case lives in a directory of
// its own name below it.
const goldenModule = "example.com/golden"

var goldenCases = []struct {
	name     string
	idl      string
	includes []string
	use      string
}{
	{name: "echo", idl: "../testdata/echo.thrift"},
	{name: "everything", idl: "testdata/everything.thrift", includes: []string{"testdata"}},
	{name: "chain", idl: "testdata/chain/a.thrift"},
	{name: "edge", idl: "testdata/edge.thrift", includes: []string{"testdata"}},
	{name: "use", idl: "testdata/everything.thrift", includes: []string{"testdata"}, use: goldenModule + "/everything"},
}

// TestGolden regenerates every case and compares it with testdata/golden/<case>; -update rewrites
// the golden files instead.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			prog, err := thriftidl.Load(c.idl, c.includes)
			if err != nil {
				t.Fatal(err)
			}
			files, err := tool.Generate(prog, tool.Config{ImportBase: goldenModule + "/" + c.name, Use: c.use})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if !bytes.HasPrefix(f.Content, []byte(tool.Header+"\n")) {
					t.Errorf("%s does not start with %q", f.Path, tool.Header)
				}
			}
			dir := filepath.Join("testdata", "golden", c.name)
			if *update {
				rewriteGolden(t, dir, files)
				return
			}
			compareGolden(t, dir, files)
		})
	}
}

func rewriteGolden(t *testing.T, dir string, files []*tool.File) {
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Join(dir, filepath.FromSlash(f.Path)+".golden")
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func compareGolden(t *testing.T, dir string, files []*tool.File) {
	want := map[string]bool{}
	for _, f := range files {
		name := filepath.Join(dir, filepath.FromSlash(f.Path)+".golden")
		want[name] = true
		golden, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%v (run go test ./tool/ -update)", err)
			continue
		}
		if !bytes.Equal(golden, f.Content) {
			t.Errorf("%s differs from the generated code at %s (run go test ./tool/ -update)", name, firstDiff(golden, f.Content))
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !want[path] {
			t.Errorf("%s is not generated any more (run go test ./tool/ -update)", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// firstDiff describes the first line where a and b differ.
func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n  golden:    " + al[i] + "\n  generated: " + bl[i]
		}
	}
	return "line " + strconv.Itoa(min(len(al), len(bl))+1) + " (one is longer)"
}

// TestGoldenCompiles copies every golden tree into one temporary module that requires this framework
// and runs go build and go vet on it: generated code must compile, including the -use case that
// imports the types of another case.
func TestGoldenCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the golden code with the go command")
	}
	framework, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	err = filepath.WalkDir(filepath.Join("testdata", "golden"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join("testdata", "golden"), path)
		return copyFile(path, filepath.Join(mod, strings.TrimSuffix(rel, ".golden")))
	})
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module " + goldenModule + "\n\ngo 1.26\n\nrequire github.com/ternhq/tern/framework v0.0.0\n\n" +
		"replace github.com/ternhq/tern/framework => " + framework + "\n"
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(filepath.Join(framework, "go.sum"), filepath.Join(mod, "go.sum")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		runGo(t, mod, args...)
	}
}

func runGo(t *testing.T, dir string, args ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod -buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}
