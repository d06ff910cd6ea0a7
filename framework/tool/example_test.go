package tool_test

import (
	"fmt"
	"log"

	"github.com/ternhq/tern/framework/tool"
	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// Generate renders a program in memory; the tern command writes the files under its -out directory,
// whose import path is ImportBase.
func ExampleGenerate() {
	prog, err := thriftidl.Load("testdata/chain/a.thrift", nil)
	if err != nil {
		log.Fatal(err) // an *thriftidl.Error: file:line: message
	}
	files, err := tool.Generate(prog, tool.Config{ImportBase: "example.com/m/gen"})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f.Path)
	}
	// Output:
	// c/c.go
	// c/c_codec.go
	// chain/x/common/a.go
	// chain/x/common/a_codec.go
	// chain/x/common/helpers.go
	// chain/y/common/b.go
	// chain/y/common/b_codec.go
	// chain/y/common/helpers.go
	// chain/x/common/chainservice/chainservice.go
}

// GenerateProto renders a .proto file and its imports: protoc-gen-go's message files, the handler
// interfaces in <file>_tern.go next to the messages, and a package per service.
func ExampleGenerateProto() {
	prog, err := tool.LoadProto("testdata/proto/item.proto", []string{"testdata/proto"})
	if err != nil {
		log.Fatal(err) // file:line:col: message
	}
	files, err := tool.GenerateProto(prog, tool.Config{ImportBase: "example.com/m/gen"})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f.Path)
	}
	// Output:
	// shop/base/base.pb.go
	// shop/item/item.pb.go
	// shop/item/item_tern.go
	// shop/item/adminservice/adminservice.go
	// shop/item/itemservice/itemservice.go
}
