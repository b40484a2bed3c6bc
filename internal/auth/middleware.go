package auth

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"businesstools/internal/clientip"
)

// CookieName is the session cookie the SPA carries.
const CookieName = "bt_session"

// Middleware reads the session from the cookie or `Authorization: Bearer`,
// and scopes the request to its admin. A request without a valid session
// goes on unauthenticated: the GraphQL layer decides what it may do.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if _, ok := clientip.FromContext(ctx); !ok { // mounted without clientip's middleware
			ctx = clientip.NewContext(ctx, RemoteIP(r))
		}
		ctx = withCookieWriter(ctx, w, s.cfg.SecureCookies || overTLS(r))
		if token := sessionToken(r); token != "" {
			if v, err := s.Authenticate(ctx, token); err == nil {
				ctx = WithViewer(ctx, v)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
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
