package accesstoken_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect/sql"

	"businesstools/ent/accesstoken"
	"businesstools/ent/admin"
	"businesstools/ent/auditevent"
	tokens "businesstools/internal/accesstoken"
	"businesstools/internal/apptest"
	"businesstools/internal/auth"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

var unscoped = tenant.Unscoped(context.Background())

const createMutation = `mutation($in:CreateAccessTokenInput!){createAccessToken(input:$in){secret accessToken{id name scopes maskedToken expiresAt lastUsedAt admin{email}}}}`

func days(n int) string {
	return time.Now().Add(time.Duration(n) * 24 * time.Hour).UTC().Format(time.RFC3339)
}

func wantCode(t *testing.T, resp apptest.GQLResponse, code, field string) apptest.GQLError {
	t.Helper()
	e := resp.Err(t)
	if e.Code() != code || e.Field() != field {
		t.Fatalf("got %s (field %q): %s; want %s (field %q)", e.Code(), e.Field(), e.Message, code, field)
	}
	return e
}

func lastEvent(t *testing.T, app *apptest.App) string {
	t.Helper()
	e, err := app.DB.Client.AuditEvent.Query().Order(auditevent.ByID(sql.OrderDesc())).First(unscoped)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s by %s: %s", e.Action, e.ActorEmail, e.Detail)
}

// Ensure a script with a token manages keys without a password: the secret
// is shown once and stored as its SHA-256, the token's actions are audited
// in its and its admin's name, and a revoked token is refused on the next call.
func TestAutomation(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	var created struct {
		CreateAccessToken struct {
			Secret      string
			AccessToken struct {
				ID, Name, MaskedToken, ExpiresAt string
				Scopes                           []string
				LastUsedAt                       *string
				Admin                            struct{ Email string }
			}
		}
	}
	app.GQL(owner, createMutation, map[string]any{"in": map[string]any{"name": " ci deploy ", "scopes": []string{"KEYS_WRITE", "KEYS_READ", "KEYS_READ"},
		"expiresAt": days(90)}}).Decode(t, &created)
	secret, tok := created.CreateAccessToken.Secret, created.CreateAccessToken.AccessToken
	if !strings.HasPrefix(secret, "btm_") || tok.Name != "ci deploy" || strings.Join(tok.Scopes, ",") != "KEYS_READ,KEYS_WRITE" ||
		tok.MaskedToken != secret[:8]+"…"+secret[len(secret)-4:] || tok.Admin.Email != apptest.OwnerEmail || tok.LastUsedAt != nil {
		t.Fatalf("created %+v", created)
	}
	if got := lastEvent(t, app); !strings.HasPrefix(got, `TOKEN_CREATED by owner@example.com: "ci deploy": KEYS_READ, KEYS_WRITE, expires `) {
		t.Fatalf("audit %q", got)
	}
	row := app.DB.Client.AccessToken.Query().OnlyX(unscoped)
	hash := sha256.Sum256([]byte(secret))
	if !bytes.Equal(row.TokenHash, hash[:]) || strings.Contains(fmt.Sprintf("%#v", row), secret) {
		t.Fatal("the token is not stored as its SHA-256 only")
	}
	list := app.GQL(owner, `{accessTokens{id name maskedToken scopes admin{email}}}`, nil)
	if len(list.Errors) > 0 || strings.Contains(string(list.Data), secret[8:len(secret)-4]) {
		t.Fatalf("the list shows the secret or fails: %s %+v", list.Data, list.Errors)
	}

	// The script: create a key, list keys.
	key := app.CreateKey(secret, "made by CI", "SEND_EMAILS")
	var keys struct {
		APIKeys struct {
			Edges []struct{ Node struct{ Name string } }
		} `json:"apiKeys"`
	}
	app.GQL(secret, `{apiKeys{edges{node{name}}}}`, nil).Decode(t, &keys)
	if len(keys.APIKeys.Edges) != 1 || keys.APIKeys.Edges[0].Node.Name != "made by CI" || key.Secret == "" {
		t.Fatalf("keys %+v", keys)
	}
	ownerID := app.DB.Client.Admin.Query().Where(admin.Email(apptest.OwnerEmail)).OnlyIDX(unscoped)
	e := app.DB.Client.AuditEvent.Query().Where(auditevent.ActionEQ(auditevent.ActionCREATED)).OnlyX(unscoped)
	if e.ActorEmail != "token:ci deploy (owner@example.com)" || e.ActorID == nil || *e.ActorID != ownerID {
		t.Fatalf("the key's CREATED event names %q (%v)", e.ActorEmail, e.ActorID)
	}
	// Tokens never reveal, manage tokens, the team or settings, or sign out.
	for _, op := range []string{
		`mutation{revealApiKey(id:"` + key.ID + `",password:"` + apptest.OwnerPassword + `"){secret}}`,
		`mutation{revokeAccessToken(id:"` + tok.ID + `"){revokedId}}`,
		`{accessTokens{id}}`, `{admins{id}}`, `mutation{logout{ok}}`,
	} {
		wantCode(t, app.GQL(secret, op, nil), "FORBIDDEN", "")
	}

	app.GQL(owner, `mutation($id:ID!){revokeAccessToken(id:$id){revokedId}}`, map[string]any{"id": tok.ID}).Decode(t, &struct{}{})
	if got := lastEvent(t, app); got != `TOKEN_REVOKED by owner@example.com: "ci deploy" of owner@example.com` {
		t.Fatalf("audit %q", got)
	}
	resp := app.GQL(secret, `{apiKeys{totalCount}}`, nil)
	if resp.Status != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" || wantCode(t, resp, "UNAUTHENTICATED", "").Message == "" {
		t.Fatalf("a revoked token: %d %+v", resp.Status, resp.Errors)
	}
}

