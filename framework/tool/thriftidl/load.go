package thriftidl

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/cloudwego/thriftgo/parser"
	"github.com/cloudwego/thriftgo/semantic"
)

// Load parses the IDL file at path and every file it includes (searched next to the including file,
// then in includeDirs), checks and resolves them, and returns the program named for Go. Mistakes in
// the IDL are reported as *Error, with the file and line.
func Load(path string, includeDirs []string) (*Program, error) {
	abs := filepath.IsAbs(path)
	root, err := parser.ParseFile(path, includeDirs, true)
	if err != nil {
		return nil, parseError(err, path, includeDirs, abs)
	}
	asts := postorder(root)
	for _, t := range asts {
		t.Filename = displayPath(t.Filename, abs)
	}
	c := newChecker(asts)
	if err := c.checkCycles(root); err != nil {
		return nil, err
	}
	for _, t := range asts {
		if err := c.declare(t); err != nil {
			return nil, err
		}
	}
	for _, t := range asts {
		if err := c.checkFile(t); err != nil {
			return nil, err
		}
	}
	if err := semantic.ResolveSymbols(root); err != nil {
		return nil, c.explain(err, root)
	}
	if _, err := semantic.NewChecker(semantic.Options{FixWarnings: true}).CheckAll(root); err != nil {
		return nil, c.explain(err, root)
	}
	return convert(asts, c)
}

// postorder lists root and the files it includes, each file after its includes, without repeats.
func postorder(root *parser.Thrift) []*parser.Thrift {
	var out []*parser.Thrift
	seen := map[*parser.Thrift]bool{}
	var walk func(t *parser.Thrift)
	walk = func(t *parser.Thrift) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		for _, inc := range t.Includes {
			walk(inc.Reference)
		}
		out = append(out, t)
	}
	walk(root)
	return out
}

var (
	undefinedValue = regexp.MustCompile(`undefined value: "([^"]+)"`)
	fromFile       = regexp.MustCompile(`from file (\S+)`)
)

// explain gives an error of thriftgo's semantic package the best position it can find.
func (c *checker) explain(err error, root *parser.Thrift) error {
	msg := err.Error()
	if m := undefinedValue.FindStringSubmatch(msg); m != nil {
		for i := len(c.files) - 1; i >= 0; i-- { // the main file first
			t := c.files[i]
			if line := c.srcs[t].find(1, 0, m[1]); line != 0 {
				return errorf(c.pos(t, line), "unknown constant or enum value %q", m[1])
			}
		}
	}
	if m := fromFile.FindStringSubmatch(msg); m != nil {
		return errorf(Pos{File: m[1]}, "%s", msg)
	}
	return errorf(Pos{File: root.Filename}, "%s", msg)
}

// convert builds the Go-named program from the resolved ASTs (each after its includes).
func convert(asts []*parser.Thrift, c *checker) (*Program, error) {
	cv := newConverter(c)
	prog := &Program{}
	for _, t := range asts {
		prog.Files = append(prog.Files, cv.declare(t))
	}
	prog.Main = prog.Files[len(prog.Files)-1]
	steps := []func(*parser.Thrift) error{
		cv.resolveTypedefs, cv.resolveTypes, cv.resolveValues, cv.checkConstCycles, cv.resolveServices,
		cv.checkInheritance, cv.checkMapKeys,
	}
	for _, step := range steps {
		for _, t := range asts {
			if err := step(t); err != nil {
				return nil, err
			}
		}
	}
	pkgs, err := packages(prog.Files)
	if err != nil {
		return nil, err
	}
	prog.Packages = pkgs
	nameProgram(prog)
	return prog, nil
}

// packages groups files by Go package and checks that their Go files do not collide.
func packages(files []*File) ([]*Package, error) {
	byDir := map[string]*Package{}
	var out []*Package
	for _, f := range files {
		ns := f.Namespace
		if ns == "" {
			ns = f.Name
		}
		dir, name := packageOf(ns)
		p := byDir[dir]
		if p == nil {
			p = &Package{Dir: dir, Name: name, Namespace: ns}
			byDir[dir] = p
			out = append(out, p)
		}
		for _, g := range p.Files {
			if g.Name == f.Name {
				return nil, fmt.Errorf("%s and %s: both are named %q and share Go package %s", g.Path, f.Path, f.Name, dir)
			}
		}
		p.Files = append(p.Files, f)
		f.Package = p
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	for _, p := range out {
		sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
	}
	return out, nil
}
