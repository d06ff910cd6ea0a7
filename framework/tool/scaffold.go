package tool

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"path"
	"regexp"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// ScaffoldConfig says what to scaffold and where the packages it imports live.
type ScaffoldConfig struct {
	// Config locates the generated packages (types and service packages) the scaffold imports.
	Config
	// Name is the service's name (tern -service NAME): the binary's name and the name in its logs.
	Name string
	// ImportPath is the import path of the directory the scaffold is written to (package main); its
	// configuration package is ImportPath/conf.
	ImportPath string
	// GenDir is the directory of the generated code, relative to the scaffold's directory, as README.md
	// mentions it ("tern_gen" when empty).
	GenDir string
	// Command is the tern command line that regenerates the code, quoted in README.md.
	Command string
}

// nameRE is what a service name may look like: it names the binary and appears in build.sh.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// checkName reports whether name can name a service.
func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("-service %q: a service name is letters, digits, '_', '.' and '-', not starting with '.' or '-'", name)
	}
	return nil
}

// ScaffoldService returns the service tern scaffolds for prog, as Kitex does: the last service of the
// main IDL file.
func ScaffoldService(prog *thriftidl.Program) (*thriftidl.Service, error) {
	ss := prog.Main.Services
	if len(ss) == 0 {
		return nil, fmt.Errorf("%s defines no service to scaffold (-service scaffolds the last service of the IDL file)",
			prog.Main.Path)
	}
	return ss[len(ss)-1], nil
}

// Scaffold renders the files of a new service implementing ScaffoldService(prog), relative to the
// scaffold's directory: main.go (wiring), handler.go (one stub per method), conf/conf.go with its test
// and conf/{dev,test,prod}.yaml, build.sh, README.md and .gitignore. They carry no generated-code
// header: they are the user's to edit, and tern never rewrites them (see UpdateHandler for how it adds
// methods to handler.go).
func Scaffold(prog *thriftidl.Program, cfg ScaffoldConfig) ([]*File, error) {
	t, err := thriftTarget(prog, cfg.Config)
	if err != nil {
		return nil, err
	}
	return scaffold(t, cfg)
}

