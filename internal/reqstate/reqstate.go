// Package reqstate is the one value each request carries for the layers
// that serve it. The outermost middleware (clientip's) puts it into the
// context once; the layers below fill in what they learn — the client
// address, the answer's status, the verified API key — instead of each
// copying the request for a context value of its own. The state, its
// context and the status-recording writer are one allocation.
package reqstate

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"time"
)

// State is what the layers of one request learned about it.
type State struct {
	// ClientIP is the client address (see clientip); invalid when the peer
	// address could not be read.
	ClientIP netip.Addr
	// Key is the REST layer's verified API key (a *rest.Principal), nil
	// before verification and outside /v1.
	Key any
	// HTTPS is whether the request came over TLS (directly or through a
	// trusted proxy); HTTPSKnown is whether clientip's middleware decided it.
	HTTPS, HTTPSKnown bool
	// RequestID is the id requestid's middleware gave the request.
	RequestID string
	// Start is when the request began (the metrics middleware's clock
	// reading): the layers below use it as "now" instead of reading the
	// clock again. Zero when no middleware set it.
	Start time.Time

	status int
}

// Status is the status code of the answer: the one written, or 200 when
// none was (what net/http then sends).
func (s *State) Status() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}

// request is one request's state, its context and its response writer, in
// one allocation.
type request struct {
	context.Context
	State
	w http.ResponseWriter
}

type ctxKey struct{}

// Value answers the state's key without a context.WithValue layer.
func (r *request) Value(key any) any {
	if key == (ctxKey{}) {
		return &r.State
	}
	return r.Context.Value(key)
}

// Header, WriteHeader and Write make request the http.ResponseWriter the
// layers below write to, so the state knows the status.
func (r *request) Header() http.Header { return r.w.Header() }

func (r *request) WriteHeader(code int) {
	if r.status == 0 || r.status < 200 && code >= 200 { // informational answers come before the real one
		r.status = code
	}
	r.w.WriteHeader(code)
}

func (r *request) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.w.Write(b)
}

// WriteString keeps the underlying writer's string path (io.WriteString
// would otherwise copy s into a new []byte).
func (r *request) WriteString(s string) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return io.WriteString(r.w, s)
}

// Unwrap lets http.ResponseController reach the real writer (Flush, deadlines).
func (r *request) Unwrap() http.ResponseWriter { return r.w }

// New returns w and req wrapped with a fresh State (the request's one
// context copy by the outer layers), and the State to fill in.
func New(w http.ResponseWriter, req *http.Request) (http.ResponseWriter, *http.Request, *State) {
	r := &request{Context: req.Context(), w: w}
	return r, req.WithContext(r), &r.State
}

// NewContext returns ctx with a fresh State, for callers outside an HTTP
// handler chain (tests, a layer mounted without the outer middleware).
func NewContext(ctx context.Context) (context.Context, *State) {
	r := &request{Context: ctx}
	return r, &r.State
}

// From returns the request's State, or nil outside a request that has one.
func From(ctx context.Context) *State {
	s, _ := ctx.Value(ctxKey{}).(*State)
	return s
}
