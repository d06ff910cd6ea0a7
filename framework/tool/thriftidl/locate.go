package thriftidl

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// thriftgo's AST carries no positions, so positions are found in the source text: a source is a file's
// lines, without comments, split into tokens, searched for the tokens of a definition.
type source struct {
	path  string
	lines [][]string // the tokens of each line
}

func readSource(path string) *source {
	b, err := os.ReadFile(path)
	if err != nil {
		return &source{path: path}
	}
	src := &source{path: path}
	for _, l := range strings.Split(stripComments(string(b)), "\n") {
		src.lines = append(src.lines, tokenize(l))
	}
	return src
}

// tokenize splits a line into words (names, dotted names, numbers), quoted strings and single
// punctuation characters.
func tokenize(line string) []string {
	var out []string
	for i := 0; i < len(line); {
		c, j := line[i], i+1
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case isWordByte(c):
			for j < len(line) && isWordByte(line[j]) {
				j++
			}
		case c == '"' || c == '\'':
			if k := strings.IndexByte(line[j:], c); k >= 0 {
				j += k + 1
			} else {
				j = len(line)
			}
		}
		out = append(out, line[i:j])
		i = j
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// stripComments replaces //, # and /* */ comments with spaces, keeping line breaks and string literals.
func stripComments(text string) string {
	b := []byte(text)
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' || c == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			end := strings.Index(text[i+2:], "*/")
			stop := len(b)
			if end >= 0 {
				stop = i + 2 + end + 2
			}
			for ; i < stop; i++ {
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
			i--
		}
	}
	return string(b)
}

// has reports whether tokens contains words in order, not necessarily next to each other.
func has(tokens []string, words []string) bool {
	i := 0
	for _, t := range tokens {
		if i < len(words) && t == words[i] {
			i++
		}
	}
	return i == len(words)
}

// find returns the first line in [from, to] (1-based, to 0 for the end) that holds words in order,
// or 0.
func (s *source) find(from, to int, words ...string) int {
	if from < 1 {
		from = 1
	}
	if to == 0 || to > len(s.lines) {
		to = len(s.lines)
	}
	for i := from; i <= to; i++ {
		if has(s.lines[i-1], words) {
			return i
		}
	}
	return 0
}

// def returns the line of the definition keyword ... name.
func (s *source) def(keyword, name string) int { return s.find(1, 0, keyword, name) }

// blockEnd returns the line of the brace that closes the first block opened at or after line.
func (s *source) blockEnd(line int) int {
	if line == 0 {
		return 0
	}
	depth := 0
	for i := line; i <= len(s.lines); i++ {
		for _, t := range s.lines[i-1] {
			switch t {
			case "{":
				depth++
			case "}":
				depth--
				if depth == 0 {
					return i
				}
			}
		}
	}
	return len(s.lines)
}

// member returns the line of a field (id: ... name) or other member inside the block of a definition
// that starts at def, or def itself when it cannot tell.
func (s *source) member(def int, id string, name string) int {
	if def == 0 {
		return 0
	}
	end := s.blockEnd(def)
	if id != "" {
		if l := s.find(def, end, id, ":", name); l != 0 {
			return l
		}
	}
	if l := s.find(def, end, name); l != 0 {
		return l
	}
	return def
}

var includeStmt = regexp.MustCompile(`(?:^|\s)include\s+["']([^"']+)["']`)

// findInclude finds the include statement that names missing, following includes from main the way
// the parser does. It is only used to explain a parse failure.
func findInclude(main string, includeDirs []string, missing string) (Pos, bool) {
	seen := map[string]bool{}
	var walk func(path string) (Pos, bool)
	walk = func(path string) (Pos, bool) {
		if seen[path] {
			return Pos{}, false
		}
		seen[path] = true
		b, _ := os.ReadFile(path)
		for i, line := range strings.Split(stripComments(string(b)), "\n") {
			for _, m := range includeStmt.FindAllStringSubmatch(line, -1) {
				if m[1] == missing {
					return Pos{File: path, Line: i + 1}, true
				}
				if next, ok := searchInclude(m[1], filepath.Dir(path), includeDirs); ok {
					if pos, ok := walk(next); ok {
						return pos, true
					}
				}
			}
		}
		return Pos{}, false
	}
	return walk(main)
}

// searchInclude resolves an include path like thriftgo's parser: as written, next to the including
// file, then in each include directory.
func searchInclude(file, dir string, includeDirs []string) (string, bool) {
	candidates := append([]string{file, filepath.Join(dir, file)}, joinEach(includeDirs, file)...)
	for _, p := range candidates {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, true
		}
	}
	return "", false
}

func joinEach(dirs []string, file string) []string {
	out := make([]string, len(dirs))
	for i, d := range dirs {
		out[i] = filepath.Join(d, file)
	}
	return out
}
