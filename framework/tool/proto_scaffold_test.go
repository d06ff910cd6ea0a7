package tool_test

import (
	"bytes"
	"go/format"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ternhq/tern/framework/tool"
)

// TestScaffoldProtoGolden renders the scaffold of the test .proto's last service, ItemService, with
// unary and streaming stubs, and compares it with testdata/scaffold/golden/shop.
func TestScaffoldProtoGolden(t *testing.T) {
	prog, err := tool.LoadProto("testdata/proto/item.proto", []string{"testdata/proto"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := scaffoldConfig("shop")
	cfg.Command = "tern -service shop -I proto proto/item.proto"
	files, err := tool.ScaffoldProto(prog, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var handler string
	for _, f := range files {
		if f.Path == "handler.go" {
			handler = string(f.Content)
		}
	}
	for _, want := range []string{
		"type ItemServiceImpl struct{}",
		"func (s *ItemServiceImpl) ListItems(ctx context.Context, req *itempb.ListItemsReq) (*itempb.ListItemsResp, error) {\n" +
			"\t// Your code for shop.item.ItemService.ListItems goes here.\n\treturn &itempb.ListItemsResp{}, nil\n}",
		"func (s *ItemServiceImpl) Clear(ctx context.Context, req *base.Page) (*emptypb.Empty, error) {",
		"func (s *ItemServiceImpl) Import(stream itempb.ItemService_ImportServer) error {",
		"func (s *ItemServiceImpl) Watch(req *itempb.WatchReq, stream itempb.ItemService_WatchServer) error {",
		"func (s *ItemServiceImpl) Sync(stream itempb.ItemService_SyncServer) error {",
		"// Watch streams the changes of the items asked for.\n//\n// Send the responses with stream.Send",
	} {
		if !strings.Contains(handler, want) {
			t.Errorf("handler.go lacks %q:\n%s", want, handler)
		}
	}
	dir := filepath.Join("testdata", "scaffold", "golden", "shop")
	if *update {
		rewriteGolden(t, dir, files)
		return
	}
	compareGolden(t, dir, files)
}

// writeProto writes a .proto file into dir and loads it.
func writeProto(t *testing.T, dir, src string) *tool.ProtoProgram {
	t.Helper()
	name := filepath.Join(dir, "hello.proto")
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	prog, err := tool.LoadProto(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

const (
	helloV1 = `syntax = "proto3";
package hello;
option go_package = "hello;hellopb";
message Req { string name = 1; }
message Resp { string greeting = 1; }
service Hello { rpc Greet(Req) returns (Resp); }
`
	// helloV2 adds streaming methods and one taking and returning a well-known type.
	helloV2 = `syntax = "proto3";
package hello;
option go_package = "hello;hellopb";
import "google/protobuf/empty.proto";
message Req { string name = 1; }
message Resp { string greeting = 1; }
service Hello {
  rpc Greet(Req) returns (Resp);
  rpc Upload(stream Req) returns (Resp);
  rpc Feed(Req) returns (stream Resp);
  rpc Chat(stream Req) returns (stream Resp);
  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);
}
`
)

// A proto handler.go grows like a Thrift one: a rerun after the IDL gained methods appends their
// stubs, streaming ones included, and the imports they need, keeping every byte already there.
func TestUpdateProtoHandler(t *testing.T) {
	cfg := scaffoldConfig("hello")
	v1, added, err := tool.UpdateProtoHandler(writeProto(t, t.TempDir(), helloV1), cfg, fstest.MapFS{})
	if err != nil || !slices.Equal(added, []string{"Greet"}) {
		t.Fatalf("UpdateProtoHandler on an empty directory: added %v, %v", added, err)
	}
	prog := writeProto(t, t.TempDir(), helloV2)
	tests := []struct {
		name     string
		handler  string
		added    []string
		inserted string
		want     []string
	}{
		{name: "new methods", handler: string(v1), added: []string{"Upload", "Feed", "Chat", "Ping"},
			inserted: "\n\t\"google.golang.org/protobuf/types/known/emptypb\"\n",
			want: []string{
				"func (s *HelloImpl) Upload(stream hellopb.Hello_UploadServer) error {\n\t// Your code for hello.Hello.Upload goes here.\n\treturn nil\n}",
				"func (s *HelloImpl) Feed(req *hellopb.Req, stream hellopb.Hello_FeedServer) error {",
				"func (s *HelloImpl) Chat(stream hellopb.Hello_ChatServer) error {",
				"func (s *HelloImpl) Ping(ctx context.Context, req *emptypb.Empty) (*emptypb.Empty, error) {\n" +
					"\t// Your code for hello.Hello.Ping goes here.\n\treturn &emptypb.Empty{}, nil\n}",
				"// Upload implements the IDL method hello.Hello.Upload.\n//\n// Receive the requests with stream.Recv",
			}},
		{name: "package name taken", added: []string{"Greet", "Upload", "Feed", "Chat", "Ping"},
			handler: "package main\n\ntype HelloImpl struct{}\n\nvar hellopb = 1\n",
			inserted: "\n\nimport (\n\t\"context\"\n\n\thellopb0 \"example.com/hello/tern_gen/hello\"\n" +
				"\t\"google.golang.org/protobuf/types/known/emptypb\"\n)",
			want: []string{"func (s *HelloImpl) Feed(req *hellopb0.Req, stream hellopb0.Hello_FeedServer) error {"}},
		{name: "up to date", handler: string(v1) + "\nfunc (s *HelloImpl) Upload()   {}\nfunc (s *HelloImpl) Feed() {}\n" +
			"func (s *HelloImpl) Chat() {}\nfunc (s *HelloImpl) Ping() {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fstest.MapFS{"handler.go": &fstest.MapFile{Data: []byte(tt.handler)}}
			content, added, err := tool.UpdateProtoHandler(prog, cfg, dir)
			if err != nil {
				t.Fatal(err)
			}
			out := string(content)
			if !slices.Equal(added, tt.added) {
				t.Errorf("added %v, want %v", added, tt.added)
			}
			if len(tt.added) == 0 && out != tt.handler {
				t.Errorf("an up-to-date handler.go changed:\n%s", out)
			}
			if len(tt.added) > 0 {
				if formatted, err := format.Source(content); err != nil || !bytes.Equal(formatted, content) {
					t.Errorf("not gofmt-clean (%v):\n%s", err, out)
				}
				if appendedTo(t, tt.handler, tt.inserted, out) == "" {
					t.Error("no stubs appended")
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
		})
	}
}

func TestScaffoldProtoErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, src, want string }{
		{"no service", "syntax = \"proto3\";\nmessage A {}\n", "hello.proto defines no service to scaffold"},
		{"Close", "syntax = \"proto3\";\nmessage A {}\nservice S { rpc Close(A) returns (A); }\n",
			"a method named Close would clash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tool.ScaffoldProto(writeProto(t, dir, tt.src), scaffoldConfig("x")); err == nil ||
				!strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ScaffoldProto = %v, want %q", err, tt.want)
			}
		})
	}
}