// Ensure refused token inputs name their field and create nothing; scopes
// beyond the role are also on the security log.
func TestCreate_BadInput(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	viewer := app.NewAdminAs(apptest.DefaultAccount, "viewer@example.com", "VIEWER")
	create := func(session, name string, scopes []string, expires string) apptest.GQLResponse {
		return app.GQL(session, createMutation, map[string]any{"in": map[string]any{"name": name, "scopes": scopes, "expiresAt": expires}})
	}
	read := []string{"KEYS_READ"}
	cases := []struct {
		what, name string
		scopes     []string
		expires    string
		field      string
	}{
		{"no scopes", "x", []string{}, days(30), "scopes"},
		{"unknown scope", "x", []string{"REVEAL"}, days(30), "scopes"},
		{"past expiry", "x", read, days(-1), "expiresAt"},
		{"expiry now", "x", read, time.Now().UTC().Format(time.RFC3339), "expiresAt"},
		{"beyond 366 days", "x", read, days(367), "expiresAt"},
		{"bad time", "x", read, "next week", "expiresAt"},
		{"empty name", " ", read, days(30), "name"},
		{"long name", strings.Repeat("é", 101), read, days(30), "name"},
		{"NUL in name", "a\x00b", read, days(30), "name"},
		{"line break in name", "a\nb", read, days(30), "name"},
		{"escape in name", "a\x1bb", read, days(30), "name"},
	}
	for _, c := range cases {
		resp := create(owner, c.name, c.scopes, c.expires)
		e := resp.Err(t)
		if e.Code() != "BAD_USER_INPUT" || e.Field() != c.field {
			t.Errorf("%s: %s (field %q) %s; want field %s", c.what, e.Code(), e.Field(), e.Message, c.field)
		}
	}
	wantCode(t, create(viewer, "escalate", []string{"KEYS_READ", "KEYS_WRITE"}, days(30)), "BAD_USER_INPUT", "scopes")
	if got := lastEvent(t, app); got != "TOKEN_CREATED by viewer@example.com: refused: scopes KEYS_READ, KEYS_WRITE above role VIEWER" {
		t.Fatalf("audit %q", got)
	}
	if n := app.DB.Client.AccessToken.Query().CountX(unscoped); n != 0 {
		t.Fatalf("%d tokens created", n)
	}
	// At the limits: 366 days, 100 characters, and a viewer's read scopes.
	app.GQL(owner, createMutation, map[string]any{"in": map[string]any{"name": strings.Repeat("é", 100), "scopes": read,
		"expiresAt": time.Now().Add(366*24*time.Hour - time.Minute).UTC().Format(time.RFC3339)}}).Decode(t, &struct{}{})
	app.CreateToken(viewer, "viewer's", "KEYS_READ", "AUDIT_READ")
}

