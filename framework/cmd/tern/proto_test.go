package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A .proto file generates its messages and those of its imports, and stubs for its services.
func TestGenerateProto(t *testing.T) {
	inc := abs(t, "../../tool/testdata/proto")
	t.Chdir(t.TempDir())
	code, _, stderr := tern(t, "-module", "example.com/m", "-out", "gen", "-I", inc, filepath.Join(inc, "item.proto"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"shop/item/item.pb.go", "shop/item/item_tern.go", "shop/item/itemservice/itemservice.go",
		"shop/item/adminservice/adminservice.go", "shop/base/base.pb.go"} {
		if _, err := os.Stat(filepath.Join("gen", f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if src := readFile(t, "gen/shop/item/item.pb.go"); !strings.Contains(src, `base "example.com/m/gen/shop/base"`) {
		t.Errorf("item.pb.go does not import example.com/m/gen/shop/base")
	}
	want := "tern: generated example.com/m/gen/shop/base (1 files)\n" +
		"tern: generated example.com/m/gen/shop/item (2 files)\n" +
		"tern: generated example.com/m/gen/shop/item/adminservice (1 files)\n" +
		"tern: generated example.com/m/gen/shop/item/itemservice (1 files)\n"
	if stderr != want {
		t.Errorf("log:\n%s\nwant:\n%s", stderr, want)
	}
}

func TestGenerateProtoErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.proto")
	if err := os.WriteFile(bad, []byte("syntax = \"proto3\";\nmessage {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := abs(t, "../../tool/testdata/proto/shop/base.proto")
	t.Chdir(dir)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"syntax", []string{"-module", "example.com/m", bad}, "bad.proto:2:"},
		{"no service", []string{"-module", "example.com/m", "-service", "x", good},
			"base.proto defines no service to scaffold"},
		{"use", []string{"-module", "example.com/m", "-use", "example.com/t", good}, "-use is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := tern(t, tt.args...)
			if code != 1 || !strings.HasPrefix(stderr, "tern: ") || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and an error mentioning %q", code, stderr, tt.want)
			}
			if entries, _ := os.ReadDir("."); len(entries) != 1 { // bad.proto
				t.Errorf("the failed run wrote files: %v", entries)
			}
		})
	}
}
