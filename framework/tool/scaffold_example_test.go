package tool_test

import (
	"fmt"
	"log"

	"github.com/ternhq/tern/framework/tool"
	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// Scaffold renders the files of a new service; tern -service writes those that do not exist yet in
// the working directory, the root of module example.com/hello here.
func ExampleScaffold() {
	prog, err := thriftidl.Load("testdata/scaffold/v1/hello.thrift", nil)
	if err != nil {
		log.Fatal(err)
	}
	files, err := tool.Scaffold(prog, tool.ScaffoldConfig{
		Config:     tool.Config{ImportBase: "example.com/hello/tern_gen"},
		Name:       "hello",
		ImportPath: "example.com/hello",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f.Path)
	}
	// Output:
	// main.go
	// handler.go
	// conf/conf.go
	// conf/conf_test.go
	// conf/dev.yaml
	// conf/test.yaml
	// conf/prod.yaml
	// build.sh
	// README.md
	// .gitignore
}
