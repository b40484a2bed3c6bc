package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect/sql"

	"businesstools/ent/accesstoken"
	"businesstools/ent/admin"
	"businesstools/ent/auditevent"
	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
)

// Who calls: sessions of each role, access tokens of each scope (made by
// an owner, so only the scope limits them), and nobody.
const (
	pOwner  = "owner"
	pAdmin  = "admin"
	pViewer = "viewer"
	pRead   = "token KEYS_READ"
	pWrite  = "token KEYS_WRITE"
	pAudit  = "token AUDIT_READ"
	pNobody = "nobody"
)

var (
	sessions   = []string{pOwner, pAdmin, pViewer}
	everyone   = []string{pOwner, pAdmin, pViewer, pRead, pWrite, pAudit, pNobody}
	keyReaders = []string{pOwner, pAdmin, pViewer, pRead}
	keyWriters = []string{pOwner, pAdmin, pWrite}
	signedIn   = []string{pOwner, pAdmin, pViewer, pRead, pWrite, pAudit}
)

// allowed is DESIGN.md section 10 written out: every query and mutation and
// who may call it. It is kept apart from graph/roles.go on purpose, and a
// schema field missing here fails the test.
var allowed = map[string][]string{
	"Query.me":              signedIn,
	"Query.permissions":     keyReaders,
	"Query.apiKeys":         keyReaders,
	"Query.apiKey":          keyReaders,
	"Query.apiKeyUsage":     keyReaders,
	"Query.node":            signedIn, // then by the type of what it finds (TestRoles_Nodes)
	"Query.nodes":           signedIn,
	"Query.auditEvents":     {pOwner, pAdmin, pViewer, pAudit},
	"Query.admins":          sessions,
	"Query.accessTokens":    sessions,
	"Query.accountSettings": sessions,

	"Mutation.login":        everyone,
	"Mutation.acceptInvite": everyone,
	"Mutation.logout":       sessions,

	"Mutation.createApiKey":    keyWriters,
	"Mutation.updateApiKey":    keyWriters,
	"Mutation.setApiKeyActive": keyWriters,
	"Mutation.rollApiKey":      keyWriters,
	"Mutation.deleteApiKey":    keyWriters,
	"Mutation.revealApiKey":    {pOwner, pAdmin},

	"Mutation.createAccessToken": sessions,
	"Mutation.revokeAccessToken": sessions,

	"Mutation.inviteAdmin":           {pOwner},
	"Mutation.updateAdminRole":       {pOwner},
	"Mutation.removeAdmin":           {pOwner},
	"Mutation.updateAccountSettings": {pOwner},
}

// Ensure every query and mutation of the schema, found by introspection, is
// allowed or refused (FORBIDDEN, or UNAUTHENTICATED without a sign-in) for
// each role and each token scope exactly as DESIGN.md section 10 says, and
// that a refused call changes nothing (but the security log's refusals).
func TestRoles(t *testing.T) {
	app := apptest.New(t)
	callers := map[string]string{pOwner: app.LoginOwner(), pNobody: ""}
	callers[pAdmin] = app.NewAdminAs(apptest.DefaultAccount, "admin@example.com", "ADMIN")
	callers[pViewer] = app.NewAdminAs(apptest.DefaultAccount, "viewer@example.com", "VIEWER")
	for p, scope := range map[string]string{pRead: "KEYS_READ", pWrite: "KEYS_WRITE", pAudit: "AUDIT_READ"} {
		callers[p] = app.CreateToken(callers[pOwner], p, scope).Secret
	}
	ops := schemaOperations(t, app, callers[pOwner])
	for name := range ops {
		if _, ok := allowed[name]; !ok {
			t.Errorf("%s is in the schema but not in this test: add it here and to graph/roles.go", name)
		}
	}
	for name := range allowed {
		if _, ok := ops[name]; !ok {
			t.Errorf("%s is in this test but not in the schema", name)
		}
	}
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	sort.Strings(names)
	// logout last: it ends the caller's session.
	slices.SortStableFunc(names, func(a, b string) int {
		return boolInt(a == "Mutation.logout") - boolInt(b == "Mutation.logout")
	})
	for _, name := range names {
		for _, p := range everyone {
			before, audits := teamSnapshot(t, app), auditCount(t, app)
			resp := app.GQL(callers[p], ops[name], nil)
			refusal := refusedBy(resp)
			want := slices.Contains(allowed[name], p)
			switch {
			case want && refusal != "":
				t.Errorf("%s as %s: refused (%s) %+v", name, p, refusal, resp.Errors)
			case !want && p == pNobody && refusal != "UNAUTHENTICATED":
				t.Errorf("%s without a sign-in: want UNAUTHENTICATED, got %q %+v", name, refusal, resp.Errors)
			case !want && p != pNobody && refusal != "FORBIDDEN":
				t.Errorf("%s as %s: want FORBIDDEN, got %q %+v", name, p, refusal, resp.Errors)
			}
			if refusal == "" {
				continue
			}
			if e := resp.Errors[0]; len(e.Path) != 1 || e.Path[0] != name[strings.IndexByte(name, '.')+1:] {
				t.Errorf("%s as %s: the refusal's path %v does not name the field", name, p, e.Path)
			}
			if after := teamSnapshot(t, app); after != before {
				t.Errorf("%s as %s was refused but changed\n%s\nto\n%s", name, p, before, after)
			}
			checkRefusalsOnly(t, app, audits, name+" as "+p)
		}
	}
}

