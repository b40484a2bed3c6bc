package rest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/ratelimit"
)

// KeyFromRequest returns the key from `Authorization: Bearer` or `X-API-Key`.
func KeyFromRequest(r *http.Request) string {
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}

// UsageRecorder notes a request made with a key, from a client address on a
// route pattern (usage.Recorder); it must not touch the database or
// allocate on the request path.
type UsageRecorder interface {
	Record(keyID int, at time.Time, ip netip.Addr, route string)
}

// AuthConfig configures Authenticator.
type AuthConfig struct {
	Verifier *apikey.Verifier
	Limiter  *ratelimit.Limiter
	Usage    UsageRecorder
	Logger   *slog.Logger
	Now      func() time.Time // time.Now when nil
}

// Authenticator is the one key check in front of /v1: it verifies the key
// (see apikey.Verifier: a bad shape or checksum costs no database work, a
// recently seen key none either), applies the IP allow-list before the rate
// limit so refused addresses spend no quota, takes one token from the key's
// bucket, records usage, and runs next with the *Principal in the context. Every unusable key gets the same 401 body; an
// exhausted bucket gets 429 with Retry-After. RateLimit-* headers go on
// every authenticated answer.
func Authenticator(cfg AuthConfig) func(http.Handler) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip, _ := netip.ParseAddr(auth.RemoteIP(r))
			f, _, err := cfg.Verifier.Verify(r.Context(), KeyFromRequest(r), ip)
			if err == apikey.ErrInvalidKey {
				writeUnauthorized(w)
				return
			}
			if err != nil {
				WriteError(w, r, cfg.Logger, err)
				return
			}
			d := cfg.Limiter.Allow(f.KeyID, f.RateLimit)
			setRateLimitHeaders(w.Header(), d)
			if !d.Allowed {
				WriteError(w, r, cfg.Logger, &apperr.Error{Code: apperr.RateLimited, RetryAfter: d.RetryAfter,
					Message: fmt.Sprintf("This API key is limited to %d requests at once, refilled at %d per second; retry later.", d.Limit, d.Limit/2)})
				return
			}
			cfg.Usage.Record(f.KeyID, cfg.Now(), ip, r.Pattern)
			p := &Principal{KeyID: f.KeyID, AccountID: f.AccountID, AccountName: f.AccountName,
				Name: f.Name, Scopes: f.Scopes, RateLimit: f.RateLimit}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}

// setRateLimitHeaders writes the RateLimit-* fields: Limit is the bucket
// size, Remaining the requests left now, Reset the seconds until the bucket
// is full again.
func setRateLimitHeaders(h http.Header, d ratelimit.Decision) {
	h.Set("RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(d.Reset.Seconds()))))
}

// unauthorizedBody is the one answer to every unusable key, encoded once:
// invalid keys are the flood an attacker controls, so refusing them should
// cost as little as serving /healthz. It has no "instance", so it is the
// same bytes on every route and for every reason.
var unauthorizedBody = func() []byte {
	b, err := json.Marshal(Problem{Type: ProblemTypeBase + string(apperr.Unauthenticated),
		Title: http.StatusText(http.StatusUnauthorized), Status: http.StatusUnauthorized, Detail: apikey.ErrInvalidKey.Message})
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}()

var (
	unauthorizedType  = []string{"application/problem+json"}
	unauthorizedCache = []string{"no-store"}
	unauthorizedAuth  = []string{`Bearer realm="businesstools"`}
)

func writeUnauthorized(w http.ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = unauthorizedType
	h["Cache-Control"] = unauthorizedCache
	h["Www-Authenticate"] = unauthorizedAuth
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write(unauthorizedBody)
}
