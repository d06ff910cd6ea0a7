// Command tern generates Go code from Thrift IDL and .proto files, the counterpart of the kitex
// command: types with fast Thrift binary codecs (or protobuf messages), and for each service of the
// IDL file a package with its client, its server constructor and its description.
//
// Usage:
//
//	tern [-module PATH] [-out DIR] [-I DIR]... [-use PATH] [-service NAME] file.thrift
//	tern [-module PATH] [-out DIR] [-I DIR]... [-service NAME] file.proto
//
// Flags go before the IDL file. Code for file.thrift and every file it includes is written under
// -out (default ./tern_gen), one package per Go namespace: the package of `namespace go a.b` is
// <module>/<out inside the module>/a/b, and a file without one uses its base name. -module names
// the Go module of -out; without it, the module of the nearest go.mod above -out is used. With -use,
// the types already exist under that import path and only the service packages are written.
//
// For example, from a module root:
//
//	go run github.com/ternhq/tern/framework/cmd/tern -I idl idl/echo.thrift
//
// With -service NAME, tern also scaffolds a service in the working directory, like kitex -service: it
// implements the last service of file.thrift (Kitex's choice too), and NAME names its binary. The
// scaffold is main.go (wiring only: configuration, server, graceful stop on SIGINT and SIGTERM),
// handler.go (<Service>Impl with a stub per IDL method, inherited ones included), conf/conf.go and its
// test with conf/dev.yaml, conf/test.yaml and conf/prod.yaml (flat YAML, each key overridable by an
// environment variable TERN_<KEY>, the file picked by TERN_ENV), build.sh (builds output/bin/NAME),
// README.md and .gitignore. Without a go.mod in or above the working directory, tern creates one for
// -module, requiring the framework at v0.0.0, and prints what to add to it: inside this repository,
// the replace line pointing at the local framework.
//
// Running it again, say after the IDL gained methods, regenerates the code and appends a stub to
// handler.go for each method <Service>Impl does not have yet (found with go/parser), keeping every
// byte already there; it never rewrites any other file of the scaffold:
//
//	mkdir hello && cd hello
//	tern -service hello -module example.com/hello -I ../idl ../idl/hello.thrift
//	go mod tidy && ./build.sh && output/bin/hello
//
// A .proto file (tern [-module PATH] [-out DIR] [-I DIR]... [-service NAME] file.proto) is compiled
// without protoc, the well-known types (google/protobuf/*.proto) built in, and its messages and those
// of every file it imports are generated with protoc-gen-go's generator: ordinary proto.Message types,
// one package per go_package, laid out as for Thrift (<module>/<out>/<go_package path>; without
// go_package, the proto package as a path). Each service of file.proto gets its handler interface
// (named as the service, with <Service>_<Method>Server stream interfaces for streaming methods) in an
// extra file of the message package, <file>_tern.go, and a package below it (the service name in lower
// case, "service" appended unless it ends so) with the client, NewServer, RegisterService and the
// service description, served as Kitex Protobuf or gRPC; unary methods get <Method>Args and
// <Method>Result wrappers, streaming methods typed <Service>_<Method>Client streams. -service works as
// for Thrift, for the last service of file.proto; -use is Thrift-only.
//
// IDL mistakes are reported as file:line: message, and any error exits with a non-zero status.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ternhq/tern/framework/tool"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// dirList is a repeatable flag.
type dirList []string

// String implements flag.Value.
func (d *dirList) String() string { return strings.Join(*d, ",") }

// Set implements flag.Value: each -I adds a directory.
func (d *dirList) Set(s string) error {
	*d = append(*d, s)
	return nil
}

// run is the command: it returns the exit status, 2 for bad usage and 1 for a failed generation.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tern", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts     tool.Options
		includes dirList
		version  bool
	)
	fs.StringVar(&opts.Module, "module", "", "Go module path of the output `path` (default: from the go.mod above -out)")
	fs.StringVar(&opts.Out, "out", "./tern_gen", "output `dir`ectory")
	fs.Var(&includes, "I", "`dir`ectory to search for included IDL files (repeatable)")
	fs.StringVar(&opts.Use, "use", "", "import `path` of already generated types: generate only the service packages")
	fs.StringVar(&opts.Service, "service", "", "scaffold a service `name`d so in the working directory, for the IDL's last service")
	fs.BoolVar(&version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tern [-module PATH] [-out DIR] [-I DIR]... [-use PATH] [-service NAME] file.thrift|file.proto")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if version {
		fmt.Fprintln(stdout, "tern", tool.Version)
		return 0
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "tern: want one IDL file after the flags")
		fs.Usage()
		return 2
	}
	opts.IDL, opts.Includes, opts.Log = fs.Arg(0), includes, stderr
	if err := tool.Run(opts); err != nil {
		fmt.Fprintln(stderr, "tern:", err)
		return 1
	}
	return 0
}
