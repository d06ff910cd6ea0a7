package tool

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ternhq/tern/framework/tool/thriftidl"
)

// Version is the version of the tern generator.
const Version = "v0.1.0"

// Options are the settings of one generator run, as the tern command takes them.
type Options struct {
	IDL      string   // IDL is the Thrift or .proto file to generate code for.
	Out      string   // Out is the output directory ("./tern_gen" when empty).
	Module   string   // Module is the Go module path of Out; when empty it is read from the go.mod above Out.
	Includes []string // Includes are the directories searched for included IDL files.
	Use      string   // Use is the import path of already generated types (see Config.Use).
	// Service, when set, is the name of a service to scaffold in the working directory (tern -service
	// NAME): see Scaffold for the files and UpdateHandler for what a run over an existing scaffold does.
	// Without a go.mod in or above the working directory, one is created there for Module.
	Service string
	Log     io.Writer
}

// Run loads the IDL, generates its Go code and writes it under the output directory, logging one line
// per package. Thrift mistakes come back as *thriftidl.Error, with the file and line; .proto
// mistakes as protocompile reports them (file:line:col: message).
func Run(opts Options) error {
	if opts.Out == "" {
		opts.Out = "tern_gen"
	}
	if opts.Service != "" {
		if err := checkName(opts.Service); err != nil {
			return err
		}
	}
	base, err := importBase(opts.Out, opts.Module)
	if err != nil {
		return err
	}
	if strings.HasSuffix(opts.IDL, ".proto") {
		return runProto(opts, base)
	}
	return runThrift(opts, base)
}

// runThrift is Run for a Thrift file.
func runThrift(opts Options, base string) error {
	prog, err := thriftidl.Load(opts.IDL, opts.Includes)
	if err != nil {
		return err
	}
	cfg := Config{ImportBase: base, Use: opts.Use}
	files, err := Generate(prog, cfg)
	if err != nil {
		return err
	}
	if opts.Service == "" {
		return write(opts.Out, files, opts.Log)
	}
	t, err := thriftTarget(prog, cfg)
	if err != nil {
		return err
	}
	return runScaffold(opts, t, cfg, files)
}

// write writes the files under out and logs each package once.
func write(out string, files []*File, log io.Writer) error {
	counts, order := map[string]int{}, []string{}
	for _, f := range files {
		name := filepath.Join(out, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(name, f.Content, 0o644); err != nil {
			return err
		}
		if counts[f.Package] == 0 {
			order = append(order, f.Package)
		}
		counts[f.Package]++
	}
	if log != nil {
		for _, p := range order {
			fmt.Fprintf(log, "tern: generated %s (%d files)\n", p, counts[p])
		}
	}
	return nil
}

// importBase returns the import path of the output directory: the module path joined with the
// directory's path below the module root. The module is the one whose go.mod is nearest above out;
// without a go.mod, module must be given and the working directory is taken as the module root.
func importBase(out, module string) (string, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	root, path, err := findModule(abs)
	if err != nil {
		return "", err
	}
	switch {
	case root == "" && module == "":
		return "", fmt.Errorf("no go.mod above %s: pass -module", out)
	case root == "":
		if root, err = os.Getwd(); err != nil {
			return "", err
		}
		path = module
	case module != "" && module != path:
		return "", fmt.Errorf("-module %s does not match module %s of %s", module, path, filepath.Join(root, "go.mod"))
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("output directory %s is outside the module root %s", out, root)
	}
	if rel == "." {
		return path, nil
	}
	return path + "/" + filepath.ToSlash(rel), nil
}

// findModule returns the directory and module path of the nearest go.mod at or above dir, or "" when
// there is none.
func findModule(dir string) (root, path string, err error) {
	for d := dir; ; d = filepath.Dir(d) {
		f, err := os.Open(filepath.Join(d, "go.mod"))
		if err == nil {
			defer f.Close()
			path, err := modulePath(f)
			if err != nil {
				return "", "", fmt.Errorf("%s: %w", filepath.Join(d, "go.mod"), err)
			}
			return d, path, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", "", err
		}
		if filepath.Dir(d) == d {
			return "", "", nil
		}
	}
}

// modulePath reads the module directive of a go.mod file.
func modulePath(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "module")
		if !ok || rest == "" || rest[0] != ' ' && rest[0] != '\t' {
			continue
		}
		rest = strings.TrimSpace(strings.SplitN(rest, "//", 2)[0])
		if unq, err := strconv.Unquote(rest); err == nil {
			rest = unq
		}
		return rest, nil
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", errors.New("no module directive")
}
