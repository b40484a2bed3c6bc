package rest

import (
	"context"
	"slices"
)

// Principal is the API key a REST request is made with.
type Principal struct {
	KeyID       int
	AccountID   int
	AccountName string
	Name        string
	Scopes      []string
	RateLimit   int // requests per second; 0 = server default
}

// Has reports whether the key holds the scope.
func (p *Principal) Has(scope string) bool { return slices.Contains(p.Scopes, scope) }

type principalKey struct{}

// WithPrincipal returns ctx carrying the calling key.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the calling key; the auth middleware guarantees one
// on every route but the OpenAPI document.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