// Ensure an API key on /graphql and a token on /v1 are refused with 401,
// and a malformed token costs no database work while a well-formed unknown
// one costs one lookup, then none (cached).
func TestWrongPlaces(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	key := app.CreateKey(owner, "rest", "SEND_EMAILS")
	token := app.CreateToken(owner, "ci", "KEYS_READ").Secret
	resp := app.GQL(key.Secret, `{me{email}}`, nil)
	if resp.Status != http.StatusUnauthorized || wantCode(t, resp, "UNAUTHENTICATED", "").Message == "" {
		t.Fatalf("an API key on /graphql: %d", resp.Status)
	}
	if r := app.REST(http.MethodGet, "/v1/me", token, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a token on /v1: %d", r.StatusCode)
	}
	lookups := app.Server.TokenVerifier.Lookups()
	bad := token[:len(token)-1] + string(token[len(token)-1]^1)
	for _, tok := range []string{bad, "btm_short", "btm_" + strings.Repeat("A", 60)} {
		if r := app.GQL(tok, `{me{email}}`, nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("malformed %q: %d", tok, r.Status)
		}
	}
	if n := app.Server.TokenVerifier.Lookups(); n != lookups {
		t.Fatalf("malformed tokens cost %d lookups", n-lookups)
	}
	unknown, _ := generate()
	for range 3 {
		if r := app.GQL(unknown, `{me{email}}`, nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("unknown token: %d", r.Status)
		}
	}
	if n := app.Server.TokenVerifier.Lookups(); n != lookups+1 {
		t.Fatalf("an unknown token looked up %d times, want once", n-lookups)
	}
}

// Ensure verification is cached and last use is written in batches: many
// requests, one lookup and one write.
func TestCachedAndLastUsedBatched(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	token := app.CreateToken(owner, "ci", "KEYS_READ").Secret
	if err := app.Server.TokenLastUsed.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	lookups, writes := app.Server.TokenVerifier.Lookups(), app.Server.TokenLastUsed.Writes()
	for range 20 {
		if r := app.GQL(token, `{me{email}}`, nil); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
	}
	if n := app.Server.TokenVerifier.Lookups() - lookups; n > 1 {
		t.Fatalf("20 requests made %d lookups", n)
	}
	if err := app.Server.TokenLastUsed.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := app.Server.TokenLastUsed.Writes() - writes; n != 1 {
		t.Fatalf("20 requests made %d last-used writes, want 1", n)
	}
	var list struct {
		AccessTokens []struct{ LastUsedAt *time.Time }
	}
	app.GQL(owner, `{accessTokens{lastUsedAt}}`, nil).Decode(t, &list)
	if lu := list.AccessTokens[0].LastUsedAt; lu == nil || time.Since(*lu) > time.Minute {
		t.Fatalf("last used %v", lu)
	}
}

// Ensure a token is refused once expired, and when its admin's role no
// longer covers its scopes even if the token row was left behind.
func TestVerify_ExpiryAndRole(t *testing.T) {
	d := testdb.Open(t)
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	v, svc := newTokens(d, clock)
	secret := createToken(t, d, svc, admin.RoleADMIN, []string{"KEYS_READ", "KEYS_WRITE"}, now.Add(time.Hour))
	viewer, err := v.VerifyToken(ctx, secret)
	if err != nil || viewer.Role != admin.RoleADMIN || viewer.Actor() != "token:t (a@example.com)" {
		t.Fatalf("verify: %+v %v", viewer, err)
	}
	// The role drops behind the service's back: the next lookup refuses.
	d.Client.Admin.Update().SetRole(admin.RoleVIEWER).ExecX(tenant.Unscoped(ctx))
	v.Forget(changeOfAdmin(viewer.AdminID))
	if _, err := v.VerifyToken(ctx, secret); err == nil {
		t.Fatal("a KEYS_WRITE token of a viewer verified")
	}
	d.Client.Admin.Update().SetRole(admin.RoleADMIN).ExecX(tenant.Unscoped(ctx))
	v.Forget(changeOfAdmin(viewer.AdminID))
	if _, err := v.VerifyToken(ctx, secret); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour) // cached, but expired now
	if _, err := v.VerifyToken(ctx, secret); err == nil {
		t.Fatal("an expired token verified")
	}
}

