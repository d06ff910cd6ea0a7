package check

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ternhq/tern/framework/platform"
)

// kind is what a configuration key holds.
type kind int

const (
	kindStruct   kind = iota // a section: keys below it
	kindMap                  // a map of sections (clients.<name>.…): entries named by the file
	kindScalar               // a string, number, boolean or duration: settable from the environment
	kindOpaque               // a list or a map of scalars: only the file can set it
	kindDuration             // a time.Duration scalar
)

// schema is the tree of configuration keys a service reads.
type schema struct {
	kind   kind
	scalar reflect.Kind       // for kindScalar: string, bool, int64, float64...
	fields map[string]*schema // kindStruct
	elem   *schema            // kindMap
}

func newStruct() *schema { return &schema{kind: kindStruct, fields: map[string]*schema{}} }

// platformSchema is the schema of platform.Config, by reflection on its yaml tags.
func platformSchema() *schema {
	return schemaOfType(reflect.TypeFor[platform.Config]())
}

var durationType = reflect.TypeFor[time.Duration]()

func schemaOfType(t reflect.Type) *schema {
	switch {
	case t == durationType:
		return &schema{kind: kindDuration}
	case t.Kind() == reflect.Struct:
		s := newStruct()
		addStructFields(s, t)
		return s
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.Struct:
		return &schema{kind: kindMap, elem: schemaOfType(t.Elem())}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface:
		return &schema{kind: kindOpaque}
	}
	return &schema{kind: kindScalar, scalar: t.Kind()}
}

func addStructFields(s *schema, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-":
			continue
		case strings.Contains(opts, "inline"):
			addStructFields(s, f.Type)
			continue
		case name == "":
			name = strings.ToLower(f.Name)
		}
		s.fields[name] = schemaOfType(f.Type)
	}
}

// serviceSchema is the schema of the configuration type of the service in dir (app/<name>): the type
// named Config in its package main, read from the source. A field embedding platform.Config inline
// brings platform's keys (by reflection); the service's own sections are followed through the struct
// types declared in the same package.
func serviceSchema(dir string) (*schema, error) {
	fset := token.NewFileSet()
	types := map[string]*ast.StructType{}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok {
					types[ts.Name.Name] = st
				}
			}
			return true
		})
	}
	root, ok := types["Config"]
	if !ok {
		return nil, fmt.Errorf("%s: no type Config struct", dir)
	}
	s := newStruct()
	if err := addASTFields(s, root, types, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return s, nil
}

func addASTFields(s *schema, st *ast.StructType, types map[string]*ast.StructType, depth int) error {
	if depth > 10 {
		return fmt.Errorf("configuration types nest too deep")
	}
	for _, f := range st.Fields.List {
		var tag string
		if f.Tag != nil {
			unq, err := strconv.Unquote(f.Tag.Value)
			if err != nil {
				return err
			}
			tag = reflect.StructTag(unq).Get("yaml")
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			if exprString(f.Type) == "platform.Config" {
				for k, v := range platformSchema().fields {
					s.fields[k] = v
				}
				continue
			}
			local, ok := f.Type.(*ast.Ident)
			if !ok || types[local.Name] == nil {
				return fmt.Errorf("inline field of type %s: not a struct of this package", exprString(f.Type))
			}
			if err := addASTFields(s, types[local.Name], types, depth+1); err != nil {
				return err
			}
			continue
		}
		for _, n := range f.Names {
			if !n.IsExported() {
				continue
			}
			key := name
			if key == "" {
				key = strings.ToLower(n.Name)
			}
			sub, err := schemaOfExpr(f.Type, types, depth)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			s.fields[key] = sub
		}
	}
	return nil
}

// scalarKinds maps Go's predeclared scalar types to their reflect kinds.
var scalarKinds = map[string]reflect.Kind{
	"string": reflect.String, "bool": reflect.Bool,
	"int": reflect.Int, "int8": reflect.Int8, "int16": reflect.Int16, "int32": reflect.Int32, "int64": reflect.Int64,
	"uint": reflect.Uint, "uint8": reflect.Uint8, "uint16": reflect.Uint16, "uint32": reflect.Uint32, "uint64": reflect.Uint64,
	"float32": reflect.Float32, "float64": reflect.Float64,
}

