package thriftidl_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

func errorsDir(name string) string { return filepath.Join("..", "testdata", "errors", name) }

// IDL mistakes come back as *Error with the file and line of the mistake.
func TestLoadErrors(t *testing.T) {
	cases := []struct{ file, want string }{
		{"syntax.thrift", "syntax.thrift:5: syntax error at the end of the line"},
		{"unknown_type.thrift", `unknown_type.thrift:6: unknown type "Missing"`},
		{"unknown_arg_type.thrift", `unknown_arg_type.thrift:3: unknown type "Nope"`},
		{"include_error.thrift", `unknown_type.thrift:6: unknown type "Missing"`},
		{"missing_include.thrift", `missing_include.thrift:3: include "nope.thrift": file not found`},
		{"duplicate_id.thrift", `duplicate_id.thrift:4: struct A: fields "x" and "z" have the same id 1`},
		{"duplicate_name.thrift", `duplicate_name.thrift:5: "A" is defined twice (the first struct is at line 1)`},
		{"bad_default.thrift", `bad_default.thrift:2: "abc" is not a valid i32 value`},
		{"bad_struct_const.thrift", `bad_struct_const.thrift:4: A has no field "y"`},
		{"overflow.thrift", "overflow.thrift:1: 300 does not fit in byte"},
		{"oneway_result.thrift", "oneway_result.thrift:2: S.f: a oneway function must return void"},
		{"throws_struct.thrift", `throws_struct.thrift:6: S.f: throws "NotAnException", which is not an exception`},
		{"cycle_a.thrift", "cycle_b.thrift:1: include cycle: "},
		{"unknown_value.thrift", `unknown_value.thrift:2: unknown constant or enum value "NOPE"`},
		{"unknown_enum_value.thrift", `unknown_enum_value.thrift:5: unknown constant or enum value "F.A"`},
		{"unknown_extends.thrift", `unknown_extends.thrift:1: service S extends "Nope", which is not a known service`},
		{"const_cycle.thrift", "const_cycle.thrift:2: constant X refers to itself"},
		{"list_map_key.thrift", "list_map_key.thrift:4: map<list<i32>,string>: a list<i32> cannot be a Go map key"},
		{"redefined_method.thrift", "redefined_method.thrift:7: service S: function f is already inherited from service P"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, err := thriftidl.Load(errorsDir(c.file), nil)
			var e *thriftidl.Error
			if !errors.As(err, &e) {
				t.Fatalf("Load = %v, want an *Error", err)
			}
			want := filepath.Join("..", "testdata", "errors") + string(filepath.Separator) + c.want
			if !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("Load error:\n got %s\nwant %s...", err, want)
			}
		})
	}
}

func TestSyntaxErrorColumn(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.thrift")
	writeFile(t, path, "struct A {\n 1: i32 x,,\n}\n")
	_, err := thriftidl.Load(path, nil)
	if err == nil || !strings.HasSuffix(err.Error(), `x.thrift:2:11: syntax error near ","`) {
		t.Fatalf("Load = %v", err)
	}
}

// Included files are searched next to the including file, then in the include directories.
func TestIncludeDirs(t *testing.T) {
	main := filepath.Join("..", "testdata", "incl", "main.thrift")
	if _, err := thriftidl.Load(main, nil); err == nil || !strings.Contains(err.Error(), `main.thrift:2: include "base.thrift": file not found`) {
		t.Fatalf("Load without -I = %v", err)
	}
	prog, err := thriftidl.Load(main, []string{filepath.Join("..", "testdata")})
	if err != nil {
		t.Fatal(err)
	}
	if len(prog.Packages) != 2 || prog.Packages[0].Dir != "base" || prog.Packages[1].Dir != "incl" {
		t.Fatalf("packages: %+v, %+v", prog.Packages[0], prog.Packages[1])
	}
}

func TestGoIdentifier(t *testing.T) {
	cases := map[string]string{
		"delay_ms": "DelayMs", "MAX_SIZE": "MAX_SIZE", "a__b": "A_B", "user_ID": "User_ID", "x1_2y": "X1_2y",
		"HTTPServer": "HTTPServer", "getUserId": "GetUserId", "id": "Id", "ñandú_x": "ÑandúX",
	}
	for in, want := range cases {
		if got := thriftidl.GoIdentifier(in); got != want {
			t.Errorf("GoIdentifier(%q) = %q, want %q", in, got, want)
		}
	}
}
