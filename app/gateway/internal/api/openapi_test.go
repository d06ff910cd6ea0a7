package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ternhq/tern/app/gateway/internal/api"
)

// openAPIDoc is the part of the OpenAPI document the tests read.
type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

// operation is the part of an operation the tests read.
type operation struct {
	OperationID string                     `json:"operationId"`
	Responses   map[string]json.RawMessage `json:"responses"`
	Parameters  []parameter                `json:"parameters"`
}

// parameter is an operation's parameter, inline or a reference to components.parameters.
type parameter struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
}

var (
	hertzParam = regexp.MustCompile(`[:*]([a-z_]+)`)
	docParam   = regexp.MustCompile(`\{([a-z_]+)\}`)
	// refName is the components.parameters entry describing each path variable.
	refName = map[string]string{"id": "ItemID", "item_id": "CartItemID"}
)

// TestOpenAPIDocumentsEveryRoute: every registered route is in the document with its method, and every
// documented operation is a registered route.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	e := newEnv(t, nil)
	registered := map[string]bool{}
	for _, r := range e.h.Routes() {
		path := hertzParam.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + path
		registered[key] = true
		t.Run(key, func(t *testing.T) {
			raw, ok := doc.Paths[path][strings.ToLower(r.Method)]
			if !ok {
				t.Fatalf("route %s %s is not documented", r.Method, r.Path)
			}
			checkOperation(t, path, raw)
		})
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !registered[method+" "+path] {
				t.Errorf("documented %s %s is no route", method, path)
			}
		}
	}
}

// checkOperation checks an operation has an id, a 2xx response, and a parameter for each path variable.
func checkOperation(t *testing.T, path string, raw json.RawMessage) {
	t.Helper()
	var op operation
	if err := json.Unmarshal(raw, &op); err != nil {
		t.Fatal(err)
	}
	if op.OperationID == "" {
		t.Error("no operationId")
	}
	if !slices.ContainsFunc(mapsKeys(op.Responses), func(code string) bool { return strings.HasPrefix(code, "2") }) {
		t.Error("no 2xx response")
	}
	for _, m := range docParam.FindAllStringSubmatch(path, -1) {
		found := slices.ContainsFunc(op.Parameters, func(p parameter) bool {
			return p.Name == m[1] || strings.HasSuffix(p.Ref, "/parameters/"+refName[m[1]])
		})
		if !found {
			t.Errorf("path parameter %s is not described", m[1])
		}
	}
}

func mapsKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/api/v1/openapi.json", "", "")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header("Content-Type"), "application/json") {
		t.Fatalf("status %d, content type %q", r.status, r.header("Content-Type"))
	}
	if string(r.body) != string(api.OpenAPI()) {
		t.Error("served document differs from the embedded one")
	}
}
