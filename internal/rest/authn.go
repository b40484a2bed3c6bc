package rest

import (
	"net/http"
	"net/netip"
	"strings"
	"time"

	"businesstools/internal/apikey"
	"businesstools/internal/auth"
	"businesstools/internal/db"
)

// KeyFromRequest returns the key from `Authorization: Bearer` or `X-API-Key`.
func KeyFromRequest(r *http.Request) string {
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}

// SimpleAuthenticator verifies keys with a database lookup per request.
// (Placeholder: the cached verifier replaces it.)
func SimpleAuthenticator(d *db.DB) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw := KeyFromRequest(r)
			if apikey.Parse(raw) != nil {
				WriteError(w, r, nil, apikey.ErrInvalidKey)
				return
			}
			f, err := apikey.LoadFacts(r.Context(), d.Client, apikey.Hash(raw))
			if err != nil {
				WriteError(w, r, nil, err)
				return
			}
			ip, _ := netip.ParseAddr(auth.RemoteIP(r))
			if err := f.Check(time.Now(), ip); err != nil {
				WriteError(w, r, nil, err)
				return
			}
			p := &Principal{KeyID: f.KeyID, AccountID: f.AccountID, Name: f.Name, Scopes: f.Scopes, RateLimit: f.RateLimit}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}
