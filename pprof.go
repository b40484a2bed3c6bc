//go:build pprof

// Profiling for load tests only: `go build -tags pprof` and set
// BT_PPROF_ADDR (e.g. 127.0.0.1:6060) to serve net/http/pprof there, on a
// listener of its own. Release builds contain none of this.
package main

import (
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

func init() {
	if addr := os.Getenv("BT_PPROF_ADDR"); addr != "" {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
}
