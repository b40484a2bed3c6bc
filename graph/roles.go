package graph

import (
	"context"
	"slices"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"businesstools/ent"
	"businesstools/ent/accesstoken"
	"businesstools/ent/admin"
	"businesstools/ent/auditevent"
	scopes "businesstools/internal/accesstoken"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
)

// access is who may call one root field (DESIGN.md section 10).
type access struct {
	// public fields need no sign-in at all.
	public bool
	// role is the least role a signed-in admin needs (OWNER > ADMIN > VIEWER).
	role admin.Role
	// scope is what an access token needs besides its admin's role: one
	// AccessScope, anyScope, or "" when no token may call the field.
	scope string
	// audit is the action written to the security log when a signed-in
	// caller is refused: set for sensitive actions only.
	audit auditevent.Action
}

// anyScope lets a token with any scope call the field.
const anyScope = "*"

const (
	roleOwner  = admin.RoleOWNER
	roleAdmin  = admin.RoleADMIN
	roleViewer = admin.RoleVIEWER
)

// rules is every root field of the schema and who may call it: the one
// place roles and token scopes are enforced. A field missing here is refused
// to everyone (fail closed); TestRoles walks the schema by introspection and
// fails for a field without an expectation, so a new one cannot be forgotten.
// node and nodes are further checked per type of what they return (nodeRules).
var rules = map[string]access{
	"Query.me":              {role: roleViewer, scope: anyScope},
	"Query.permissions":     {role: roleViewer, scope: scopes.KeysRead},
	"Query.apiKeys":         {role: roleViewer, scope: scopes.KeysRead},
	"Query.apiKey":          {role: roleViewer, scope: scopes.KeysRead},
	"Query.apiKeyUsage":     {role: roleViewer, scope: scopes.KeysRead},
	"Query.node":            {role: roleViewer, scope: anyScope},
	"Query.nodes":           {role: roleViewer, scope: anyScope},
	"Query.auditEvents":     {role: roleViewer, scope: scopes.AuditRead},
	"Query.admins":          {role: roleViewer},
	"Query.accessTokens":    {role: roleViewer},
	"Query.accountSettings": {role: roleViewer},

	"Mutation.login":        {public: true},
	"Mutation.acceptInvite": {public: true},
	"Mutation.logout":       {role: roleViewer},

	"Mutation.createApiKey":    {role: roleAdmin, scope: scopes.KeysWrite},
	"Mutation.updateApiKey":    {role: roleAdmin, scope: scopes.KeysWrite},
	"Mutation.setApiKeyActive": {role: roleAdmin, scope: scopes.KeysWrite},
	"Mutation.rollApiKey":      {role: roleAdmin, scope: scopes.KeysWrite},
	"Mutation.deleteApiKey":    {role: roleAdmin, scope: scopes.KeysWrite},
	"Mutation.revealApiKey":    {role: roleAdmin, audit: auditevent.ActionREVEAL_FAILED},

	"Mutation.createAccessToken": {role: roleViewer, audit: auditevent.ActionTOKEN_CREATED},
	"Mutation.revokeAccessToken": {role: roleViewer, audit: auditevent.ActionTOKEN_REVOKED},

	"Mutation.inviteAdmin":           {role: roleOwner, audit: auditevent.ActionADMIN_INVITED},
	"Mutation.updateAdminRole":       {role: roleOwner, audit: auditevent.ActionADMIN_ROLE_CHANGED},
	"Mutation.removeAdmin":           {role: roleOwner, audit: auditevent.ActionADMIN_REMOVED},
	"Mutation.updateAccountSettings": {role: roleOwner, audit: auditevent.ActionSETTINGS_CHANGED},
}

// nodeRules is who may read each type node and nodes return; a type missing
// here is refused. An access token reading another admin's token is refused
// by scope (tokens never read tokens); a non-owner's session by allowNode.
var nodeRules = map[string]access{
	"Account":     {role: roleViewer, scope: anyScope},
	"ApiKey":      {role: roleViewer, scope: scopes.KeysRead},
	"Permission":  {role: roleViewer, scope: scopes.KeysRead},
	"AuditEvent":  {role: roleViewer, scope: scopes.AuditRead},
	"Admin":       {role: roleViewer},
	"AccessToken": {role: roleViewer},
}

var rank = map[admin.Role]int{roleViewer: 1, roleAdmin: 2, roleOwner: 3}

// roleGuard applies rules to every root field before its resolver runs.
type roleGuard struct {
	development bool // introspection for everyone
	r           *Resolver
}

