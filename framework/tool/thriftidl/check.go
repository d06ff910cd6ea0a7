package thriftidl

import (
	"math"
	"strconv"
	"strings"

	"github.com/cloudwego/thriftgo/parser"
	"github.com/cloudwego/thriftgo/semantic"
)

// checker finds the mistakes thriftgo's semantic package would report without a position (unknown
// types and services, duplicates, misused throws and oneway) and reports them with file:line. It runs
// on the parsed, unresolved AST.
type checker struct {
	files []*parser.Thrift // files are the ASTs, each after the files it includes
	srcs  map[*parser.Thrift]*source
	kinds map[*parser.Thrift]map[string]string // name -> "struct", "enum", "const"...
}

func newChecker(files []*parser.Thrift) *checker {
	c := &checker{files: files, srcs: map[*parser.Thrift]*source{}, kinds: map[*parser.Thrift]map[string]string{}}
	for _, f := range files {
		c.srcs[f] = readSource(f.Filename)
	}
	return c
}

func (c *checker) pos(t *parser.Thrift, line int) Pos { return Pos{File: t.Filename, Line: line} }

// declare records the names t defines and rejects a name defined twice.
func (c *checker) declare(t *parser.Thrift) error {
	kinds := map[string]string{}
	c.kinds[t] = kinds
	src := c.srcs[t]
	add := func(kind, name string) error {
		if prev, dup := kinds[name]; dup {
			first := src.def(prev, name)
			line := src.find(first+1, 0, kind, name)
			return errorf(c.pos(t, line), "%q is defined twice (the first %s is at line %d)", name, prev, first)
		}
		kinds[name] = kind
		return nil
	}
	var err error
	for _, v := range t.Typedefs {
		err = firstErr(err, add("typedef", v.Alias))
	}
	for _, v := range t.Constants {
		err = firstErr(err, add("const", v.Name))
	}
	for _, v := range t.Enums {
		err = firstErr(err, add("enum", v.Name))
	}
	for _, v := range t.GetStructLikes() {
		err = firstErr(err, add(v.Category, v.Name))
	}
	for _, v := range t.Services {
		err = firstErr(err, add("service", v.Name))
	}
	return err
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// lookup returns the kind of the definition a (possibly include-qualified) name refers to.
func (c *checker) lookup(t *parser.Thrift, name string) (string, bool) {
	parts := semantic.SplitType(name)
	if len(parts) == 1 {
		k, ok := c.kinds[t][name]
		return k, ok
	}
	for _, inc := range t.Includes {
		if inc.Reference != nil && semantic.IDLPrefix(inc.Path) == parts[0] {
			if k, ok := c.kinds[inc.Reference][parts[1]]; ok {
				return k, true
			}
		}
	}
	return "", false
}

var baseTypeNames = map[string]bool{
	"bool": true, "byte": true, "i8": true, "i16": true, "i32": true, "i64": true,
	"double": true, "string": true, "binary": true,
}

// checkType checks that every name in typ is a type; line is where typ is written.
func (c *checker) checkType(t *parser.Thrift, line int, typ *parser.Type) error {
	switch {
	case typ == nil || baseTypeNames[typ.Name]:
		return nil
	case typ.Name == "map":
		return firstErr(c.checkType(t, line, typ.KeyType), c.checkType(t, line, typ.ValueType))
	case typ.Name == "list" || typ.Name == "set":
		return c.checkType(t, line, typ.ValueType)
	}
	if l := c.srcs[t].find(line, 0, typ.Name); l != 0 && line != 0 {
		line = l
	}
	kind, ok := c.lookup(t, typ.Name)
	switch {
	case !ok:
		return errorf(c.pos(t, line), "unknown type %q", typ.Name)
	case kind == "const" || kind == "service":
		return errorf(c.pos(t, line), "%q is a %s, not a type", typ.Name, kind)
	}
	return nil
}

// checkFields checks a field list: unique ids and names, ids that fit an i16, known types.
func (c *checker) checkFields(t *parser.Thrift, def int, owner string, fields []*parser.Field) error {
	src := c.srcs[t]
	ids, names := map[int32]string{}, map[string]bool{}
	for _, f := range fields {
		line := src.member(def, strconv.Itoa(int(f.ID)), f.Name)
		pos := c.pos(t, line)
		if prev, dup := ids[f.ID]; dup {
			return errorf(pos, "%s: fields %q and %q have the same id %d", owner, prev, f.Name, f.ID)
		}
		if names[f.Name] {
			return errorf(pos, "%s: two fields are named %q", owner, f.Name)
		}
		if f.ID < math.MinInt16 || f.ID > math.MaxInt16 {
			return errorf(pos, "%s: field %q: id %d does not fit in an i16", owner, f.Name, f.ID)
		}
		ids[f.ID], names[f.Name] = f.Name, true
		if err := c.checkType(t, line, f.Type); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) checkFile(t *parser.Thrift) error {
	src := c.srcs[t]
	for _, v := range t.Typedefs {
		if err := c.checkType(t, src.def("typedef", v.Alias), v.Type); err != nil {
			return err
		}
	}
	for _, v := range t.Constants {
		if err := c.checkType(t, src.def("const", v.Name), v.Type); err != nil {
			return err
		}
	}
	for _, s := range t.GetStructLikes() {
		def := src.def(s.Category, s.Name)
		if err := c.checkFields(t, def, s.Category+" "+s.Name, s.Fields); err != nil {
			return err
		}
	}
	for _, s := range t.Services {
		if err := c.checkService(t, s); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) checkService(t *parser.Thrift, s *parser.Service) error {
	src := c.srcs[t]
	def := src.def("service", s.Name)
	if s.Extends != "" {
		if kind, ok := c.lookup(t, s.Extends); !ok || kind != "service" {
			return errorf(c.pos(t, def), "service %s extends %q, which is not a known service", s.Name, s.Extends)
		}
	}
	seen := map[string]bool{}
	for _, f := range s.Functions {
		line := src.find(def, src.blockEnd(def), f.Name, "(")
		if line == 0 {
			line = def
		}
		if err := c.checkFunction(t, line, s.Name+"."+f.Name, f); err != nil {
			return err
		}
		if seen[f.Name] {
			return errorf(c.pos(t, line), "service %s defines %q twice", s.Name, f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

func (c *checker) checkFunction(t *parser.Thrift, line int, name string, f *parser.Function) error {
	pos := c.pos(t, line)
	if f.Oneway && !f.Void {
		return errorf(pos, "%s: a oneway function must return void", name)
	}
	if f.Oneway && len(f.Throws) > 0 {
		return errorf(pos, "%s: a oneway function cannot throw", name)
	}
	if !f.Void {
		if err := c.checkType(t, line, f.FunctionType); err != nil {
			return err
		}
	}
	if err := c.checkFields(t, line, name+" arguments", f.Arguments); err != nil {
		return err
	}
	if err := c.checkFields(t, line, name+" throws", f.Throws); err != nil {
		return err
	}
	for _, x := range f.Throws {
		if kind, _ := c.lookup(t, x.Type.Name); kind != "exception" {
			return errorf(c.pos(t, c.srcs[t].member(line, strconv.Itoa(int(x.ID)), x.Name)),
				"%s: throws %q, which is not an exception", name, x.Type.Name)
		}
	}
	return nil
}

// checkCycles rejects include cycles: Go packages cannot import each other.
func (c *checker) checkCycles(root *parser.Thrift) error {
	const (
		visiting = 1
		done     = 2
	)
	state := map[*parser.Thrift]int{}
	var stack []string
	var visit func(t *parser.Thrift) error
	visit = func(t *parser.Thrift) error {
		state[t] = visiting
		stack = append(stack, t.Filename)
		for _, inc := range t.Includes {
			switch state[inc.Reference] {
			case visiting:
				line := max(c.srcs[t].find(1, 0, "include", `"`+inc.Path+`"`), c.srcs[t].find(1, 0, "include", "'"+inc.Path+"'"))
				return errorf(c.pos(t, line), "include cycle: %s -> %s", strings.Join(stack, " -> "), inc.Reference.Filename)
			case 0:
				if err := visit(inc.Reference); err != nil {
					return err
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[t] = done
		return nil
	}
	return visit(root)
}
