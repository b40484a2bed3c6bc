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
	"businesstools/internal/ratelimit"
	"businesstools/internal/reqstate"
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
	Now      func() time.Time // when no middleware set the request's start (reqstate.State.Start); time.Now when nil
}

// Authenticator is the one key check in front of /v1: it verifies the key
// (see apikey.Verifier: a bad shape or checksum costs no database work, a
// recently seen key none either), applies the IP allow-list before the rate
// limit so refused addresses spend no quota, takes one token from the key's
// bucket, records usage, and runs next with the *Principal in the request's
// state (reqstate: no context copy). Every unusable key gets the same 401
// body; an exhausted bucket gets 429 with Retry-After. RateLimit-* headers
// go on every authenticated answer.
func Authenticator(cfg AuthConfig) func(http.Handler) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st := reqstate.From(r.Context())
			if st == nil { // mounted without clientip's middleware
				w, r, st = reqstate.New(w, r)
				if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
					st.ClientIP = ap.Addr().Unmap()
				}
			}
			now := st.Start // one clock reading for verification, limit and usage
			if now.IsZero() {
				now = cfg.Now()
			}
			f, _, err := cfg.Verifier.VerifyAt(r.Context(), KeyFromRequest(r), st.ClientIP, now)
			if err == apikey.ErrInvalidKey {
				writeUnauthorized(w)
				return
			}
			if err != nil {
				WriteError(w, r, cfg.Logger, err)
				return
			}
			d := cfg.Limiter.AllowAt(f.KeyID, f.RateLimit, now)
			setRateLimitHeaders(w.Header(), d)
			if !d.Allowed {
				WriteError(w, r, cfg.Logger, &apperr.Error{Code: apperr.RateLimited, RetryAfter: d.RetryAfter,
					Message: fmt.Sprintf("This API key is limited to %d requests at once, refilled at %d per second; retry later.", d.Limit, d.Limit/2)})
				return
			}
			cfg.Usage.Record(f.KeyID, now, st.ClientIP, r.Pattern)
			st.Key = principalOf(f)
			next.ServeHTTP(w, r)
		})
	}
}

// The RateLimit-* fields in canonical form, so that they are stored without
// Header.Set's canonicalisation, and with shared value slices.
const (
	headerRateLimitLimit     = "Ratelimit-Limit"
	headerRateLimitRemaining = "Ratelimit-Remaining"
	headerRateLimitReset     = "Ratelimit-Reset"
)

// setRateLimitHeaders writes the RateLimit-* fields: Limit is the bucket
// size, Remaining the requests left now, Reset the seconds until the bucket
// is full again.
func setRateLimitHeaders(h http.Header, d ratelimit.Decision) {
	limit, remaining, reset := headerInts(d.Limit, d.Remaining, int(math.Ceil(d.Reset.Seconds())))
	h[headerRateLimitLimit] = limit
	h[headerRateLimitRemaining] = remaining
	h[headerRateLimitReset] = reset
}

// smallInts are header values 0 … len-1, built once and shared by every
// answer (header values are only ever replaced, never modified in place):
// the common bucket sizes and counts cost no allocation.
var smallInts = func() [][]string {
	out := make([][]string, 1025)
	for i := range out {
		out[i] = []string{strconv.Itoa(i)}
	}
	return out
}()

// headerInts returns a, b and c as header values: shared ones when all are
// small, otherwise one string and one slice for the three.
func headerInts(a, b, c int) (x, y, z []string) {
	if n := len(smallInts); a >= 0 && b >= 0 && c >= 0 && a < n && b < n && c < n {
		return smallInts[a], smallInts[b], smallInts[c]
	}
	var buf [64]byte
	s := strconv.AppendInt(buf[:0], int64(a), 10)
	i := len(s)
	s = strconv.AppendInt(s, int64(b), 10)
	j := len(s)
	s = strconv.AppendInt(s, int64(c), 10)
	all := string(s)
	v := []string{all[:i], all[i:j], all[j:]}
	return v[0:1:1], v[1:2:2], v[2:3:3]
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
