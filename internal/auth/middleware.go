package auth

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"

	"businesstools/internal/apperr"
	"businesstools/internal/clientip"
)

// CookieName is the session cookie the SPA carries.
const CookieName = "bt_session"

// Middleware reads the session from the cookie or `Authorization: Bearer`,
// or an access token (btm_…) from `Authorization: Bearer`, and scopes the
// request to its admin. A request without a valid session goes on
// unauthenticated: the GraphQL layer decides what it may do. A bad access
// token, or an API key (bt_…), is refused with 401 at once.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if _, ok := clientip.FromContext(ctx); !ok { // mounted without clientip's middleware
			ctx = clientip.NewContext(ctx, RemoteIP(r))
		}
		ctx = withCookieWriter(ctx, w, s.cfg.SecureCookies || overTLS(r))
		token := sessionToken(r)
		switch kindOf(token) {
		case credToken:
			v, err := s.verifyToken(ctx, token)
			if err != nil {
				refuse(w, err)
				return
			}
			ctx = WithViewer(ctx, v)
		case credAPIKey:
			refuse(w, errAPIKeyOnGraphQL)
			return
		case credSession:
			if v, err := s.Authenticate(ctx, token); err == nil {
				ctx = WithViewer(ctx, v)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type credential int

const (
	credNone credential = iota
	credSession
	credToken
	credAPIKey
)

// sessionTokenLen is the length of every session token (32 bytes, base64url).
const sessionTokenLen = 43

// kindOf tells the credentials apart by shape. A session token could begin
// with "bt_" by chance, but it always has 43 characters, and keys and
// tokens never do.
func kindOf(token string) credential {
	switch {
	case token == "":
		return credNone
	case len(token) == sessionTokenLen:
		return credSession
	case strings.HasPrefix(token, TokenPrefix):
		return credToken
	case strings.HasPrefix(token, "bt_"):
		return credAPIKey
	}
	return credSession
}

// TokenPrefix starts every access token (DESIGN section 10).
const TokenPrefix = "btm_"

var (
	// ErrBadToken is the one answer for every unusable access token:
	// malformed, unknown, revoked, expired, or above its admin's role.
	ErrBadToken        = apperr.New(apperr.Unauthenticated, "The access token is missing, invalid, expired or revoked.")
	errAPIKeyOnGraphQL = apperr.New(apperr.Unauthenticated, "API keys (bt_…) work on the REST API at /v1 only; GraphQL takes a session or an access token (btm_…).")
)

func (s *Service) verifyToken(ctx context.Context, token string) (*Viewer, error) {
	if s.cfg.Tokens == nil {
		return nil, ErrBadToken
	}
	return s.cfg.Tokens.VerifyToken(ctx, token)
}

// refuse answers 401 before GraphQL runs, in GraphQL's error shape: a
// script holding a dead token or the wrong kind of secret learns it at once,
// and nothing of the operation is executed.
func refuse(w http.ResponseWriter, err error) {
	ae := apperr.As(err)
	status, code := http.StatusUnauthorized, "UNAUTHENTICATED"
	if ae.Code != apperr.Unauthenticated {
		status, code = http.StatusInternalServerError, "INTERNAL_SERVER_ERROR"
	}
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{
		"message": ae.Message, "extensions": map[string]any{"code": code}}}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="graphql"`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// overTLS reports whether r came over TLS, here or (as clientip's
// middleware found) to a trusted proxy saying X-Forwarded-Proto: https.
func overTLS(r *http.Request) bool {
	if https, ok := clientip.HTTPSFromContext(r.Context()); ok {
		return https
	}
	return r.TLS != nil
}

func sessionToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value
	}
	return ""
}

// RemoteIP is the client address clientip's middleware resolved (the TCP
// peer, or behind a trusted proxy the X-Forwarded-For client: see
// BT_TRUSTED_PROXIES); without that middleware, the TCP peer. Forwarded
// headers are never read here: from untrusted peers they are the client's
// to forge.
func RemoteIP(r *http.Request) string {
	if ip, ok := clientip.FromContext(r.Context()); ok {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SetSessionCookie sets the session cookie on the response carrying ctx.
func SetSessionCookie(ctx context.Context, token string, expires time.Time) {
	cw, ok := ctx.Value(writerKey{}).(*cookieWriter)
	if !ok {
		return
	}
	http.SetCookie(cw.w, &http.Cookie{Name: CookieName, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: cw.secure, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(ctx context.Context) {
	cw, ok := ctx.Value(writerKey{}).(*cookieWriter)
	if !ok {
		return
	}
	http.SetCookie(cw.w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: cw.secure, SameSite: http.SameSiteLaxMode})
}
