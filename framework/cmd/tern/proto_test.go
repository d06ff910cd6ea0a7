package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A .proto file generates its messages and those of its imports; services get a note, not an error.
func TestGenerateProto(t *testing.T) {
	inc := abs(t, "../../tool/testdata/proto")
	t.Chdir(t.TempDir())
	code, _, stderr := tern(t, "-module", "example.com/m", "-out", "gen", "-I", inc, filepath.Join(inc, "item.proto"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"shop/item/item.pb.go", "shop/base/base.pb.go"} {
		if _, err := os.Stat(filepath.Join("gen", f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if src := readFile(t, "gen/shop/item/item.pb.go"); !strings.Contains(src, `base "example.com/m/gen/shop/base"`) {
		t.Errorf("item.pb.go does not import example.com/m/gen/shop/base")
	}
	want := "tern: generated example.com/m/gen/shop/base (1 files)\n" +
		"tern: generated example.com/m/gen/shop/item (1 files)\n" +
		"tern: note: service stubs for .proto files are not generated yet; generated the messages only " +
		"(services: shop.item.ItemService)\n"
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
	for name, args := range map[string][]string{
		"syntax":  {"-module", "example.com/m", bad},
		"service": {"-module", "example.com/m", "-service", "x", good},
		"use":     {"-module", "example.com/m", "-use", "example.com/t", good},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := tern(t, args...)
			if code != 1 || !strings.HasPrefix(stderr, "tern: ") {
				t.Fatalf("exit %d, stderr %q; want 1 and an error", code, stderr)
			}
		})
	}
}
