package api

import (
	"context"
	_ "embed"
	"net/http"

	"github.com/cloudwego/hertz/pkg/app"
)

// openAPI is the OpenAPI 3 description of every route, written by hand; a test checks it against the
// registered routes.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openAPI }

// serveOpenAPI: GET /api/v1/openapi.json.
func serveOpenAPI(_ context.Context, c *app.RequestContext) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", openAPI)
}
