package check

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper-cased: FROM, RUN, COPY...
	args string
	line int
}

// parseDockerfile splits a Dockerfile into instructions (comments and parser directives dropped,
// backslash continuations joined).
func parseDockerfile(data string) []instruction {
	var out []instruction
	var cur strings.Builder
	start := 0
	for i, line := range strings.Split(data, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		} else if strings.HasPrefix(trimmed, "#") {
			continue // a comment inside a continued instruction
		}
		if body, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(body)
			cur.WriteString(" ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start})
		cur.Reset()
	}
	return out
}

// runFlags strips RUN's own flags (--mount=..., --network=...), leaving the shell command.
func runFlags(args string) string {
	for strings.HasPrefix(args, "--") {
		_, rest, _ := strings.Cut(args, " ")
		args = strings.TrimSpace(rest)
	}
	return args
}

func TestDockerfileShape(t *testing.T) {
	ins := parseDockerfile(string(mustRead(t, "deploy", "Dockerfile")))
	var froms []instruction
	var lastFrom int
	for i, in := range ins {
		if in.cmd == "FROM" {
			froms = append(froms, in)
			lastFrom = i
		}
	}
	if len(froms) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(froms))
	}
	for _, f := range froms {
		image := strings.Fields(f.args)[0]
		if image == "scratch" {
			continue
		}
		if _, tag, ok := strings.Cut(image, ":"); !ok || tag == "latest" || !regexp.MustCompile(`\d`).MatchString(tag) {
			t.Errorf("line %d: FROM %s is not pinned to a version", f.line, image)
		}
	}
	final := ins[lastFrom:]
	var user, entry string
	for _, in := range final {
		switch in.cmd {
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entry = in.args
		case "RUN":
			t.Errorf("line %d: RUN in the final stage (scratch has no shell)", in.line)
		}
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("the final stage runs as %q, want an unprivileged user", user)
	}
	if !strings.HasPrefix(entry, "[") {
		t.Errorf("ENTRYPOINT %q: want the exec form", entry)
	}
	build := ins[:lastFrom]
	if !containsInstruction(build, "COPY", ". .") || !containsInstruction(build, "WORKDIR", "/src") {
		t.Errorf("the build stage must COPY the repository (. .) into WORKDIR /src, which the build check mirrors")
	}
}

func containsInstruction(ins []instruction, cmd, args string) bool {
	for _, in := range ins {
		if in.cmd == cmd && in.args == args {
			return true
		}
	}
	return false
}

// dockerBuild holds the binaries the Dockerfile's go build line made, per service, built once for the
// tests that need them.
var dockerBuild struct {
	once sync.Once
	dir  string            // holds <service>/service and <service>/healthcheck
	errs map[string]string // service → build failure
	err  error             // the Dockerfile itself
}

// buildServices runs the Dockerfile's go build command for every service as the build stage runs it:
// with /bin/sh from the repository root (WORKDIR /src after COPY . .), the build args as environment
// variables (SERVICE, and OUT pointing at a temporary directory). It returns the directory of the
// binaries.
func buildServices(t *testing.T) (string, map[string]string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds every service")
	}
	services := shopServices(t)
	dockerBuild.once.Do(func() {
		var cmds []string
		for _, in := range parseDockerfile(string(mustRead(t, "deploy", "Dockerfile"))) {
			if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
				cmds = append(cmds, runFlags(in.args))
			}
		}
		if len(cmds) != 1 {
			dockerBuild.err = fmt.Errorf("%d RUN lines with go build, want 1", len(cmds))
			return
		}
		if !strings.Contains(cmds[0], "CGO_ENABLED=0") {
			dockerBuild.err = fmt.Errorf("the build does not turn cgo off: %s", cmds[0])
			return
		}
		dockerBuild.dir, dockerBuild.err = os.MkdirTemp("", "tern-deploy-check-")
		if dockerBuild.err != nil {
			return
		}
		dockerBuild.errs = map[string]string{}
		for _, svc := range services {
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
			cmd := exec.CommandContext(ctx, "/bin/sh", "-c", cmds[0])
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "SERVICE="+svc, "OUT="+filepath.Join(dockerBuild.dir, svc))
			if b, err := cmd.CombinedOutput(); err != nil {
				dockerBuild.errs[svc] = fmt.Sprintf("%s\n%s: %v", cmds[0], b, err)
			}
			cancel()
		}
	})
	if dockerBuild.err != nil {
		t.Fatal(dockerBuild.err)
	}
	return dockerBuild.dir, dockerBuild.errs
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dockerBuild.dir != "" {
		os.RemoveAll(dockerBuild.dir)
	}
	os.Exit(code)
}

// TestDockerfileBuild checks that the Dockerfile's go build line builds every service and the health
// probe into static binaries.
func TestDockerfileBuild(t *testing.T) {
	dir, errs := buildServices(t)
	for _, svc := range shopServices(t) {
		t.Run(svc, func(t *testing.T) {
			if msg, failed := errs[svc]; failed {
				t.Fatal(msg)
			}
			for _, bin := range []string{"service", "healthcheck"} {
				checkStatic(t, filepath.Join(dir, svc, bin))
			}
		})
	}
}

// checkStatic wants a statically linked executable: no program interpreter, no shared libraries.
func checkStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s is dynamically linked", filepath.Base(path))
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs %v", filepath.Base(path), libs)
	}
}

// ignored reports whether a .dockerignore pattern leaves path (slash-separated, relative to the
// context) out of the build context: the pattern matches the path or one of its parent directories;
// "**/" matches any number of leading directories.
func ignored(pattern, path string) bool {
	pattern = strings.TrimPrefix(pattern, "/")
	candidates := []string{path}
	for dir := path; strings.Contains(dir, "/"); {
		dir = dir[:strings.LastIndexByte(dir, '/')]
		candidates = append(candidates, dir)
	}
	for _, c := range candidates {
		if ok, _ := filepath.Match(pattern, c); ok {
			return true
		}
		if rest, deep := strings.CutPrefix(pattern, "**/"); deep {
			for i := 0; i < len(c); i++ {
				if i == 0 || c[i-1] == '/' {
					if ok, _ := filepath.Match(rest, c[i:]); ok {
						return true
					}
				}
			}
		}
	}
	return false
}

// TestDockerignoreKeepsSources checks that deploy/Dockerfile.dockerignore leaves every tracked file in
// the build context (database files aside), so that the image builds what the tests build.
func TestDockerignoreKeepsSources(t *testing.T) {
	var patterns []string
	for _, l := range strings.Split(string(mustRead(t, "deploy", "Dockerfile.dockerignore")), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{".git", ".git/HEAD", true},
		{"**/*.db", "app/item/data/item.db", true},
		{"**/*.db", "item.db", true},
		{"/bin", "bin/tern", true},
		{"/bin", "app/bin/x.go", false},
		{"**/*.test", "app/item/main.go", false},
	} {
		if got := ignored(tt.pattern, tt.path); got != tt.want {
			t.Errorf("ignored(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "ls-files")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout)", err)
	}
	files := strings.Fields(string(out))
	if len(files) == 0 {
		t.Fatal("git ls-files lists nothing")
	}
	for _, f := range files {
		if strings.Contains(filepath.Base(f), ".db") {
			continue
		}
		for _, p := range patterns {
			if ignored(p, f) {
				t.Errorf("%s is left out of the build context by %q", f, p)
			}
		}
	}
}
