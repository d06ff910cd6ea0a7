// Package web is the shop's small web page, served by the gateway itself: plain HTML, CSS and
// JavaScript embedded in the binary, no build step. It browses the catalogue, logs in, fills the cart
// and checks out through the JSON API.
package web

import (
	"context"
	"embed"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
)

//go:embed static
var files embed.FS

// Index serves the page: GET /.
func Index(ctx context.Context, c *app.RequestContext) {
	serve(ctx, c, "index.html")
}

// Static serves the page's assets: GET /static/{filepath}.
func Static(ctx context.Context, c *app.RequestContext) {
	serve(ctx, c, strings.TrimPrefix(c.Param("filepath"), "/"))
}

// serve answers with the embedded file name, or 404.
func serve(ctx context.Context, c *app.RequestContext, name string) {
	if name == "" || strings.Contains(name, "..") {
		apierr.Write(ctx, c, http.StatusNotFound, apierr.CodeNotFound, "no such file")
		return
	}
	data, err := files.ReadFile(path.Join("static", name))
	if err != nil {
		apierr.Write(ctx, c, http.StatusNotFound, apierr.CodeNotFound, "no such file")
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	c.Response.Header.Set("Cache-Control", "no-cache")
	c.Response.Header.Set("X-Content-Type-Options", "nosniff")
	c.Response.Header.Set("Content-Security-Policy", "default-src 'self'") // no inline code on the page
	c.Data(http.StatusOK, ctype, data)
}
