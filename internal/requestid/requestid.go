// Package requestid gives every HTTP request an id that the answer carries
// (the X-Request-Id header, and the body of an internal error) and the log
// lines about it repeat, so a client's report of a failure finds its cause.
//
// The id is always made here: one sent by the client is ignored, so a client
// cannot forge ids into the log or make two requests share one.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Header is the response header that carries the id.
const Header = "X-Request-Id"

type ctxKey struct{}

// New returns a fresh id: 16 random bytes in hex.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the request's id, or "" outside a request (or before the
// middleware).
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Middleware gives each request a new id, in its context and in the
// X-Request-Id response header, replacing any the client sent.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := New()
		r.Header.Del(Header)
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
	})
}