func schemaOfExpr(e ast.Expr, types map[string]*ast.StructType, depth int) (*schema, error) {
	switch t := e.(type) {
	case *ast.Ident:
		if k, ok := scalarKinds[t.Name]; ok {
			return &schema{kind: kindScalar, scalar: k}, nil
		}
		if st, ok := types[t.Name]; ok {
			s := newStruct()
			return s, addASTFields(s, st, types, depth+1)
		}
		return nil, fmt.Errorf("type %s: neither a scalar nor a struct of this package", t.Name)
	case *ast.SelectorExpr:
		if exprString(t) == "time.Duration" {
			return &schema{kind: kindDuration}, nil
		}
		return &schema{kind: kindOpaque}, nil // a type of another package: the file sets it as a whole
	case *ast.MapType:
		if id, ok := t.Value.(*ast.Ident); ok && types[id.Name] != nil && exprString(t.Key) == "string" {
			elem, err := schemaOfExpr(id, types, depth)
			return &schema{kind: kindMap, elem: elem}, err
		}
		return &schema{kind: kindOpaque}, nil
	case *ast.ArrayType, *ast.StarExpr, *ast.InterfaceType:
		return &schema{kind: kindOpaque}, nil
	}
	return nil, fmt.Errorf("unsupported type %s", exprString(e))
}

func exprString(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		return exprString(t.X) + "." + t.Sel.Name
	case *ast.StarExpr:
		return "*" + exprString(t.X)
	case *ast.ArrayType:
		return "[]" + exprString(t.Elt)
	case *ast.MapType:
		return "map[" + exprString(t.Key) + "]" + exprString(t.Value)
	}
	return fmt.Sprintf("%T", e)
}

// checkFile reports the keys of a decoded YAML document that the schema does not have.
func (s *schema) checkFile(doc any, prefix string) []string {
	var bad []string
	switch s.kind {
	case kindStruct, kindMap:
		m, ok := doc.(map[string]any)
		if !ok {
			if doc == nil {
				return nil
			}
			return []string{fmt.Sprintf("%s: a section, got %T", strings.TrimSuffix(prefix, "."), doc)}
		}
		for k, v := range m {
			sub := s.elem
			if s.kind == kindStruct {
				sub = s.fields[k]
			}
			if sub == nil {
				bad = append(bad, prefix+k+": not a key the service reads")
				continue
			}
			bad = append(bad, sub.checkFile(v, prefix+k+".")...)
		}
	case kindScalar, kindDuration:
		if _, isMap := doc.(map[string]any); isMap {
			return []string{strings.TrimSuffix(prefix, ".") + ": a value, got a section"}
		}
		if _, isList := doc.([]any); isList {
			return []string{strings.TrimSuffix(prefix, ".") + ": a value, got a list"}
		}
	}
	sort.Strings(bad)
	return bad
}

// envVars returns the variables that override a setting of a service whose file is doc, as
// platform.ApplyEnv reads them, each with the schema of its value: every scalar key, and the keys of
// the map entries the file has.
func (s *schema) envVars(doc any) map[string]*schema {
	out := map[string]*schema{}
	s.collectEnv(doc, "", out)
	return out
}

func (s *schema) collectEnv(doc any, key string, out map[string]*schema) {
	m, _ := doc.(map[string]any)
	switch s.kind {
	case kindStruct:
		for name, sub := range s.fields {
			sub.collectEnv(m[name], joinKey(key, name), out)
		}
	case kindMap:
		for name, entry := range m {
			s.elem.collectEnv(entry, joinKey(key, name), out)
		}
	default:
		out[platform.EnvVar(key)] = s
	}
}

func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// parseValue reports whether an environment value fits the setting, as ApplyEnv would parse it.
func (s *schema) parseValue(v string) error {
	var err error
	switch {
	case s.kind == kindDuration:
		_, err = time.ParseDuration(v)
	case s.kind == kindOpaque:
		err = fmt.Errorf("this setting is a list or a map and cannot be set from the environment")
	case s.scalar == reflect.Bool:
		_, err = strconv.ParseBool(v)
	case s.scalar >= reflect.Int && s.scalar <= reflect.Int64:
		_, err = strconv.ParseInt(v, 10, 64)
	case s.scalar >= reflect.Uint && s.scalar <= reflect.Uint64:
		_, err = strconv.ParseUint(v, 10, 64)
	case s.scalar == reflect.Float32 || s.scalar == reflect.Float64:
		_, err = strconv.ParseFloat(v, 64)
	}
	return err
}

// readYAMLFile decodes a YAML file into generic values.
func readYAMLFile(path string) (any, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	doc, err := decodeYAML(data)
	return doc, data, err
}
