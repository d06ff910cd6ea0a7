package tool_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/tool"
)

// TestGoldenProto generates the test .proto (an import, a well-known type, a service) and compares it
// with testdata/golden/proto; TestGoldenCompiles builds it with the other golden trees.
func TestGoldenProto(t *testing.T) {
	prog, err := tool.LoadProto("testdata/proto/item.proto", []string{"testdata/proto"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(prog.Files), 5; got != want { // empty, timestamp and wrappers.proto, shop/base.proto, item.proto
		t.Fatalf("LoadProto found %d files, want %d", got, want)
	}
	files, err := tool.GenerateProto(prog, tool.Config{ImportBase: goldenModule + "/proto"})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path+" "+f.Package)
		if !bytes.HasPrefix(f.Content, []byte(tool.Header+"\n")) {
			t.Errorf("%s does not start with %q", f.Path, tool.Header)
		}
	}
	slices.Sort(paths)
	want := []string{
		"shop/base/base.pb.go " + goldenModule + "/proto/shop/base",
		"shop/item/adminservice/adminservice.go " + goldenModule + "/proto/shop/item/adminservice",
		"shop/item/item.pb.go " + goldenModule + "/proto/shop/item",
		"shop/item/item_tern.go " + goldenModule + "/proto/shop/item",
		"shop/item/itemservice/itemservice.go " + goldenModule + "/proto/shop/item/itemservice",
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("generated %q, want %q", paths, want)
	}
	if got := tool.ProtoServices(prog); !slices.Equal(got, []string{"shop.item.Admin", "shop.item.ItemService"}) {
		t.Errorf("ProtoServices = %q", got)
	}
	dir := filepath.Join("testdata", "golden", "proto")
	if *update {
		rewriteGolden(t, dir, files)
		return
	}
	compareGolden(t, dir, files)
}

func TestProtoGoPackage(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"nopkg.proto":   `syntax = "proto3"; message A {}`,
		"dotted.proto":  `syntax = "proto3"; package a.b.c; message A {}`,
		"full.proto":    `syntax = "proto3"; package x; option go_package = "example.com/base/deep/x"; message A {}`,
		"named.proto":   `syntax = "proto3"; package y; option go_package = "y/v1;ypb"; message A {}`,
		"9-dash.proto":  `syntax = "proto3"; message A {}`,
		"service.proto": `syntax = "proto3"; message A {} service S { rpc M(A) returns (A); }`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ file, path, pkg string }{
		{"nopkg.proto", "nopkg/nopkg.pb.go", "package nopkg"},
		{"dotted.proto", "a/b/c/dotted.pb.go", "package c"},
		{"full.proto", "deep/x/full.pb.go", "package x"},
		{"named.proto", "y/v1/named.pb.go", "package ypb"},
		{"9-dash.proto", "9-dash/9-dash.pb.go", "package _9_dash"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			// Found through its own directory: no -I.
			prog, err := tool.LoadProto(filepath.Join(dir, tt.file), nil)
			if err != nil {
				t.Fatal(err)
			}
			files, err := tool.GenerateProto(prog, tool.Config{ImportBase: "example.com/base"})
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 1 || files[0].Path != tt.path || !bytes.Contains(files[0].Content, []byte("\n"+tt.pkg+"\n")) {
				t.Fatalf("generated %s, want %s with %q", files[0].Path, tt.path, tt.pkg)
			}
		})
	}
	if _, err := tool.GenerateProto(&tool.ProtoProgram{}, tool.Config{ImportBase: "m", Use: "x"}); err == nil {
		t.Error("GenerateProto with Use: no error")
	}
}

func TestLoadProtoErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.proto")
	if err := os.WriteFile(bad, []byte("syntax = \"proto3\";\nmessage A { int32 x = ; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "imp.proto")
	if err := os.WriteFile(missing, []byte("syntax = \"proto3\";\nimport \"nowhere.proto\";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{bad: "bad.proto:2:", missing: "nowhere.proto"} {
		_, err := tool.LoadProto(file, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadProto(%s) = %v, want an error mentioning %q", filepath.Base(file), err, want)
		}
	}
	if _, err := tool.LoadProto(filepath.Join(dir, "absent.proto"), nil); err == nil || errors.Is(err, nil) {
		t.Error("LoadProto of a missing file: no error")
	}
}

// Services whose generated names would clash are refused with the reason, not rendered into code
// that does not compile.
func TestGenerateProtoServiceErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"interface clashes with a message", "message A { message B {} }\nservice A_B { rpc M(A) returns (A); }",
			"service A_B: the generated A_B would clash with a declaration of package p"},
		{"stream clashes with a message", "message A {}\nmessage S_MServer {}\nservice S { rpc M(stream A) returns (A); }",
			"the generated S_MServer would clash"},
		{"same Go name", "message A {}\nservice S { rpc get_a(A) returns (A); rpc GetA(A) returns (A); }",
			"methods get_a and GetA have the same Go name GetA"},
		{"Close", "message A {}\nservice S { rpc Close(A) returns (A); }", "a method named Close would clash"},
		{"same service package", "message A {}\nservice Item { rpc M(A) returns (A); }\nservice ItemService { rpc M(A) returns (A); }",
			"two generated files would be p/itemservice/itemservice.go"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := "syntax = \"proto3\";\npackage p;\n" + tt.src + "\n"
			if err := os.WriteFile(filepath.Join(dir, "p.proto"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			prog, err := tool.LoadProto(filepath.Join(dir, "p.proto"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tool.GenerateProto(prog, tool.Config{ImportBase: "example.com/m"}); err == nil ||
				!strings.Contains(err.Error(), tt.want) {
				t.Fatalf("GenerateProto = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// Comments above the syntax statement, which protoc-gen-go copies above its generated-code line,
// follow Header: the file still starts with it, and only gains the comment.
func TestGenerateProtoLeadingComment(t *testing.T) {
	const licence = "// Copyright 2026 The Tern Authors.\n// Licensed under Apache 2.0.\n\n"
	src := "syntax = \"proto3\";\npackage p;\nmessage A {}\nservice S { rpc M(A) returns (A); }\n"
	tests := []struct{ name, src string }{{"plain", src}, {"licence", licence + src}}
	var outputs []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "p.proto"), []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			prog, err := tool.LoadProto(filepath.Join(dir, "p.proto"), nil)
			if err != nil {
				t.Fatal(err)
			}
			files, err := tool.GenerateProto(prog, tool.Config{ImportBase: "example.com/m"})
			if err != nil {
				t.Fatal(err)
			}
			pb := string(files[0].Content)
			if !strings.HasPrefix(pb, tool.Header+"\n") || strings.Contains(pb, "protoc-gen-go. DO NOT EDIT") {
				t.Fatalf("%s starts:\n%.200s", files[0].Path, pb)
			}
			outputs = append(outputs, strings.Replace(pb, licence, "", 1))
		})
	}
	if len(outputs) == 2 && outputs[0] != outputs[1] {
		t.Errorf("the licence changed more than the comment:\n%.300s\n---\n%.300s", outputs[0], outputs[1])
	}
}
