package thriftidl

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// GoIdentifier turns an IDL name into an exported Go name the way Kitex does (thriftgo's "golint"
// style without initialisms): words separated by '_' are capitalized and joined, and a word that
// starts with an upper-case letter or a digit keeps its '_' ("delay_ms" → "DelayMs", "MAX_SIZE" →
// "MAX_SIZE", "a__b" → "A_B").
func GoIdentifier(name string) string {
	words := strings.Split(name, "_")
	for i, w := range words {
		switch {
		case w == "":
			words[i] = "_"
		case i > 0 && (isUpper(w) || w[0] >= '0' && w[0] <= '9'):
			words[i] = "_" + w
		default:
			words[i] = UpperFirst(w)
		}
	}
	return strings.Join(words, "")
}

func isUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// UpperFirst returns s with its first letter in upper case.
func UpperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// LowerFirst returns s with its first letter in lower case.
func LowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// packageOf returns the directory and Go package name of a Go namespace ("a.b" → "a/b", "b").
// Characters that cannot appear in a package name become '_'.
func packageOf(namespace string) (dir, name string) {
	parts := strings.Split(namespace, ".")
	for i, p := range parts {
		parts[i] = sanitize(strings.ToLower(p))
	}
	return strings.Join(parts, "/"), parts[len(parts)-1]
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || b[0] >= '0' && b[0] <= '9' {
		return "p" + string(b)
	}
	return string(b)
}

// scope hands out identifiers that are unique within one Go package or one struct's fields and
// methods: a name that is taken, or whose derived names are, gets '_' appended until it is free
// (thriftgo's convention).
type scope map[string]bool

// claim reserves name and derive(name) — the identifiers generated from it — and returns the name.
func (s scope) claim(name string, derive func(string) []string) string {
	for {
		all := []string{name}
		if derive != nil {
			all = append(all, derive(name)...)
		}
		free := true
		for _, n := range all {
			free = free && !s[n]
		}
		if free {
			for _, n := range all {
				s[n] = true
			}
			return name
		}
		name += "_"
	}
}

// nameProgram gives every definition its Go name: unique within its package, and for functions
// unique within their service including the inherited functions.
func nameProgram(prog *Program) {
	scopes := map[*Package]scope{}
	for _, p := range prog.Packages {
		scopes[p] = nameDefinitions(p)
	}
	done := map[*Service]bool{}
	var nameService func(s *Service)
	nameService = func(s *Service) {
		if done[s] {
			return
		}
		done[s] = true
		methods := scope{}
		if s.Extends != nil {
			nameService(s.Extends)
			for _, fn := range s.Extends.AllFunctions() {
				methods[fn.GoName] = true
			}
		}
		sc := scopes[s.File.Package]
		for _, fn := range s.Functions {
			fn.GoName = methods.claim(GoIdentifier(fn.Name), nil)
			nameStruct(sc, fn.ArgsStruct, s.GoName+fn.GoName+"Args")
			if fn.ResultStruct != nil {
				nameStruct(sc, fn.ResultStruct, s.GoName+fn.GoName+"Result")
			}
		}
	}
	for _, f := range prog.Files {
		for _, s := range f.Services {
			nameService(s)
		}
	}
}

// nameDefinitions names the enums, typedefs, structs, constants and services of a package.
func nameDefinitions(p *Package) scope {
	sc := scope{}
	for _, f := range p.Files {
		for _, e := range f.Enums {
			e.GoName = sc.claim(GoIdentifier(e.Name), func(n string) []string {
				out := []string{n + "FromString", n + "Ptr"}
				for _, v := range e.Values {
					out = append(out, n+"_"+v.Name)
				}
				return out
			})
			for _, v := range e.Values {
				v.GoName = e.GoName + "_" + v.Name
			}
		}
		for _, d := range f.Typedefs {
			d.GoName = sc.claim(GoIdentifier(d.Name), func(n string) []string { return []string{"New" + n} })
		}
		for _, s := range f.Structs {
			nameStruct(sc, s, GoIdentifier(s.Name))
		}
		for _, c := range f.Consts {
			c.GoName = sc.claim(GoIdentifier(c.Name), nil)
		}
		for _, s := range f.Services {
			s.GoName = sc.claim(GoIdentifier(s.Name), nil)
		}
	}
	return sc
}

// nameStruct names a struct's fields, then the struct itself with the package-level names derived
// from it: New<Name> and <Name>_<Field>_DEFAULT.
func nameStruct(sc scope, s *Struct, name string) {
	methods := scope{"String": true, "BLength": true, "FastWrite": true, "FastRead": true, "FastReadDepth": true}
	if s.Kind == Exception {
		methods["Error"] = true
	}
	for _, f := range s.Fields {
		f.GoName = methods.claim(GoIdentifier(f.Name), func(n string) []string { return []string{"Get" + n, "IsSet" + n} })
	}
	s.GoName = sc.claim(name, func(n string) []string {
		out := []string{"New" + n}
		for _, f := range s.Fields {
			out = append(out, n+"_"+f.GoName+"_DEFAULT")
		}
		return out
	})
	if s.Function != nil {
		s.Name = s.GoName
	}
}
