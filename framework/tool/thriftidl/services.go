package thriftidl

import "github.com/cloudwego/thriftgo/parser"

// resolveServices converts the functions of t's services, links each service to the one it extends
// and synthesizes the arguments and result structs of every function.
func (cv *converter) resolveServices(t *parser.Thrift) error {
	for _, ps := range t.Services {
		s := cv.services[ps]
		if ps.Extends != "" {
			name := ps.Extends // thriftgo sets Reference only for a service of another file
			parent, ok := cv.lookup(t, name, ps.Reference).(*Service)
			if !ok {
				return errorf(s.Pos, "service %s extends %q, which is not a known service", s.Name, name)
			}
			s.Extends = parent
		}
		src := cv.c.srcs[t]
		end := src.blockEnd(s.Pos.Line)
		for _, pf := range ps.Functions {
			line := src.find(s.Pos.Line, end, pf.Name, "(")
			fn, err := cv.function(t, s, pf, Pos{File: t.Filename, Line: line})
			if err != nil {
				return err
			}
			s.Functions = append(s.Functions, fn)
		}
	}
	return nil
}

func (cv *converter) function(t *parser.Thrift, s *Service, pf *parser.Function, pos Pos) (*Function, error) {
	fn := &Function{Name: pf.Name, Service: s, Oneway: pf.Oneway, Annotations: annotations(pf.Annotations),
		Doc: doc(pf.ReservedComments), Pos: pos}
	var err error
	if !pf.Void {
		if fn.Result, err = cv.typ(t, pf.FunctionType); err != nil {
			return nil, err
		}
	}
	if fn.Args, err = cv.fieldList(t, pos.Line, pf.Arguments); err != nil {
		return nil, err
	}
	if fn.Throws, err = cv.fieldList(t, pos.Line, pf.Throws); err != nil {
		return nil, err
	}
	for _, a := range fn.Args {
		if pd := cv.fields[a]; pd.Default != nil {
			if a.Default, err = cv.value(t, a.Pos, a.Type, pd.Default); err != nil {
				return nil, err
			}
		}
	}
	fn.ArgsStruct = &Struct{Kind: PlainStruct, File: s.File, Fields: fn.Args, Function: fn, Pos: pos}
	if fn.Oneway {
		return fn, nil
	}
	var fields []*Field
	if fn.Result != nil {
		fields = append(fields, &Field{ID: 0, Name: "success", Type: fn.Result, Requiredness: Optional, Pos: pos})
	}
	for _, x := range fn.Throws {
		x.Requiredness = Optional
		fields = append(fields, x)
	}
	fn.ResultStruct = &Struct{Kind: PlainStruct, File: s.File, Fields: fields, Function: fn, Pos: pos}
	return fn, nil
}

// checkInheritance rejects extends cycles and functions that redefine an inherited one.
func (cv *converter) checkInheritance(t *parser.Thrift) error {
	for _, s := range cv.files[t].Services {
		seen := map[*Service]bool{s: true}
		for p := s.Extends; p != nil; p = p.Extends {
			if seen[p] {
				return errorf(s.Pos, "service %s: extends cycle through %s", s.Name, p.Name)
			}
			seen[p] = true
		}
		if s.Extends == nil {
			continue
		}
		inherited := map[string]*Function{}
		for _, fn := range s.Extends.AllFunctions() {
			inherited[fn.Name] = fn
		}
		for _, fn := range s.Functions {
			if p, dup := inherited[fn.Name]; dup {
				return errorf(fn.Pos, "service %s: function %s is already inherited from service %s (%s)",
					s.Name, fn.Name, p.Service.Name, p.Pos)
			}
		}
	}
	return nil
}

// checkMapKeys rejects map keys Go cannot have: lists, sets and maps (Go slices and maps are not
// comparable). Struct keys become pointer keys and binary keys strings, as in Kitex.
func (cv *converter) checkMapKeys(t *parser.Thrift) error {
	f := cv.files[t]
	check := func(pos Pos, typ *Type) error {
		if k := badMapKey(typ); k != nil {
			return errorf(pos, "%s: a %s cannot be a Go map key", typ, k)
		}
		return nil
	}
	var err error
	for _, d := range f.Typedefs {
		err = firstErr(err, check(d.Pos, d.Type))
	}
	for _, c := range f.Consts {
		err = firstErr(err, check(c.Pos, c.Type))
	}
	for _, s := range f.Structs {
		for _, fd := range s.Fields {
			err = firstErr(err, check(fd.Pos, fd.Type))
		}
	}
	for _, s := range f.Services {
		for _, fn := range s.Functions {
			if fn.Result != nil {
				err = firstErr(err, check(fn.Pos, fn.Result))
			}
			for _, a := range fn.Args {
				err = firstErr(err, check(a.Pos, a.Type))
			}
		}
	}
	return err
}

// badMapKey returns the first map key type within t that is a container, or nil.
func badMapKey(t *Type) *Type {
	switch t.Kind {
	case KindMap:
		if t.Key.IsContainer() {
			return t.Key
		}
		if k := badMapKey(t.Key); k != nil {
			return k
		}
		return badMapKey(t.Elem)
	case KindList, KindSet:
		return badMapKey(t.Elem)
	}
	return nil
}
