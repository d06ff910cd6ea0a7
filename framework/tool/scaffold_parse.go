package tool

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// goPackage is what UpdateHandler needs to know of the Go package in the scaffold's directory, read
// with go/parser (no type checking).
type goPackage struct {
	name     string               // name is the package name ("main" when there is no handler.go).
	types    map[string]*typeInfo // types holds the package's named types, and receivers without a type.
	topNames map[string]bool      // topNames holds the package-level identifiers.
	imports  map[string]string    // imports maps each import path of handler.go to its local name.

	fset    *token.FileSet
	handler *ast.File // handler is handler.go, or nil.
}

// typeInfo is what the package declares about one named type.
type typeInfo struct {
	declared bool
	methods  map[string]bool
	embeds   []string // embeds are the types of the package the type embeds.
}

// scanPackage parses handler.go (src, when exists) and the other non-test Go files of dir that belong
// to the same package.
func scanPackage(dir fs.FS, src []byte, exists bool) (*goPackage, error) {
	p := &goPackage{name: "main", types: map[string]*typeInfo{}, topNames: map[string]bool{},
		imports: map[string]string{}, fset: token.NewFileSet()}
	if exists {
		f, err := parser.ParseFile(p.fset, "handler.go", src, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("cannot add methods to handler.go: %w", err)
		}
		p.handler, p.name = f, f.Name.Name
		p.readImports(f)
		p.add(f)
	}
	entries, err := fs.ReadDir(dir, ".")
	if err != nil && exists {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == "handler.go" {
			continue
		}
		b, err := fs.ReadFile(dir, name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(p.fset, name, b, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("cannot tell the methods of the handler type: %w", err)
		}
		if f.Name.Name == p.name {
			p.add(f)
		}
	}
	return p, nil
}

// readImports records the imports of f, by path, under the names the file uses.
func (p *goPackage) readImports(f *ast.File) {
	for _, spec := range f.Imports {
		ip, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		name := path.Base(ip)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if name == "_" || name == "." {
			continue
		}
		p.imports[ip] = name
	}
}

func (p *goPackage) typeInfo(name string) *typeInfo {
	t := p.types[name]
	if t == nil {
		t = &typeInfo{methods: map[string]bool{}}
		p.types[name] = t
	}
	return t
}

// add records the declarations of one file.
func (p *goPackage) add(f *ast.File) {
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv == nil || len(decl.Recv.List) == 0 {
				p.topNames[decl.Name.Name] = true
			} else if recv := typeName(decl.Recv.List[0].Type); recv != "" {
				p.typeInfo(recv).methods[decl.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, spec := range decl.Specs {
				p.addSpec(spec)
			}
		}
	}
}

func (p *goPackage) addSpec(spec ast.Spec) {
	switch spec := spec.(type) {
	case *ast.ValueSpec:
		for _, n := range spec.Names {
			p.topNames[n.Name] = true
		}
	case *ast.TypeSpec:
		p.topNames[spec.Name.Name] = true
		t := p.typeInfo(spec.Name.Name)
		t.declared = true
		switch typ := spec.Type.(type) {
		case *ast.StructType:
			for _, fd := range typ.Fields.List {
				if len(fd.Names) == 0 {
					t.embeds = append(t.embeds, typeName(fd.Type))
				}
			}
		case *ast.InterfaceType:
			for _, m := range typ.Methods.List {
				for _, n := range m.Names {
					t.methods[n.Name] = true
				}
				if len(m.Names) == 0 {
					t.embeds = append(t.embeds, typeName(m.Type))
				}
			}
		default:
			if spec.Assign.IsValid() {
				t.embeds = append(t.embeds, typeName(typ)) // an alias has the methods of its type
			}
		}
	}
}

// typeName is the name of a type of the package that expr denotes (T, *T, T[P], (T)), or "" for a
// type of another package or an unnamed type.
func typeName(expr ast.Expr) string {
	for {
		switch e := expr.(type) {
		case *ast.Ident:
			return e.Name
		case *ast.StarExpr:
			expr = e.X
		case *ast.ParenExpr:
			expr = e.X
		case *ast.IndexExpr:
			expr = e.X
		case *ast.IndexListExpr:
			expr = e.X
		default:
			return ""
		}
	}
}

// methodsOf returns the methods of type name, its own and those promoted from the types of the
// package it embeds, and whether the package declares it.
func (p *goPackage) methodsOf(name string) (map[string]bool, bool) {
	out, seen := map[string]bool{}, map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		t := p.types[n]
		if n == "" || seen[n] || t == nil {
			return
		}
		seen[n] = true
		for m := range t.methods {
			out[m] = true
		}
		for _, e := range t.embeds {
			walk(e)
		}
	}
	walk(name)
	t := p.types[name]
	return out, t != nil && t.declared
}

// insertImports returns src with the import specs added: as a new group at the end of handler.go's
// last parenthesized import declaration, or as a new declaration after the last import line (or the
// package clause). The bytes of src are kept; text is only inserted.
func (p *goPackage) insertImports(src []byte, specs []string) []byte {
	if len(specs) == 0 {
		return src
	}
	var last *ast.GenDecl
	for _, decl := range p.handler.Decls {
		if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			last = gd
		}
	}
	var lines strings.Builder
	for _, s := range specs {
		if s == "" {
			lines.WriteString("\n")
		} else {
			lines.WriteString("\t" + s + "\n")
		}
	}
	var at int
	var ins string
	switch {
	case last != nil && last.Lparen.IsValid():
		at, ins = p.fset.Position(last.Rparen).Offset, "\n"+lines.String()
	default:
		anchor := p.handler.Name.End()
		if last != nil {
			anchor = last.End()
		}
		at = p.fset.Position(anchor).Offset
		if nl := strings.IndexByte(string(src[at:]), '\n'); nl >= 0 {
			at += nl
		} else {
			at = len(src)
		}
		if len(specs) == 1 {
			ins = "\n\nimport " + specs[0]
		} else {
			ins = "\n\nimport (\n" + lines.String() + ")"
		}
	}
	out := make([]byte, 0, len(src)+len(ins))
	out = append(out, src[:at]...)
	out = append(out, ins...)
	return append(out, src[at:]...)
}