// Ensure a revoked token is refused by every process on one PostgreSQL
// within a second (LISTEN/NOTIFY), not only by the one that revoked it.
func TestRevoke_AcrossProcesses(t *testing.T) {
	if testdb.Kind() != "postgres" {
		t.Skip("SKIPPING on SQLite: processes share no notifications there (TEST_DB=postgres runs it)")
	}
	a := apptest.New(t)
	b := apptest.New(t, apptest.SameDatabase(a))
	owner := a.LoginOwner()
	tok := a.CreateToken(owner, "ci", "KEYS_READ")
	if r := b.GQL(tok.Secret, `{me{email}}`, nil); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	lookups := b.Server.TokenVerifier.Lookups()
	if r := b.GQL(tok.Secret, `{me{email}}`, nil); len(r.Errors) > 0 || b.Server.TokenVerifier.Lookups() != lookups {
		t.Fatal("process B does not cache the token")
	}
	a.GQL(owner, `mutation($id:ID!){revokeAccessToken(id:$id){revokedId}}`, map[string]any{"id": tok.ID}).Decode(t, &struct{}{})
	start := time.Now()
	for b.GQL(tok.Secret, `{me{email}}`, nil).Status != http.StatusUnauthorized {
		if time.Since(start) > time.Second {
			t.Fatal("process B still accepts the revoked token after 1 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("process B refused the revoked token after %v", time.Since(start))
}

// Ensure only owners revoke or see other admins' tokens; a refused revoke
// is on the security log and leaves the token working.
func TestOwnership(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	dev := app.NewAdminAs(apptest.DefaultAccount, "dev@example.com", "ADMIN")
	ownerTok := app.CreateToken(owner, "owner's", "KEYS_READ")
	devTok := app.CreateToken(dev, "dev's", "KEYS_READ")
	list := func(session string) string {
		var out struct{ AccessTokens []struct{ Name string } }
		app.GQL(session, `{accessTokens{name}}`, nil).Decode(t, &out)
		var names []string
		for _, tk := range out.AccessTokens {
			names = append(names, tk.Name)
		}
		return strings.Join(names, ",")
	}
	if got := list(dev); got != "dev's" {
		t.Fatalf("an admin lists %q", got)
	}
	if got := list(owner); got != "dev's,owner's" {
		t.Fatalf("an owner lists %q", got)
	}
	revoke := func(session, id string) apptest.GQLResponse {
		return app.GQL(session, `mutation($id:ID!){revokeAccessToken(id:$id){revokedId}}`, map[string]any{"id": id})
	}
	wantCode(t, revoke(dev, ownerTok.ID), "FORBIDDEN", "")
	if got := lastEvent(t, app); got != `TOKEN_REVOKED by dev@example.com: refused: "owner's" of owner@example.com` {
		t.Fatalf("audit %q", got)
	}
	if r := app.GQL(ownerTok.Secret, `{me{email}}`, nil); len(r.Errors) > 0 {
		t.Fatal("a refused revoke ended the token")
	}
	wantCode(t, revoke(dev, "1"), "NOT_FOUND", "")
	revoke(owner, devTok.ID).Decode(t, &struct{}{})
	if n := app.DB.Client.AccessToken.Query().Where(accesstoken.Name("dev's")).CountX(unscoped); n != 0 {
		t.Fatal("the owner's revoke left the token")
	}
}

func generate() (string, error) { return tokens.Generate() }

func changeOfAdmin(id int) tokens.Change { return tokens.Change{AdminID: id} }

func newTokens(d *db.DB, clock func() time.Time) (*tokens.Verifier, *tokens.Service) {
	return tokens.NewVerifier(tokens.VerifierConfig{Client: d.Client, Now: clock}), tokens.New(tokens.Config{Client: d.Client, Now: clock})
}

// createToken makes an admin of the role and a token "t" for it.
func createToken(t *testing.T, d *db.DB, svc *tokens.Service, role admin.Role, scopes []string, expires time.Time) string {
	t.Helper()
	ctx := context.Background()
	a, err := auth.CreateAdminAs(ctx, d.Client, "Acme", "a@example.com", "a password!", role)
	if err != nil {
		t.Fatal(err)
	}
	v := &auth.Viewer{AdminID: a.ID, AccountID: a.AccountID, Email: a.Email, Role: role}
	_, secret, err := svc.Create(auth.WithViewer(ctx, v), v, tokens.CreateInput{Name: "t", Scopes: scopes, ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// Ensure a cached verification does no database work and (almost) no
// allocation: it runs on every GraphQL request made with a token.
func TestVerify_CachedIsCheap(t *testing.T) {
	d := testdb.Open(t)
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	_, svc := newTokens(d, clock)
	lu := tokens.NewLastUsed(d.Client, time.Hour, nil)
	v := tokens.NewVerifier(tokens.VerifierConfig{Client: d.Client, Now: clock, LastUsed: lu})
	secret := createToken(t, d, svc, admin.RoleOWNER, []string{"KEYS_READ"}, now.Add(time.Hour))
	if _, err := v.VerifyToken(ctx, secret); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := v.VerifyToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
	})
	if v.Lookups() != 1 || allocs > 1 {
		t.Fatalf("201 verifications: %d lookups, %.1f allocations each", v.Lookups(), allocs)
	}
	t.Logf("cached verification: %.1f allocations", allocs)
}
