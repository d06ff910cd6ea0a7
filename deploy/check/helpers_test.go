package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/ternhq/tern/framework/platform"
)

// root is the repository's root directory.
var root = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}()

func repoPath(parts ...string) string { return filepath.Join(append([]string{root}, parts...)...) }

// decodeYAML decodes one YAML document into generic values (maps with string keys).
func decodeYAML(data []byte) (any, error) {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// decodeYAMLDocs decodes every document of a multi-document YAML stream.
func decodeYAMLDocs(data []byte) ([]map[string]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// effective is a service configuration as platform loads it: the platform's part, and the service's own
// sections kept aside.
type effective struct {
	platform.Config `yaml:",inline"`
	Rest            map[string]any `yaml:",inline"`
}

// serviceConfig is one service's configuration in one deployment: its file and its environment.
type serviceConfig struct {
	where   string            // for messages: "compose item", "k8s deploy/k8s/item.yaml"
	service string            // the directory under app/
	file    string            // the file's name, for messages
	data    []byte            // the file
	env     map[string]string // the TERN_* variables and the others the deployment sets
}

// checkServiceConfig checks that a deployment's configuration of a service only names keys the
// service's code reads, that its variables parse, and that platform accepts the result. It returns the
// effective platform configuration.
func checkServiceConfig(t *testing.T, sc serviceConfig) *platform.Config {
	t.Helper()
	sch, err := serviceSchema(repoPath("app", sc.service))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := decodeYAML(sc.data)
	if err != nil {
		t.Fatalf("%s: %s: %v", sc.where, sc.file, err)
	}
	for _, bad := range sch.checkFile(doc, "") {
		t.Errorf("%s: %s: %s", sc.where, sc.file, bad)
	}
	vars := sch.envVars(doc)
	for _, name := range sortedKeys(sc.env) {
		if !strings.HasPrefix(name, platform.EnvPrefix) || name == platform.EnvName || name == platform.EnvConfDir {
			continue
		}
		s, ok := vars[name]
		if !ok {
			t.Errorf("%s: %s is not a configuration key of %s (keys: %s)", sc.where, name, sc.service, strings.Join(sortedKeys(vars), " "))
			continue
		}
		if err := s.parseValue(sc.env[name]); err != nil {
			t.Errorf("%s: %s=%q: %v", sc.where, name, sc.env[name], err)
		}
	}

	var cfg effective
	if err := platform.Decode(sc.data, &cfg); err != nil {
		t.Fatalf("%s: %s: %v", sc.where, sc.file, err)
	}
	read := map[string]bool{}
	lookup := func(name string) (string, bool) {
		read[name] = true
		v, ok := sc.env[name]
		return v, ok
	}
	if err := platform.ApplyEnv(&cfg.Config, lookup); err != nil {
		t.Errorf("%s: %v", sc.where, err)
	}
	// The variables modelled here are the ones platform really reads for its own keys.
	for name := range platformSchema().envVars(doc) {
		if !read[name] {
			t.Errorf("schema model: %s is not read by platform.ApplyEnv", name)
		}
		delete(read, name)
	}
	if len(read) > 0 {
		t.Errorf("schema model: platform.ApplyEnv also reads %s", strings.Join(sortedKeys(read), " "))
	}
	cfg.Env = sc.env[platform.EnvName]
	if err := cfg.Validate(); err != nil {
		t.Errorf("%s: the configuration does not validate: %v", sc.where, err)
	}
	if cfg.Service != sc.service {
		t.Errorf("%s: service = %q, want %q (its name in the registry)", sc.where, cfg.Service, sc.service)
	}
	return &cfg.Config
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// shopServices are the directories under app/ holding a service (a main.go).
func shopServices(t *testing.T) []string {
	t.Helper()
	mains, err := filepath.Glob(repoPath("app", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range mains {
		out = append(out, filepath.Base(filepath.Dir(m)))
	}
	if len(out) == 0 {
		t.Fatal("no service under app/")
	}
	return out
}

// mustRead reads a repository file.
func mustRead(t *testing.T, parts ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(repoPath(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// portOf returns the port of a host:port address.
func portOf(addr string) string {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

// jsonUnmarshalFile decodes a repository JSON file into v.
func jsonUnmarshalFile(t *testing.T, v any, parts ...string) error {
	t.Helper()
	return json.Unmarshal(mustRead(t, parts...), v)
}
