package tool_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/tool"
	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// Some IDL is valid Thrift but cannot be rendered as Go the way tern lays packages out.
func TestGenerateErrors(t *testing.T) {
	cases := []struct{ file, want string }{
		{"close_method.thrift", "close_method.thrift:2: service S: a method named Close would clash with the generated Client.Close"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			prog, err := thriftidl.Load(filepath.Join("testdata", "errors", c.file), nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tool.Generate(prog, tool.Config{ImportBase: "example.com/m"})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Generate = %v, want %q", err, c.want)
			}
		})
	}
}

func TestConfigPaths(t *testing.T) {
	prog, err := thriftidl.Load(filepath.Join("testdata", "everything.thrift"), []string{"testdata"})
	if err != nil {
		t.Fatal(err)
	}
	store := prog.Main.Services[0]
	cfg := tool.Config{ImportBase: "example.com/m/gen"}
	if got := cfg.TypesPath(store.File.Package); got != "example.com/m/gen/everything" {
		t.Errorf("TypesPath = %s", got)
	}
	if got := cfg.ServicePath(store); got != "example.com/m/gen/everything/storeservice" {
		t.Errorf("ServicePath = %s", got)
	}
	cfg.Use = "example.com/types"
	if got := cfg.TypesPath(store.File.Package); got != "example.com/types/everything" {
		t.Errorf("TypesPath with Use = %s", got)
	}
}

// Run writes the files and logs one line per package.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	err := tool.Run(tool.Options{IDL: "testdata/chain/a.thrift", Out: filepath.Join(dir, "gen"), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	want := "tern: generated example.com/m/gen/c (2 files)\n" +
		"tern: generated example.com/m/gen/chain/x/common (3 files)\n" +
		"tern: generated example.com/m/gen/chain/y/common (3 files)\n" +
		"tern: generated example.com/m/gen/chain/x/common/chainservice (1 files)\n"
	if log.String() != want {
		t.Fatalf("log:\n%s\nwant:\n%s", log.String(), want)
	}
	golden, err := os.ReadFile("testdata/golden/chain/c/c.go.golden")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "gen", "c", "c.go")); err != nil || string(got) != string(golden) {
		t.Fatalf("gen/c/c.go differs from the golden file (%v)", err)
	}
}
