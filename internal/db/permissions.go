package db

import (
	"context"
	"fmt"

	"businesstools/ent"
	"businesstools/ent/permission"
)

// PermissionDef is one row of the permission table of DESIGN.md section 3.
type PermissionDef struct {
	Key         permission.Key
	Scope       string
	Name        string
	Description string
}

// Permissions are the five permissions, in the order admins see them.
var Permissions = []PermissionDef{
	{permission.KeySEND_EMAILS, "emails:send", "Send Emails", "Send email with POST /v1/emails and read its delivery status."},
	{permission.KeyMANAGE_EMAIL_TEMPLATES, "templates:manage", "Manage Email Templates", "Create, read, update and delete email templates under /v1/templates."},
	{permission.KeyREAD_LEADS, "leads:read", "Read leads", "List and read leads with GET /v1/leads."},
	{permission.KeyWRITE_LEADS, "leads:write", "Add/Update leads", "Create leads and change them with POST, PUT and PATCH /v1/leads."},
	{permission.KeyDELETE_LEADS, "leads:delete", "Delete leads", "Delete leads with DELETE /v1/leads/{id}."},
}

// ScopeOf returns the REST scope string of a permission key.
func ScopeOf(k permission.Key) string {
	for _, p := range Permissions {
		if p.Key == k {
			return p.Scope
		}
	}
	return ""
}

// SeedPermissions inserts the permissions that are missing and refreshes the
// labels of the others. Several processes may run it at once.
func SeedPermissions(ctx context.Context, client *ent.Client) error {
	for _, p := range Permissions {
		err := client.Permission.Create().
			SetKey(p.Key).SetScope(p.Scope).SetName(p.Name).SetDescription(p.Description).
			OnConflictColumns(permission.FieldKey).
			Update(func(u *ent.PermissionUpsert) { u.UpdateName().UpdateDescription() }).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("seed permission %s: %w", p.Key, err)
		}
	}
	return nil
}