// scaffold renders the files of a new service implementing t.
func scaffold(t *scaffoldTarget, cfg ScaffoldConfig) ([]*File, error) {
	d, err := newScaffoldData(t, cfg)
	if err != nil {
		return nil, err
	}
	handler, _, err := updateHandler(t, cfg, emptyFS{})
	if err != nil {
		return nil, err
	}
	mainGo, err := d.goFile("main", "scaffoldMain", d, d.mainImports(), mainDoc(d))
	if err != nil {
		return nil, err
	}
	confGo, err := d.goFile("conf", "scaffoldConf", d, []string{"bufio", "errors", "fmt", "io", "log/slog",
		"os", "path/filepath", "sort", "strconv", "strings"}, confDoc(d))
	if err != nil {
		return nil, err
	}
	confTest, err := d.goFile("conf", "scaffoldConfTest", d, []string{"log/slog", "os", "path/filepath",
		"reflect", "strings", "testing"}, "")
	if err != nil {
		return nil, err
	}
	confPath := cfg.ImportPath + "/conf"
	files := []*File{
		{Path: "main.go", Package: cfg.ImportPath, Content: mainGo},
		{Path: "handler.go", Package: cfg.ImportPath, Content: handler},
		{Path: "conf/conf.go", Package: confPath, Content: confGo},
		{Path: "conf/conf_test.go", Package: confPath, Content: confTest},
	}
	for _, env := range environments {
		env.Name = cfg.Name
		files = append(files, &File{Path: "conf/" + env.Env + ".yaml"})
		if files[len(files)-1].Content, err = execute("scaffoldYAML", env); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct{ path, tmpl string }{
		{"build.sh", "scaffoldBuild"}, {"README.md", "scaffoldReadme"}, {".gitignore", "scaffoldGitignore"},
	} {
		content, err := execute(f.tmpl, d)
		if err != nil {
			return nil, err
		}
		files = append(files, &File{Path: f.path, Content: content})
	}
	return files, nil
}

// confFileData is what the "scaffoldYAML" template renders: the configuration of one environment.
type confFileData struct{ Name, Env, Addr, LogLevel string }

// environments are the configuration files of a scaffold; dev listens on loopback only.
var environments = []confFileData{
	{Env: "dev", Addr: "127.0.0.1:8888", LogLevel: "debug"},
	{Env: "test", Addr: ":8888", LogLevel: "info"},
	{Env: "prod", Addr: ":8888", LogLevel: "info"},
}

// scaffoldTarget is the service a scaffold implements, read from Thrift or proto IDL.
type scaffoldTarget struct {
	idlPath        string   // idlPath is the main IDL file, for the default command line.
	idlName        string   // idlName is the service's qualified IDL name.
	impl           string   // impl is the name of the handler type, <Service>Impl.
	servicePkg     string   // servicePkg is the import path of the generated service package.
	servicePkgName string   // servicePkgName is its package name.
	methods        []string // methods are the Go names of the handler's methods, in order.
	// stub returns the stub of methods[i], its types qualified through imports.
	stub func(imports *importSet, i int) stubParts
}

// stubParts is what the IDL decides of a method stub.
type stubParts struct {
	IDLName, Doc    string
	Params          []param // Params are the parameters (Name and Type), ctx included when there is one.
	Results, Return string
}

// thriftTarget is the service ScaffoldService(prog) picks, generated as cfg says.
func thriftTarget(prog *thriftidl.Program, cfg Config) (*scaffoldTarget, error) {
	s, err := ScaffoldService(prog)
	if err != nil {
		return nil, err
	}
	g := &generator{cfg: cfg, prog: prog, reserved: reservedNames(prog)}
	fns := s.AllFunctions()
	t := &scaffoldTarget{idlPath: prog.Main.Path, idlName: qualified(s.File, s.Name), impl: s.GoName + "Impl",
		servicePkg: cfg.ServicePath(s), servicePkgName: s.PackageName()}
	for _, fn := range fns {
		t.methods = append(t.methods, fn.GoName)
	}
	t.stub = func(imports *importSet, i int) stubParts {
		fn, f := fns[i], &fileGen{gen: g, imports: imports}
		p := stubParts{IDLName: qualified(fn.Service.File, fn.Service.Name) + "." + fn.Name, Doc: stubDoc(s, fn),
			Results: "error", Return: "nil"}
		params := f.params(fn) // types first: they settle the import names
		if fn.Result != nil {
			p.Results = "(" + f.goType(fn.Result) + ", error)"
			p.Return = f.zeroValue(fn.Result) + ", nil"
		}
		p.Params = append([]param{{Name: "ctx", Type: f.std("context") + ".Context"}}, params...)
		return p
	}
	return t, nil
}

// scaffoldData is what the scaffold templates render.
type scaffoldData struct {
	ScaffoldConfig
	target         *scaffoldTarget
	IDLName        string // IDLName is the service's qualified IDL name (namespace.Service).
	Impl           string // Impl is the name of the handler type, <Service>Impl.
	ServicePkg     string // ServicePkg is the import path of the generated service package.
	ServicePkgName string
	DevAddr        string
}

func newScaffoldData(t *scaffoldTarget, cfg ScaffoldConfig) (*scaffoldData, error) {
	if err := checkName(cfg.Name); err != nil {
		return nil, err
	}
	if cfg.ImportPath == "" {
		return nil, errors.New("scaffold: no import path")
	}
	if cfg.GenDir == "" {
		cfg.GenDir = "tern_gen"
	}
	if cfg.Command == "" {
		cfg.Command = "tern -service " + cfg.Name + " " + t.idlPath
	}
	return &scaffoldData{
		ScaffoldConfig: cfg,
		target:         t,
		IDLName:        t.idlName,
		Impl:           t.impl,
		ServicePkg:     t.servicePkg,
		ServicePkgName: t.servicePkgName,
		DevAddr:        environments[0].Addr,
	}, nil
}

func (d *scaffoldData) mainImports() []string {
	return []string{"fmt", "log/slog", "net", "os", d.ImportPath + "/conf", d.ServicePkg, pathServer}
}

func mainDoc(d *scaffoldData) string {
	return wrap(fmt.Sprintf("Command %s serves the IDL service %s. tern -service scaffolded it; edit it freely: "+
		"tern never rewrites it. The configuration comes from conf/<env>.yaml and environment variables (see package conf).",
		d.Name, d.IDLName), 100)
}

func confDoc(d *scaffoldData) string {
	return wrap(fmt.Sprintf("Package conf loads the configuration of %s: a flat YAML file per environment, "+
		"each value overridable by an environment variable. To add a setting, add a field to Config, an entry "+
		"to keys, and the key to every YAML file.", d.Name), 100)
}

// goFile renders template tmpl as a Go file of package pkgName importing imports (by path, under
// their default names), and formats it.
func (d *scaffoldData) goFile(pkgName, tmpl string, data any, imports []string, doc string) ([]byte, error) {
	set := newImportSet(nil)
	for _, p := range imports {
		set.use(p, path.Base(p))
	}
	body, err := execute(tmpl, data)
	if err != nil {
		return nil, err
	}
	return userFile(doc, pkgName, set, body)
}

// userFile assembles and formats a Go file the user owns: no generated-code header.
func userFile(doc, pkgName string, imports *importSet, body []byte) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(comment(doc, ""))
	fmt.Fprintf(&b, "package %s\n\n", pkgName)
	b.WriteString(imports.block())
	b.Write(body)
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting scaffold code: %w\n%s", err, numbered(b.Bytes()))
	}
	return out, nil
}

// execute renders one of the shared templates. The scaffold templates only use data and plain
// functions, so they run on the shared set without a clone.
func execute(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// emptyFS is a directory without files: the scaffold of a new service.
type emptyFS struct{}

// Open implements fs.FS.
func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
