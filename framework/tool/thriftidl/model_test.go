package thriftidl_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func loadEverything(t *testing.T) *thriftidl.Program {
	t.Helper()
	prog, err := thriftidl.Load(filepath.Join("..", "testdata", "everything.thrift"), []string{filepath.Join("..", "testdata")})
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func structNamed(f *thriftidl.File, name string) *thriftidl.Struct {
	for _, s := range f.Structs {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func TestProgramLayout(t *testing.T) {
	prog := loadEverything(t)
	if prog.Main.Name != "everything" || len(prog.Files) != 2 || prog.Files[0].Name != "base" {
		t.Fatalf("files: main %s, %d files, first %s", prog.Main.Name, len(prog.Files), prog.Files[0].Name)
	}
	if got := prog.Main.Includes[0]; got != prog.Files[0] {
		t.Fatalf("include of everything is %v", got)
	}
	var names []string
	for _, s := range prog.Main.Structs {
		names = append(names, s.Name)
	}
	want := "Point Everything Defaults Required Narrow Choice Failure Tagged Tree Names Empty LineItem Order"
	if got := join(names); got != want {
		t.Fatalf("structs in source order:\n got %s\nwant %s", got, want)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func TestPositionsAndDocs(t *testing.T) {
	prog := loadEverything(t)
	everything := structNamed(prog.Main, "Everything")
	if everything.Pos.Line != 55 || everything.Doc != "Everything has a field of every type." {
		t.Fatalf("Everything at %s, doc %q", everything.Pos, everything.Doc)
	}
	if f := everything.Fields[13]; f.Name != "deep" || f.Pos.Line != 69 {
		t.Fatalf("field 14 is %s at %s", f.Name, f.Pos)
	}
	store := prog.Main.Services[0]
	if store.Pos.Line != 187 || store.Functions[2].Name != "Notify" || store.Functions[2].Pos.Line != 190 {
		t.Fatalf("Store at %s, Notify at %s", store.Pos, store.Functions[2].Pos)
	}
	if blue := prog.Main.Enums[0].Values[2]; blue.Doc != "Blue is the default of Defaults.color." {
		t.Fatalf("BLUE doc %q", blue.Doc)
	}
}

func TestTypes(t *testing.T) {
	prog := loadEverything(t)
	e := structNamed(prog.Main, "Everything")
	if got := e.Fields[13].Type.String(); got != "list<map<string,list<set<i32>>>>" {
		t.Errorf("deep is %s", got)
	}
	cash := e.Fields[19].Type
	if cash.Kind != thriftidl.KindStruct || cash.Struct.Name != "Money" || cash.Typedef.Name != "Cash" {
		t.Errorf("cash: %+v", cash)
	}
	var coins *thriftidl.Typedef
	for _, d := range prog.Main.Typedefs {
		if d.Name == "Coins" {
			coins = d
		}
	}
	if coins.Type.Typedef.Name != "Cash" || coins.Type.Struct.File != prog.Files[0] {
		t.Errorf("Coins aliases %+v", coins.Type)
	}
	for _, f := range structNamed(prog.Main, "Choice").Fields {
		if f.Requiredness != thriftidl.Optional {
			t.Errorf("union field %s is %s", f.Name, f.Requiredness)
		}
	}
	level := prog.Main.Enums[1]
	if level.Values[0].Value != 0 || level.Values[1].Value != 1 || level.Values[2].Value != -1 {
		t.Errorf("Level values %d %d %d", level.Values[0].Value, level.Values[1].Value, level.Values[2].Value)
	}
}

func TestServices(t *testing.T) {
	prog := loadEverything(t)
	store, admin := prog.Main.Services[0], prog.Main.Services[1]
	if admin.Extends != store || store.Extends == nil || store.Extends.File != prog.Files[0] {
		t.Fatalf("extends: admin → %v, store → %v", admin.Extends, store.Extends)
	}
	all := admin.AllFunctions()
	if len(all) != 14 || all[0].Name != "Ping" || all[13].Name != "Reset" {
		t.Fatalf("admin has %d functions, first %s", len(all), all[0].Name)
	}
	echo := store.Functions[0]
	if echo.ArgsStruct.GoName != "StoreEchoArgs" || echo.ResultStruct.GoName != "StoreEchoResult" {
		t.Fatalf("Echo structs %s %s", echo.ArgsStruct.GoName, echo.ResultStruct.GoName)
	}
	if r := echo.ResultStruct.Fields; len(r) != 3 || r[0].ID != 0 || r[0].GoName != "Success" || r[2].GoName != "Missing" {
		t.Fatalf("Echo result fields %+v", r)
	}
	notify := store.Functions[2]
	if !notify.Oneway || notify.ResultStruct != nil || admin.PackageName() != "adminservice" {
		t.Fatalf("Notify oneway %t result %v", notify.Oneway, notify.ResultStruct)
	}
}

// Names that collide with generated identifiers get a '_' suffix.
func TestNameCollisions(t *testing.T) {
	prog := loadEverything(t)
	var got []string
	for _, f := range structNamed(prog.Main, "Names").Fields {
		got = append(got, f.GoName)
	}
	if want := "GetName Name_ String_ IsSetX X_"; join(got) != want {
		t.Fatalf("Names fields %s, want %s", join(got), want)
	}
}

func TestValues(t *testing.T) {
	prog := loadEverything(t)
	d := structNamed(prog.Main, "Defaults")
	where := d.Fields[9].Default
	if where.Kind != thriftidl.StructValue || len(where.Fields) != 3 || where.Fields[2].Value.Str != "here" {
		t.Fatalf("where default %+v", where)
	}
	if v := d.Fields[21].Default; v.Kind != thriftidl.DoubleValue || v.Double != 1 {
		t.Fatalf("whole default %+v", v)
	}
	if v := d.Fields[10].Default; v.Kind != thriftidl.EnumRef || v.EnumValue.Name != "DISABLED" {
		t.Fatalf("status default %+v", v)
	}
	for _, c := range prog.Main.Consts {
		if c.Name == "GREETING" && c.Value.Str != "hello \"world\"\n\tñ" {
			t.Fatalf("GREETING = %q", c.Value.Str)
		}
	}
}
