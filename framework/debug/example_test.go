package debug_test

import (
	"log"
	"net/http"

	"github.com/ternhq/tern/framework/debug"
)

// Serving diagnostics next to a service, on loopback only.
func ExampleNewHandler() {
	go func() {
		if err := http.ListenAndServe("127.0.0.1:6060", debug.NewHandler()); err != nil {
			log.Print(err)
		}
	}()
	// curl 127.0.0.1:6060/debug/tern shows the process's servers and clients;
	// go tool pprof 127.0.0.1:6060/debug/pprof/profile profiles it.
}
