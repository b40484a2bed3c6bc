package auth

import (
	"context"
	"net/http"

	"businesstools/ent/admin"
	"businesstools/internal/clientip"
	"businesstools/internal/tenant"
)

// Viewer is the admin a request acts for: through a session (SessionID set)
// or through one of the admin's access tokens (Token set).
type Viewer struct {
	AdminID   int
	AccountID int
	Email     string
	SessionID int
	// Role is the admin's role as the database said when the request began.
	Role admin.Role
	// Token is the access token the request came with; nil for a session.
	Token *Token
}

// Token is the access token (DESIGN section 10) a request acts through.
type Token struct {
	ID     int
	Name   string
	Scopes []string // AccessScope values: KEYS_READ, KEYS_WRITE, AUDIT_READ
}

// Actor names who acts, for the audit trail: the admin's email, or for an
// access token `token:<name> (<email>)`.
func (v *Viewer) Actor() string {
	if v.Token != nil {
		return "token:" + v.Token.Name + " (" + v.Email + ")"
	}
	return v.Email
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