// schemaOperations introspects the schema and builds, for every root field,
// an operation that passes validation: required arguments get values of
// their types (ids of nothing, so an allowed call changes little), and
// object results select __typename.
func schemaOperations(t *testing.T, app *apptest.App, session string) map[string]string {
	t.Helper()
	var data struct {
		Schema struct {
			QueryType, MutationType struct{ Name string }
			Types                   []gqlType
		} `json:"__schema"`
	}
	const ref = `kind name ofType { kind name ofType { kind name ofType { kind name } } }`
	app.GQL(session, `{__schema{queryType{name} mutationType{name} types{kind name enumValues{name}
		fields{name type{`+ref+`} args{name type{`+ref+`}}} inputFields{name type{`+ref+`}}}}}`, nil).Decode(t, &data)
	types := map[string]gqlType{}
	for _, ty := range data.Schema.Types {
		types[ty.Name] = ty
	}
	ops := map[string]string{}
	for _, root := range []struct{ op, typ string }{{"query", data.Schema.QueryType.Name}, {"mutation", data.Schema.MutationType.Name}} {
		for _, f := range types[root.typ].Fields {
			var args []string
			for _, a := range f.Args {
				if a.Type.Kind == "NON_NULL" {
					args = append(args, a.Name+": "+literal(types, a.Type))
				}
			}
			call := f.Name
			if len(args) > 0 {
				call += "(" + strings.Join(args, ", ") + ")"
			}
			if k := types[named(f.Type)].Kind; k == "OBJECT" || k == "INTERFACE" || k == "UNION" {
				call += " { __typename }"
			}
			ops[root.typ+"."+f.Name] = root.op + " { " + call + " }"
		}
	}
	return ops
}

type typeRef struct {
	Kind, Name string
	OfType     *typeRef
}

type gqlType struct {
	Kind, Name string
	EnumValues []struct{ Name string }
	Fields     []struct {
		Name string
		Type typeRef
		Args []struct {
			Name string
			Type typeRef
		}
	}
	InputFields []struct {
		Name string
		Type typeRef
	}
}

func named(r typeRef) string {
	for r.OfType != nil {
		r = *r.OfType
	}
	return r.Name
}

