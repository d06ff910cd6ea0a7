// Package debug serves an opt-in diagnostics endpoint over HTTP: every live server and client of the
// process (services and methods, effective options, connection pools, circuit breakers, limits,
// resolved instances), as JSON, with net/http/pprof alongside.
//
// Nothing needs registering: servers and clients are found as they are made (server.Servers,
// client.Clients). Serve the handler on a loopback or otherwise private address:
//
//	go http.ListenAndServe("127.0.0.1:6060", debug.NewHandler())
//
// Routes:
//
//	GET /debug/tern                  every server and client
//	GET /debug/tern/servers/{name}   one server
//	GET /debug/tern/clients/{name}   one client
//	    /debug/pprof/...             the Go profiler (net/http/pprof)
//
// A server is named after its services ("Echo,Greeter"), a client after its destination service
// ("echo"); a name taken already gets "#2", "#3"... in creation order. Everything is read without
// stopping calls: each component's snapshot is consistent, the whole page is not.
package debug

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ternhq/tern/framework/client"
	"github.com/ternhq/tern/framework/server"
)

// resolveTimeout bounds asking registries for clients' instances while serving a page (only clients
// that have not resolved their service yet ask).
const resolveTimeout = 2 * time.Second

// Handler is the diagnostics endpoint.
type Handler struct {
	mux     *http.ServeMux
	started time.Time
}

// NewHandler returns the diagnostics endpoint.
func NewHandler() *Handler {
	h := &Handler{mux: http.NewServeMux(), started: time.Now()}
	h.mux.HandleFunc("GET /debug/tern", h.serveAll)
	h.mux.HandleFunc("GET /debug/tern/servers/{name}", h.serveServer)
	h.mux.HandleFunc("GET /debug/tern/clients/{name}", h.serveClient)
	h.mux.HandleFunc("/debug/pprof/", pprof.Index)
	h.mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	h.mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	h.mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	h.mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Page is what GET /debug/tern returns.
type Page struct {
	Runtime Runtime                       `json:"runtime"`
	Servers map[string]server.Description `json:"servers"`
	Clients map[string]client.Description `json:"clients"`
}

// Runtime describes the process.
type Runtime struct {
	GoVersion  string `json:"go_version"`
	Goroutines int    `json:"goroutines"`
	CPUs       int    `json:"cpus"`
	Uptime     string `json:"uptime"` // since the Handler was made
}

func (h *Handler) serveAll(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, Page{
		Runtime: Runtime{GoVersion: runtime.Version(), Goroutines: runtime.NumGoroutine(), CPUs: runtime.NumCPU(),
			Uptime: time.Since(h.started).Round(time.Second).String()},
		Servers: servers(),
		Clients: clients(r.Context()),
	})
}

func (h *Handler) serveServer(w http.ResponseWriter, r *http.Request) {
	serveOne(w, "server", r.PathValue("name"), servers())
}

func (h *Handler) serveClient(w http.ResponseWriter, r *http.Request) {
	serveOne(w, "client", r.PathValue("name"), clients(r.Context()))
}

// serveOne writes the description called name, or the names there are.
func serveOne[D any](w http.ResponseWriter, kind, name string, all map[string]D) {
	if d, ok := all[name]; ok {
		writeJSON(w, http.StatusOK, d)
		return
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	writeJSON(w, http.StatusNotFound, map[string]any{"error": "no " + kind + " named " + name, "known": names})
}

// servers describes the live servers, named after their services.
func servers() map[string]server.Description {
	out := map[string]server.Description{}
	for _, s := range server.Servers() {
		d := s.Describe()
		names := make([]string, len(d.Services))
		for i, svc := range d.Services {
			names[i] = svc.Name
		}
		add(out, strings.Join(names, ","), d)
	}
	return out
}

// clients describes the live clients, named after their destination services.
func clients(ctx context.Context) map[string]client.Description {
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	out := map[string]client.Description{}
	for _, c := range client.Clients() {
		if d, ok := client.Describe(ctx, c); ok {
			add(out, d.DestService, d)
		}
	}
	return out
}

// add stores v under name, or under the first of name#2, name#3... that is free.
func add[V any](m map[string]V, name string, v V) {
	if name == "" {
		name = "unnamed"
	}
	key := name
	for i := 2; ; i++ {
		if _, taken := m[key]; !taken {
			m[key] = v
			return
		}
		key = name + "#" + strconv.Itoa(i)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
