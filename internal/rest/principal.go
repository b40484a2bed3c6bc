package rest

import (
	"context"
	"slices"

	"businesstools/internal/reqstate"
)

// Principal is the API key a REST request is made with.
type Principal struct {
	KeyID       int
	AccountID   int
	AccountName string
	Name        string
	Scopes      []string
	RateLimit   int // requests per second; 0 = server default

	me []byte // GET /v1/me's answer, encoded once per loaded key (nil: encode per request)
}

// Has reports whether the key holds the scope.
func (p *Principal) Has(scope string) bool { return slices.Contains(p.Scopes, scope) }

// WithPrincipal returns ctx carrying the calling key (the Authenticator
// instead fills in the request's state, without a context copy).
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	old := reqstate.From(ctx)
	ctx, st := reqstate.NewContext(ctx)
	if old != nil {
		st.ClientIP = old.ClientIP
	}
	st.Key = p
	return ctx
}

// PrincipalFrom returns the calling key; the auth middleware guarantees one
// on every route but the OpenAPI document. It is shared by every request
// made with the key while its facts are cached: read it, never modify it.
func PrincipalFrom(ctx context.Context) *Principal {
	if st := reqstate.From(ctx); st != nil {
		p, _ := st.Key.(*Principal)
		return p
	}
	return nil
}