// literal is a GraphQL value of the type: required input fields only.
func literal(types map[string]gqlType, r typeRef) string {
	switch r.Kind {
	case "NON_NULL":
		return literal(types, *r.OfType)
	case "LIST":
		return "[" + literal(types, *r.OfType) + "]"
	case "ENUM":
		return types[r.Name].EnumValues[0].Name
	case "INPUT_OBJECT":
		var fields []string
		for _, f := range types[r.Name].InputFields {
			if f.Type.Kind == "NON_NULL" {
				fields = append(fields, f.Name+": "+literal(types, f.Type))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	switch r.Name {
	case "ID":
		return `"1"` // the first account: never a key, an admin or a token
	case "Int":
		return "1"
	case "Boolean":
		return "false"
	case "Time":
		return `"` + time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339) + `"`
	}
	return `"x"`
}

// refusedBy says whether the role guard refused the call: FORBIDDEN, or
// UNAUTHENTICATED for want of a sign-in; "" when the call got past it
// (whatever the resolver answered then).
func refusedBy(resp apptest.GQLResponse) string {
	for _, e := range resp.Errors {
		switch {
		case e.Code() == "FORBIDDEN":
			return "FORBIDDEN"
		case e.Code() == "UNAUTHENTICATED" && e.Message == "Sign in first.":
			return "UNAUTHENTICATED"
		}
	}
	return ""
}

// teamSnapshot renders what a refused call must not change: keys,
// admins and their roles, access tokens, the account's settings, emails.
func teamSnapshot(t *testing.T, app *apptest.App) string {
	t.Helper()
	ctx := tenant.Unscoped(context.Background())
	c := app.DB.Client
	admins, err := c.Admin.Query().Order(admin.ByID()).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := c.AccessToken.Query().Order(accesstoken.ByID()).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := c.Account.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	emails, err := c.Email.Query().Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(keysSnapshot(t, app))
	for _, a := range admins {
		fmt.Fprintf(&b, "\nadmin %d %s %s pending=%v", a.ID, a.Email, a.Role, a.InvitePending)
	}
	for _, tk := range tokens {
		fmt.Fprintf(&b, "\ntoken %d %s %v %s", tk.ID, tk.Name, tk.Scopes, tk.ExpiresAt.UTC())
	}
	for _, a := range accounts {
		raw, _ := json.Marshal(a)
		fmt.Fprintf(&b, "\naccount %s", raw)
	}
	fmt.Fprintf(&b, "\nemails %d", emails)
	return b.String()
}

func auditCount(t *testing.T, app *apptest.App) int {
	t.Helper()
	n, err := app.DB.Client.AuditEvent.Query().Count(tenant.Unscoped(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkRefusalsOnly fails when audit events after the first `from` are
// anything but recorded refusals.
func checkRefusalsOnly(t *testing.T, app *apptest.App, from int, what string) {
	t.Helper()
	events, err := app.DB.Client.AuditEvent.Query().Order(auditevent.ByID()).All(tenant.Unscoped(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events[from:] {
		if !strings.HasPrefix(e.Detail, "refused: ") {
			t.Errorf("%s was refused but wrote %s %q", what, e.Action, e.Detail)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Ensure node and nodes answer by the type of what they find: tokens read
// only what their scopes cover and never admins or tokens; a non-owner
// reads no other admin's token.
func TestRoles_Nodes(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	viewer := app.NewAdminAs(apptest.DefaultAccount, "viewer@example.com", "VIEWER")
	key := app.CreateKey(owner, "One", "SEND_EMAILS")
	ownerToken := app.CreateToken(owner, "owner's", "KEYS_READ")
	viewerToken := app.CreateToken(viewer, "viewer's", "KEYS_READ", "AUDIT_READ")
	ctx := tenant.Unscoped(context.Background())
	event := app.DB.Client.AuditEvent.Query().Order(auditevent.ByID()).FirstX(ctx)
	ownerAdmin := app.DB.Client.Admin.Query().Where(admin.Email(apptest.OwnerEmail)).OnlyX(ctx)
	ids := map[string]string{"key": key.ID, "audit": apptest.ID(event.ID), "admin": apptest.ID(ownerAdmin.ID),
		"owner's token": ownerToken.ID, "viewer's token": viewerToken.ID}
	read := app.CreateToken(owner, "read", "KEYS_READ").Secret
	audit := app.CreateToken(owner, "audit", "AUDIT_READ").Secret
	cases := []struct {
		caller, who string
		may         []string
	}{
		{owner, "owner", []string{"key", "audit", "admin", "owner's token", "viewer's token"}},
		{viewer, "viewer", []string{"key", "audit", "admin", "viewer's token"}},
		{read, "KEYS_READ token", []string{"key"}},
		{audit, "AUDIT_READ token", []string{"audit"}},
	}
	for _, c := range cases {
		for what, id := range ids {
			for _, q := range []string{`query($id:ID!){node(id:$id){id}}`, `query($id:ID!){nodes(ids:[$id]){id}}`} {
				resp := app.GQL(c.caller, q, map[string]any{"id": id})
				got := refusedBy(resp) == ""
				if want := slices.Contains(c.may, what); got != want {
					t.Errorf("%s reading the %s with %s: allowed %v, want %v (%+v)", c.who, what, q[:20], got, want, resp.Errors)
				}
				if got && (len(resp.Errors) > 0 || !strings.Contains(string(resp.Data), id)) {
					t.Errorf("%s reading the %s: %s %+v", c.who, what, resp.Data, resp.Errors)
				}
			}
		}
	}
}

// Ensure a refused reveal is on the security log, naming the key and why.
func TestRoles_RefusedRevealAudited(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	viewer := app.NewAdminAs(apptest.DefaultAccount, "viewer@example.com", "VIEWER")
	token := app.CreateToken(owner, "ci", "KEYS_READ", "KEYS_WRITE").Secret
	key := app.CreateKey(owner, "One", "SEND_EMAILS")
	for caller, want := range map[string]string{
		viewer: "viewer@example.com: refused: role VIEWER",
		token:  "token:ci (owner@example.com): refused: access token",
	} {
		before := keysSnapshot(t, app)
		wantError(t, app.GQL(caller, `mutation($id:ID!){revealApiKey(id:$id,password:"`+apptest.OwnerPassword+`"){secret}}`,
			map[string]any{"id": key.ID}), "FORBIDDEN", "")
		if keysSnapshot(t, app) != before {
			t.Fatal("a refused reveal changed the keys")
		}
		e := app.DB.Client.AuditEvent.Query().Order(auditevent.ByID(sql.OrderDesc())).FirstX(tenant.Unscoped(context.Background()))
		if got := e.ActorEmail + ": " + e.Detail; e.Action != auditevent.ActionREVEAL_FAILED || got != want ||
			e.APIKeyID == nil || apptest.ID(*e.APIKeyID) != key.ID || e.APIKeyName != "One" {
			t.Errorf("audit after a refused reveal: %s %q key %v %q; want %q", e.Action, got, e.APIKeyID, e.APIKeyName, want)
		}
	}
}

// Ensure a role change applies to the admin's session on its next request.
func TestRoles_ChangeAppliesAtOnce(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	session := app.NewAdminAs(apptest.DefaultAccount, "dev@example.com", "VIEWER")
	var me struct{ Me struct{ ID, Role string } }
	app.GQL(session, `{me{id role}}`, nil).Decode(t, &me)
	create := func(name string) apptest.GQLResponse {
		return app.GQL(session, `mutation($n:String!){createApiKey(input:{name:$n,permissions:[SEND_EMAILS]}){secret}}`,
			map[string]any{"n": name})
	}
	wantError(t, create("first"), "FORBIDDEN", "")
	setRole := func(role string) {
		app.GQL(owner, `mutation($id:ID!,$r:AdminRole!){updateAdminRole(id:$id,role:$r){role}}`,
			map[string]any{"id": me.Me.ID, "r": role}).Decode(t, &struct{}{})
	}
	setRole("ADMIN")
	if r := create("second"); len(r.Errors) > 0 {
		t.Fatalf("promoted to ADMIN, still refused: %+v", r.Errors)
	}
	setRole("VIEWER")
	wantError(t, create("third"), "FORBIDDEN", "")
}

// Ensure refused team, settings and token management calls are on the
// security log with who tried and why, and other refusals are not.
func TestRoles_TeamRefusalsAudited(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	viewer := app.NewAdminAs(apptest.DefaultAccount, "viewer@example.com", "VIEWER")
	token := app.CreateToken(owner, "ci", "KEYS_READ", "KEYS_WRITE", "AUDIT_READ").Secret
	last := func() string {
		e := app.DB.Client.AuditEvent.Query().Order(auditevent.ByID(sql.OrderDesc())).FirstX(tenant.Unscoped(context.Background()))
		return fmt.Sprintf("%s by %s: %s", e.Action, e.ActorEmail, e.Detail)
	}
	for _, c := range []struct{ caller, op, want string }{
		{viewer, `mutation{inviteAdmin(input:{email:"x@example.com",role:OWNER}){admin{id}}}`,
			"ADMIN_INVITED by viewer@example.com: refused: role VIEWER"},
		{viewer, `mutation{updateAccountSettings(input:{notifyOnKeyChanges:true}){notifyOnKeyChanges}}`,
			"SETTINGS_CHANGED by viewer@example.com: refused: role VIEWER"},
		{token, `mutation{removeAdmin(id:"1"){removedId}}`,
			"ADMIN_REMOVED by token:ci (owner@example.com): refused: access token"},
		{token, `mutation{createAccessToken(input:{name:"more",scopes:[KEYS_READ],expiresAt:"2099-01-01T00:00:00Z"}){secret}}`,
			"TOKEN_CREATED by token:ci (owner@example.com): refused: access token"},
	} {
		wantError(t, app.GQL(c.caller, c.op, nil), "FORBIDDEN", "")
		if got := last(); got != c.want {
			t.Errorf("%s: audit %q, want %q", c.op, got, c.want)
		}
	}
	n := auditCount(t, app)
	wantError(t, app.GQL(viewer, `mutation{deleteApiKey(id:"1"){deletedId}}`, nil), "FORBIDDEN", "")
	if auditCount(t, app) != n {
		t.Error("a refused key deletion of no key was audited")
	}
}
