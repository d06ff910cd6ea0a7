package interop_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ternhq/tern/framework/tool"
)

// echoPBFiles are the files tern generates for kitexpeer/echopb/echo.proto, relative to the module root.
var echoPBFiles = []string{
	"kitexpeer/echopb/echo.pb.go",
	"kitexpeer/echopb/echo_tern.go",
	"kitexpeer/echopb/echoservice/echoservice.go",
}

// generateEchoPB runs tern on proto (a copy of echo.proto, perhaps altered) in a scratch module of this
// module's path and returns that module's root.
func generateEchoPB(t *testing.T, proto []byte) (string, error) {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module github.com/ternhq/tern/framework/interop\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	idlDir := filepath.Join(root, "idl")
	if err := os.Mkdir(idlDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(idlDir, "echo.proto"), proto, 0o644); err != nil {
		t.Fatal(err)
	}
	return root, tool.Run(tool.Options{
		IDL:      filepath.Join(idlDir, "echo.proto"),
		Out:      root,
		Module:   "github.com/ternhq/tern/framework/interop",
		Includes: []string{idlDir},
		Log:      io.Discard,
	})
}

// TestEchoPBUpToDate regenerates kitexpeer/echopb and compares it with the committed code, and checks
// that a licence comment above the syntax line (common at the top of .proto files) changes nothing but
// the comment.
func TestEchoPBUpToDate(t *testing.T) {
	proto, err := os.ReadFile("kitexpeer/echopb/echo.proto")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		proto []byte
	}{
		{"committed", proto},
		{"licence_comment_first", append([]byte("// Copyright 2026 The Tern Authors. Licensed under Apache 2.0.\n\n"), proto...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := generateEchoPB(t, tt.proto)
			if err != nil {
				t.Fatalf("tern: %v", err)
			}
			for _, f := range echoPBFiles {
				got, err := os.ReadFile(filepath.Join(root, f))
				if err != nil {
					t.Fatal(err)
				}
				want, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if tt.name != "committed" { // the comment may be carried into echo.pb.go
					got = bytes.ReplaceAll(got, []byte("// Copyright 2026 The Tern Authors. Licensed under Apache 2.0.\n\n"), nil)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from what tern generates now; regenerate it (see kitexpeer/echopb/doc.go)", f)
				}
			}
		})
	}
}
