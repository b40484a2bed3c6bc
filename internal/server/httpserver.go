package server

import (
	"net/http"
	"time"
)

// Timeouts bound how long a connection may hold the server (DESIGN.md
// section 7): a client that sends its request slowly, or idles between
// requests, is cut off.
type Timeouts struct {
	ReadHeader time.Duration // the request line and headers
	Read       time.Duration // the whole request, body included
	Write      time.Duration // from the end of the headers to the end of the answer
	Idle       time.Duration // a keep-alive connection between requests
}

// DefaultTimeouts are the server's: headers within 10 s, a whole request
// within 30 s, idle keep-alive 120 s (answers within 60 s).
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second,
	Write: 60 * time.Second, Idle: 120 * time.Second}

// HTTPServer returns the one http.Server configuration businesstools
// listens with: h on addr, under t.
func HTTPServer(addr string, h http.Handler, t Timeouts) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read,
		WriteTimeout: t.Write, IdleTimeout: t.Idle}
}
