package auth

import (
	"context"
	"net/http"

	"businesstools/internal/clientip"
	"businesstools/internal/tenant"
)

// Viewer is the admin a request acts for.
type Viewer struct {
	AdminID   int
	AccountID int
	Email     string
	SessionID int
}

type viewerKey struct{}
type writerKey struct{}

// WithViewer scopes ctx to the admin and its account.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	ctx = context.WithValue(ctx, viewerKey{}, v)
	return tenant.WithAccount(ctx, v.AccountID)
}

// ViewerFrom returns the signed-in admin, if any.
func ViewerFrom(ctx context.Context) (*Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(*Viewer)
	return v, ok && v != nil
}

// ClientIP returns the client's address for audit events and throttling,
// as clientip resolved it (see Middleware).
func ClientIP(ctx context.Context) string {
	ip, _ := clientip.FromContext(ctx)
	return ip
}

// cookieWriter lets the login and logout resolvers set the session cookie on
// the HTTP response that carries the GraphQL answer.
type cookieWriter struct {
	w      http.ResponseWriter
	secure bool
}

func withCookieWriter(ctx context.Context, w http.ResponseWriter, secure bool) context.Context {
	return context.WithValue(ctx, writerKey{}, &cookieWriter{w: w, secure: secure})
}
