package auth

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/admin"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// DefaultAdminEmail is the first admin's email when BT_ADMIN_EMAIL is unset.
const DefaultAdminEmail = "admin@localhost"

// EnsureOwner creates the first account and its owner admin when the database
// has no admin yet. Without a password it generates one and prints it once to
// out (the terminal), never to the structured log.
func EnsureOwner(ctx context.Context, client *ent.Client, email, password string, out io.Writer) error {
	ctx = tenant.Unscoped(ctx) // start-up: no request, no account yet
	n, err := client.Admin.Query().Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	if email == "" {
		email = DefaultAdminEmail
	}
	generated := password == ""
	if generated {
		password = rand.Text() // 26 base32 characters, 130 bits
	}
	if _, err := CreateAdminAs(ctx, client, "Default", email, password, admin.RoleOWNER); err != nil {
		// Another process sharing the database may have won the race to
		// create the first admin; that is a success for this one too.
		if n, countErr := client.Admin.Query().Count(ctx); countErr == nil && n > 0 {
			return nil
		}
		return err
	}
	if generated {
		fmt.Fprintf(out, "\n  First start: created admin %s with password\n\n      %s\n\n  It is shown only this once.\n\n", email, password)
	}
	return nil
}

// CreateAdmin adds an owner to the named account, creating the account if
// it does not exist. Errors: as CreateAdminAs.
func CreateAdmin(ctx context.Context, client *ent.Client, accountName, email, password string) (*ent.Admin, error) {
	return CreateAdminAs(ctx, client, accountName, email, password, admin.RoleOWNER)
}

// CreateAdminAs adds an admin with the role to the named account, creating
// the account if it does not exist (`admin create --role`). Errors: Invalid
// (field email, password, role or account), Conflict (email).
func CreateAdminAs(ctx context.Context, client *ent.Client, accountName, email, password string, role admin.Role) (*ent.Admin, error) {
	ctx = tenant.Unscoped(ctx) // the CLI and first start act outside any request
	accountName = strings.TrimSpace(accountName)
	email = NormalizeEmail(email)
	if accountName == "" || len(accountName) > 100 {
		return nil, apperr.Invalidf("account", "The account name must be 1 to 100 characters.")
	}
	if err := ValidateEmail(email); err != nil && email != DefaultAdminEmail {
		return nil, err
	}
	if err := admin.RoleValidator(role); err != nil {
		return nil, apperr.Invalidf("role", "The role must be OWNER, ADMIN or VIEWER.")
	}
	if err := ValidatePassword(password); err != nil {
		return nil, apperr.Invalidf("password", "The %s.", err)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, apperr.Internalf(err, "hash password")
	}
	var a *ent.Admin
	err = db.WithTx(ctx, client, func(tx *ent.Tx) error {
		acc, err := tx.Account.Query().Where(account.Name(accountName)).Only(ctx)
		if ent.IsNotFound(err) {
			acc, err = tx.Account.Create().SetName(accountName).Save(ctx)
		}
		if err != nil {
			return apperr.Internalf(err, "account")
		}
		a, err = tx.Admin.Create().SetAccountID(acc.ID).SetEmail(email).SetPasswordHash(hash).SetRole(role).Save(ctx)
		if ent.IsConstraintError(err) {
			return &apperr.Error{Code: apperr.Conflict, Field: "email", Message: "An admin with this email already exists."}
		}
		if err != nil {
			return apperr.Internalf(err, "create admin")
		}
		return nil
	})
	if err != nil {
		return nil, apperr.As(err)
	}
	return a, nil
}

// NormalizeEmail is how admin emails are stored and compared: trimmed, lower case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ValidateEmail checks a normalised admin email. Errors: Invalid (field email).
func ValidateEmail(email string) error {
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 {
		return apperr.Invalidf("email", "%q is not a valid email address.", email)
	}
	return nil
}
