package tool

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// frameworkModule is the module the scaffold requires.
const frameworkModule = "github.com/ternhq/tern/framework"

// scaffoldPlan is everything a -service run writes, computed before anything is written.
type scaffoldPlan struct {
	dir       string  // dir is the scaffold's directory, the working directory.
	goMod     []byte  // goMod is the go.mod to create, or nil when the module exists.
	module    string  // module is the path of the module the scaffold belongs to.
	files     []*File // files are the scaffold's files, written only where none exists.
	handler   []byte  // handler is handler.go's new content, or nil when it stays as it is.
	added     []string
	handlerOK bool // handlerOK is set when handler.go exists.
}

// runScaffold is Run with Options.Service: it plans the scaffold, then writes go.mod when there is
// none, the generated packages and the scaffold's missing files, and updates handler.go.
func runScaffold(opts Options, t *scaffoldTarget, cfg Config, generated []*File) error {
	plan, err := planScaffold(opts, t, cfg)
	if err != nil {
		return err
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	if plan.goMod != nil {
		if err := createFile(filepath.Join(plan.dir, "go.mod"), plan.goMod, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(log, "tern: created go.mod (module %s)\n", plan.module)
	}
	if err := write(opts.Out, generated, log); err != nil {
		return err
	}
	if err := plan.write(log); err != nil {
		return err
	}
	if plan.goMod != nil {
		printHints(log, plan.dir)
	}
	return nil
}

// planScaffold finds the scaffold's module and renders its files and handler.go's update.
func planScaffold(opts Options, t *scaffoldTarget, cfg Config) (*scaffoldPlan, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	plan := &scaffoldPlan{dir: dir}
	root, module, err := findModule(dir)
	switch {
	case err != nil:
		return nil, err
	case root == "" && opts.Module == "":
		return nil, fmt.Errorf("no go.mod in or above %s: pass -module to create one", dir)
	case root == "":
		if strings.ContainsAny(opts.Module, " \t\r\n\"'`\\") {
			return nil, fmt.Errorf("-module %q is not a module path", opts.Module)
		}
		root, module = dir, opts.Module
		plan.goMod = []byte("module " + module + "\n\ngo 1.26\n\nrequire " + frameworkModule + " v0.0.0\n")
	case opts.Module != "" && opts.Module != module:
		return nil, fmt.Errorf("-module %s does not match module %s of %s", opts.Module, module, filepath.Join(root, "go.mod"))
	}
	plan.module = module
	sc := ScaffoldConfig{Config: cfg, Name: opts.Service, ImportPath: module, Command: commandLine(opts)}
	if rel, _ := filepath.Rel(root, dir); rel != "." {
		sc.ImportPath += "/" + filepath.ToSlash(rel)
	}
	if out, err := filepath.Abs(opts.Out); err == nil {
		if rel, err := filepath.Rel(dir, out); err == nil {
			sc.GenDir = filepath.ToSlash(rel)
		}
	}
	if plan.files, err = scaffold(t, sc); err != nil {
		return nil, err
	}
	old, err := os.ReadFile(filepath.Join(dir, "handler.go"))
	plan.handlerOK = err == nil
	content, added, err := updateHandler(t, sc, os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(content, old) {
		plan.handler, plan.added = content, added
	}
	return plan, nil
}

// write writes the scaffold's files that do not exist and handler.go's update, logging each file.
func (p *scaffoldPlan) write(log io.Writer) error {
	for _, f := range p.files {
		if f.Path == "handler.go" {
			if err := p.writeHandler(log); err != nil {
				return err
			}
			continue
		}
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(f.Path, ".sh") {
			mode = 0o755
		}
		err := createFile(filepath.Join(p.dir, filepath.FromSlash(f.Path)), f.Content, mode)
		switch {
		case errors.Is(err, fs.ErrExist):
			fmt.Fprintf(log, "tern: kept %s (it exists)\n", f.Path)
		case err != nil:
			return err
		default:
			fmt.Fprintf(log, "tern: created %s\n", f.Path)
		}
	}
	return nil
}

func (p *scaffoldPlan) writeHandler(log io.Writer) error {
	name := filepath.Join(p.dir, "handler.go")
	switch {
	case p.handler == nil:
		fmt.Fprintln(log, "tern: kept handler.go (no method missing)")
		return nil
	case !p.handlerOK:
		if err := createFile(name, p.handler, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(log, "tern: created handler.go")
		return nil
	}
	if err := replaceFile(name, p.handler); err != nil {
		return err
	}
	if len(p.added) == 0 {
		fmt.Fprintln(log, "tern: handler.go: declared the handler type")
	} else {
		fmt.Fprintf(log, "tern: handler.go: added %s\n", strings.Join(p.added, ", "))
	}
	return nil
}

// createFile writes a new file, creating its directory; it fails with fs.ErrExist rather than
// overwrite a file.
func createFile(name string, content []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
	}
	return err
}

// replaceFile replaces an existing file atomically, through a temporary file renamed over it, keeping
// its permissions: a failed write leaves the old content in place.
func replaceFile(name string, content []byte) error {
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".handler.go.tern-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(content)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), info.Mode().Perm())
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// commandLine is the tern command line of opts, for README.md.
func commandLine(opts Options) string {
	args := []string{"tern", "-service", opts.Service}
	if opts.Module != "" {
		args = append(args, "-module", opts.Module)
	}
	if filepath.Clean(opts.Out) != "tern_gen" {
		args = append(args, "-out", opts.Out)
	}
	for _, dir := range opts.Includes {
		args = append(args, "-I", dir)
	}
	if opts.Use != "" {
		args = append(args, "-use", opts.Use)
	}
	args = append(args, opts.IDL)
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`&|;<>()*?[]#~!{}") {
			args[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(args, " ")
}

// printHints tells what the new go.mod needs: inside the tern repository, the replace line that points
// it at the local framework; elsewhere, a version of the framework.
func printHints(log io.Writer, dir string) {
	if fw := localFramework(dir); fw != "" {
		rel, err := filepath.Rel(dir, fw)
		if err != nil {
			rel = fw
		}
		rel = filepath.ToSlash(rel)
		if !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel) {
			rel = "./" + rel
		}
		fmt.Fprintf(log, "tern: hint: this module is inside the tern repository; to build it with the local framework, add\n"+
			"tern: hint:     replace %s => %s\n"+
			"tern: hint: to go.mod, run `go work use .` to add it to the workspace, then `go mod tidy`\n", frameworkModule, rel)
		return
	}
	fmt.Fprintf(log, "tern: hint: go.mod requires %s v0.0.0: replace it with a released version or a local copy\n"+
		"tern: hint: (replace %s => /path/to/framework), then run `go mod tidy`\n", frameworkModule, frameworkModule)
}

// localFramework returns the framework directory of the tern repository dir is in, or "".
func localFramework(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		fw := filepath.Join(d, "framework")
		if f, err := os.Open(filepath.Join(fw, "go.mod")); err == nil {
			path, err := modulePath(f)
			f.Close()
			if err == nil && path == frameworkModule {
				return fw
			}
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
