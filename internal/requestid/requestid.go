// Package requestid gives every HTTP request an id that the answer carries
// (the X-Request-Id header, and the body of an internal error) and the log
// lines about it repeat, so a client's report of a failure finds its cause.
//
// The id is always made here: one sent by the client is ignored, so a client
// cannot forge ids into the log or make two requests share one. It lives in
// the request's state (reqstate), not a context copy of its own, and is a
// random per-process prefix plus a counter: unique without a random read per
// request, and it is not a secret.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync/atomic"

	"businesstools/internal/reqstate"
)

// Header is the response header that carries the id.
const Header = "X-Request-Id"

var (
	prefix = func() string {
		var b [6]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		return hex.EncodeToString(b[:]) + "-"
	}()
	counter atomic.Uint64
)

// New returns a fresh id.
func New() string { return prefix + strconv.FormatUint(counter.Add(1), 36) }

type ctxKey struct{}

// NewContext returns ctx carrying id, for work outside an HTTP request's state.
func NewContext(ctx context.Context, id string) context.Context {
	if st := reqstate.From(ctx); st != nil {
		st.RequestID = id
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the id of ctx's request, or "" when it has none.
func From(ctx context.Context) string {
	if st := reqstate.From(ctx); st != nil && st.RequestID != "" {
		return st.RequestID
	}
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Middleware gives each request a fresh id, in its state (or context) and in
// the X-Request-Id header of the answer. Mount it inside clientip's
// middleware, which starts the request's state.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := New()
		r.Header.Del(Header)
		w.Header()[Header] = []string{id}
		if st := reqstate.From(r.Context()); st != nil {
			st.RequestID = id
		} else {
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
		}
		next.ServeHTTP(w, r)
	})
}
