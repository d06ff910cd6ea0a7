package tool

import (
	"fmt"
	"io/fs"

	"google.golang.org/protobuf/compiler/protogen"
)

// ScaffoldProto is Scaffold for a .proto file: the scaffold implements the last service of its main
// file, generated as GenerateProto does. Stubs of streaming methods take the typed stream and return
// an error: M(stream S_MServer) for client and bidi streaming, M(req, stream S_MServer) for server
// streaming.
func ScaffoldProto(prog *ProtoProgram, cfg ScaffoldConfig) ([]*File, error) {
	t, err := protoTarget(prog, cfg.Config)
	if err != nil {
		return nil, err
	}
	return scaffold(t, cfg)
}

// UpdateProtoHandler is UpdateHandler for a .proto file: it appends to handler.go the stubs of the
// methods of the last service of prog's main file that <Service>Impl lacks.
func UpdateProtoHandler(prog *ProtoProgram, cfg ScaffoldConfig, dir fs.FS) (content []byte, added []string, err error) {
	t, err := protoTarget(prog, cfg.Config)
	if err != nil {
		return nil, nil, err
	}
	return updateHandler(t, cfg, dir)
}

// protoTarget is the last service of prog's main file, generated as cfg says.
func protoTarget(prog *ProtoProgram, cfg Config) (*scaffoldTarget, error) {
	plugin, err := protoPlugin(prog, cfg.ImportBase)
	if err != nil {
		return nil, err
	}
	svcs, err := protoServices(plugin.FilesByPath[prog.Main.Path()], cfg.ImportBase)
	if err != nil {
		return nil, err
	}
	if len(svcs) == 0 {
		return nil, fmt.Errorf("%s defines no service to scaffold (-service scaffolds the last service of the IDL file)",
			prog.Main.Path())
	}
	s, pkgNames := svcs[len(svcs)-1], protoPackageNames(plugin)
	t := &scaffoldTarget{idlPath: prog.Main.Path(), idlName: s.FullName(), impl: s.GoName + "Impl",
		servicePkg: s.PkgPath, servicePkgName: s.PkgName}
	for _, m := range s.Methods {
		t.methods = append(t.methods, m.GoName)
	}
	t.stub = func(imports *importSet, i int) stubParts {
		return protoStub(&protoFile{imports: imports, pkgNames: pkgNames}, s.Methods[i])
	}
	return t, nil
}

// protoStub is the stub of m: a unary method returns an empty response, a streaming one nil.
func protoStub(f *protoFile, m *protoMethod) stubParts {
	p := stubParts{IDLName: m.FullName(), Doc: protoStubDoc(m), Results: "error", Return: "nil"}
	in := "*" + f.goType(m.Input)
	stream := f.goType(protogen.GoIdent{GoName: m.ServerStream(), GoImportPath: protogen.GoImportPath(m.Service.TypesPath)})
	switch {
	case !m.Streaming():
		out := f.goType(m.Output)
		p.Params = []param{{Name: "ctx", Type: f.use("context") + ".Context"}, {Name: "req", Type: in}}
		p.Results, p.Return = "(*"+out+", error)", "&"+out+"{}, nil"
	case m.ClientStreaming:
		p.Params = []param{{Name: "stream", Type: stream}}
	default:
		p.Params = []param{{Name: "req", Type: in}, {Name: "stream", Type: stream}}
	}
	return p
}

// protoStubDoc is the doc comment of a stub: the method's comment, or a sentence naming it, and for
// a streaming method how its stream is used.
func protoStubDoc(m *protoMethod) string {
	doc := orDoc(m.Doc, wrap(fmt.Sprintf("%s implements the IDL method %s.", m.GoName, m.FullName()), 100))
	switch m.Mode() {
	case "ClientStreaming":
		doc += "\n\nReceive the requests with stream.Recv until it returns io.EOF, then send the response with\n" +
			"stream.SendAndClose and return nil."
	case "ServerStreaming":
		doc += "\n\nSend the responses with stream.Send; the call ends when the method returns."
	case "BidiStreaming":
		doc += "\n\nReceive the requests with stream.Recv (io.EOF once the client is done) and send responses\n" +
			"with stream.Send; the call ends when the method returns."
	}
	return doc
}
