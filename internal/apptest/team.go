package apptest

import (
	"context"
	"time"

	"businesstools/ent/admin"
	"businesstools/internal/auth"
)

// DefaultAccount is the account of the first owner (OwnerEmail).
const DefaultAccount = "Default"

// NewAdminAs creates an admin with the role (OWNER, ADMIN or VIEWER) in the
// account, with OwnerPassword, and signs in.
func (a *App) NewAdminAs(account, email, role string) string {
	a.tb.Helper()
	if _, err := auth.CreateAdminAs(context.Background(), a.DB.Client, account, email, OwnerPassword, admin.Role(role)); err != nil {
		a.tb.Fatalf("create admin: %v", err)
	}
	return a.Login(email, OwnerPassword)
}

// Token is an access token created through GraphQL.
type Token struct {
	ID     string
	Secret string
}

// CreateToken creates an access token with the scopes (AccessScope names),
// valid for 30 days, for the signed-in admin of session.
func (a *App) CreateToken(session, name string, scopes ...string) Token {
	a.tb.Helper()
	var data struct {
		CreateAccessToken struct {
			Secret      string
			AccessToken struct{ ID string }
		}
	}
	a.GQL(session, `mutation($in:CreateAccessTokenInput!){createAccessToken(input:$in){secret accessToken{id}}}`,
		map[string]any{"in": map[string]any{"name": name, "scopes": scopes,
			"expiresAt": time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)}}).Decode(a.tb, &data)
	return Token{ID: data.CreateAccessToken.AccessToken.ID, Secret: data.CreateAccessToken.Secret}
}
