// Package tool is the tern code generator for Thrift IDL and .proto files, the counterpart of the
// Kitex command (kitex -module M -I DIR x.thrift). From a program loaded by package thriftidl it
// renders:
//
//   - one types package per IDL Go namespace: constants, enums (type E int64, E_VALUE, String,
//     EFromString, EPtr), typedefs (as type aliases), structs, unions and exceptions with
//     New/Get/IsSet/String methods (exceptions implement error), the service interfaces and the
//     <Service><Method>Args/Result structs, and for every struct a reflection-free fast codec —
//     BLength, FastWrite, FastRead: a codec/thrift.Message — that writes the standard Thrift binary
//     encoding, fields in IDL order;
//   - one package per service of the main IDL file (<service>service): the service description with
//     the inherited methods, the server-side glue that maps declared exceptions into the result, a
//     client, NewServer and RegisterService.
//
// Import paths follow Kitex: <module>/<output dir inside the module>/<namespace as a path>, and a
// service package sits below its types package. Every file starts with Header; the templates are the
// .tmpl files in templates/.
//
// The encoding matches Kitex byte for byte: a default or required field is always written, so a nil
// container is written as an empty one and a nil struct as an empty struct (which fails to decode if
// its type has required fields); an optional field is written only when set. Optional scalars are
// pointers, except those with a default value, which are plain values counted as set when they differ
// from the default. A union is written with its first set field only, so the output is always a valid
// union. FastRead skips unknown fields, fields of another wire type and containers whose element types
// differ from the IDL's (checked when the container is not empty), and reports a missing required
// field as an error wrapping thrift.ErrInvalidData. Like thrift.Skip it refuses structs and containers
// nested more than thrift.MaxDepth levels deep (the outermost struct is level 1) with an error wrapping
// thrift.ErrDepthLimit, so recursive types cannot exhaust the stack; FastReadDepth, which FastRead
// calls with depth 0, carries the depth into nested structs, across packages too.
//
// For .proto input, LoadProto compiles the file with protocompile (no protoc; well-known types built
// in) and GenerateProto renders the messages of it and its imports with protoc-gen-go's generator
// (internal_gengo), replacing its first line with Header, then the services of the main file in the
// shape of the Thrift ones: the handler interfaces in <file>_tern.go next to the messages, and a
// package per service with the protobuf.Body wrappers of unary methods, typed streams for streaming
// ones, the client, NewServer and RegisterService. ScaffoldProto and UpdateProtoHandler are Scaffold
// and UpdateHandler for a .proto file.
//
// Generate renders in memory; Run is what the tern command does: load, generate, write, log.
//
// Scaffold renders a new service for the last service of the IDL file (tern -service, like kitex
// -service): main.go, handler.go, conf/ with per-environment YAML, build.sh, README.md. Those files are
// the user's: they carry no generated-code header, and Run with Options.Service writes only the ones
// missing. UpdateHandler is how a later run adds the stubs of new IDL methods to handler.go, keeping
// every byte already there.
package tool
