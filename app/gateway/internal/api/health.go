package api

import (
	"context"
	"net/http"
	"sort"
	"strings"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/ternhq/tern/app/gateway/internal/apierr"
)

// healthz: GET /healthz → 200 while the process serves.
func (hs *handlers) healthz(_ context.Context, c *app.RequestContext) {
	writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}

// readinessResponse is /readyz's body: the error body when not ready, plus each service's state.
type readinessResponse struct {
	Status   string            `json:"status,omitempty"`
	Error    *apierr.Detail    `json:"error,omitempty"`
	Services map[string]string `json:"services"`
}

// readyz: GET /readyz → 200 when item, stock and cart all answer, 503 naming those that do not.
func (hs *handlers) readyz(ctx context.Context, c *app.RequestContext) {
	ctx, cancel := context.WithTimeout(ctx, hs.ReadyTimeout)
	defer cancel()
	results := hs.Shop.Ready(ctx)
	resp := readinessResponse{Status: "ready", Services: make(map[string]string, len(results))}
	var down []string
	for name, err := range results {
		if err != nil { // details only in the log: addresses are not for the public
			hs.Log.WarnContext(ctx, "readiness probe failed", "service", name, "err", err)
			resp.Services[name] = "unreachable"
			down = append(down, name)
			continue
		}
		resp.Services[name] = "ok"
	}
	if len(down) == 0 {
		writeJSON(c, http.StatusOK, resp)
		return
	}
	sort.Strings(down)
	resp.Status = ""
	resp.Error = &apierr.Detail{Code: apierr.CodeNotReady, Message: "unreachable: " + strings.Join(down, ", ")}
	writeJSON(c, http.StatusServiceUnavailable, resp)
}
