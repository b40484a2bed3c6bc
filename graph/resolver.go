// Package graph holds the GraphQL resolvers. They stay thin: each one turns
// GraphQL input into a call of a service in internal/ and back.
package graph

import (
	"context"

	"businesstools/ent"
	"businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/settings"
	"businesstools/internal/keysearch"
)

//go:generate go run -mod=mod github.com/99designs/gqlgen generate

// Resolver is the root resolver: the services the operations call.
type Resolver struct {
	Client *ent.Client
	Keys   *apikey.Service
	Auth   *auth.Service
	// Settings are the accounts' key policies (DESIGN.md section 9).
	Settings *settings.Service
	// DefaultRateLimit is BT_RATE_LIMIT: requests/s for keys without their own limit.
	DefaultRateLimit int
	// KeySearch plans name searches of the key list on PostgreSQL (nil on SQLite).
	KeySearch *keysearch.Searcher
}

// actor returns the signed-in admin as the audit trail's actor. The root
// field guard (see handler.go) has already refused unauthenticated calls.
func actor(ctx context.Context) (apikey.Actor, error) {
	v, ok := auth.ViewerFrom(ctx)
	if !ok {
		return apikey.Actor{}, errUnauthenticated
	}
	return apikey.Actor{AdminID: v.AdminID, AccountID: v.AccountID, Email: v.Email, IP: auth.ClientIP(ctx)}, nil
}

var errUnauthenticated = apperr.New(apperr.Unauthenticated, "Sign in first.")