// authorize is the root-field middleware: UNAUTHENTICATED without a
// sign-in (but for public fields), FORBIDDEN when the rules say no.
func (g roleGuard) authorize(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if err := g.check(ctx, fc); err != nil {
		// The error's path names the refused field, as a resolver's would.
		graphql.AddError(graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: rootType(ctx), Field: fc.Field}), err)
		return graphql.Null
	}
	return next(ctx)
}

func (g roleGuard) check(ctx context.Context, fc *graphql.RootFieldContext) error {
	v, signedIn := auth.ViewerFrom(ctx)
	switch fc.Field.Name {
	case "__typename":
		return nil
	case "__schema", "__type":
		if signedIn || g.development {
			return nil
		}
		return errUnauthenticated
	}
	rule, known := rules[rootType(ctx)+"."+fc.Field.Name]
	if known && rule.public {
		return nil
	}
	if !signedIn {
		return errUnauthenticated
	}
	if !known {
		return apperr.New(apperr.Forbidden, "This operation is not open to anyone.")
	}
	reason, err := permit(v, rule)
	if err != nil && rule.audit != "" {
		if auditErr := g.auditRefusal(ctx, v, rule.audit, reason, fc); auditErr != nil {
			return auditErr
		}
	}
	return err
}

// rootType is "Mutation" or "Query" (gqlgen's RootFieldContext.Object holds
// the field's name, not its type's).
func rootType(ctx context.Context) string {
	if graphql.GetOperationContext(ctx).Operation.Operation == ast.Mutation {
		return "Mutation"
	}
	return "Query"
}

// permit applies one rule to the viewer; the reason goes to the audit trail.
func permit(v *auth.Viewer, rule access) (reason string, err error) {
	if rank[v.Role] < rank[rule.role] {
		return "role " + string(v.Role), apperr.New(apperr.Forbidden,
			"Your role (%s) does not allow this; it needs %s or above.", v.Role, rule.role)
	}
	if v.Token == nil || rule.scope == anyScope {
		return "", nil
	}
	if rule.scope == "" {
		return "access token", apperr.New(apperr.Forbidden, "Access tokens cannot do this; sign in instead.")
	}
	if !slices.Contains(v.Token.Scopes, rule.scope) {
		return "access token without " + rule.scope,
			apperr.New(apperr.Forbidden, "This access token lacks the %s scope.", rule.scope)
	}
	return "", nil
}

// auditRefusal writes a refused sensitive action to the security log (a
// refused reveal names the key, as a failed one does).
func (g roleGuard) auditRefusal(ctx context.Context, v *auth.Viewer, action auditevent.Action, reason string, fc *graphql.RootFieldContext) error {
	ev := auth.ViewerEvent(ctx, v, action, "refused: "+reason)
	if action == auditevent.ActionREVEAL_FAILED {
		args := fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
		raw, _ := args["id"].(string)
		id, err := strconv.Atoi(raw)
		if err != nil {
			return nil // not a key id: nothing to reveal, nothing to record
		}
		k, err := g.r.Keys.Get(ctx, id)
		if err != nil {
			return nil // not a key of this account
		}
		ev.APIKeyID, ev.APIKeyName = k.ID, k.Name
	}
	return auth.Record(ctx, g.r.Client, ev)
}

// allowNodes applies nodeRules to what node and nodes resolved: the root
// rule lets any signed-in caller ask, the type decides who may read.
func allowNodes(ctx context.Context, c *ent.Client, nodes ...ent.Noder) error {
	v, ok := auth.ViewerFrom(ctx)
	if !ok {
		return errUnauthenticated
	}
	for _, n := range nodes {
		if n == nil {
			continue
		}
		rule, known := nodeRules[typeName(n)]
		if !known {
			return apperr.New(apperr.Forbidden, "This object is not open to anyone.")
		}
		if _, err := permit(v, rule); err != nil {
			return err
		}
		// Tokens are read by their admin, or by an owner (as accessTokens lists
		// them). The node holds only the selected fields: ask for the owner.
		if t, isToken := n.(*ent.AccessToken); isToken && v.Role != roleOwner {
			own, err := c.AccessToken.Query().Where(accesstoken.ID(t.ID), accesstoken.AdminID(v.AdminID)).Exist(ctx)
			if err != nil {
				return apperr.Internalf(err, "token owner")
			}
			if !own {
				return apperr.New(apperr.Forbidden, "Only owners may read another admin's access token.")
			}
		}
	}
	return nil
}

func typeName(n ent.Noder) string {
	switch n.(type) {
	case *ent.Account:
		return "Account"
	case *ent.ApiKey:
		return "ApiKey"
	case *ent.Permission:
		return "Permission"
	case *ent.AuditEvent:
		return "AuditEvent"
	case *ent.Admin:
		return "Admin"
	case *ent.AccessToken:
		return "AccessToken"
	}
	return ""
}
