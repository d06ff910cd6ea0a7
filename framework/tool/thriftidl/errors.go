package thriftidl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Error is a mistake in an IDL file, at a position.
type Error struct {
	Pos Pos
	Col int // Col is the column (in runes, from 1), 0 when unknown.
	Msg string
}

// Error formats the error as file:line[:col]: message.
func (e *Error) Error() string {
	if e.Col > 0 && e.Pos.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Pos, e.Col, e.Msg)
	}
	return e.Pos.String() + ": " + e.Msg
}

func errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// thriftgo reports a syntax error as
//
//	parse FILE err: \nparse error near RULE (line L symbol S - line L symbol S):\n"TEXT"\n
var syntaxError = regexp.MustCompile(
	`(?s)^parse (.+?) err: .*?parse error near (\w+) \(line (\d+) symbol (\d+) - line \d+ symbol \d+\):\n(".*")`)

// parseError turns an error of thriftgo's parser into an *Error with a position where it can. abs
// tells whether to show absolute paths.
func parseError(err error, main string, includeDirs []string, abs bool) error {
	if m := syntaxError.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[3])
		col, _ := strconv.Atoi(m[4]) // 0-based
		near, _ := strconv.Unquote(m[5])
		if strings.HasPrefix(near, "\n") || strings.HasPrefix(near, "\r") {
			// thriftgo places a line break at the start of the next line.
			return errorf(Pos{File: displayPath(m[1], abs), Line: max(line-1, 1)}, "syntax error at the end of the line")
		}
		return &Error{Pos: Pos{File: displayPath(m[1], abs), Line: line}, Col: col + 1, Msg: "syntax error near " + nearText(near)}
	}
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Op == "search" {
		if pos, ok := findInclude(main, includeDirs, pe.Path); ok {
			return errorf(pos, "include %q: file not found (searched the including file's directory and -I %s)",
				pe.Path, strings.Join(includeDirs, ", "))
		}
		return fmt.Errorf("%s: file not found", pe.Path)
	}
	return fmt.Errorf("%s: %w", main, err)
}

// nearText shortens the text thriftgo shows to its first line.
func nearText(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}

// displayPath shows a path the way the user named the main file: thriftgo makes every path relative
// to the working directory, which is turned back into an absolute path when abs is set.
func displayPath(p string, abs bool) string {
	if abs && !filepath.IsAbs(p) {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
	}
	return p
}
