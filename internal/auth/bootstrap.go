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
	"businesstools/internal/text"
)

// DefaultAdminEmail is the first admin's email when BT_ADMIN_EMAIL is unset.
const DefaultAdminEmail = "admin@localhost"

// EnsureOwner creates the first account and its owner admin when the database
// has no admin yet. Without a password it generates one and prints it once to
// out (the terminal), never to the structured log.
func EnsureOwner(ctx context.Context, client *ent.Client, email, password string, out io.Writer) error {
	ctx = tenant.Unscoped(ctx) // start-up: are there admins in any account?
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

// Limits of an admin's fields, in characters.
const (
	MaxAccountNameLen = 100
	MaxEmailLen       = 254
)

// CreateAdmin adds an owner to the named account, creating the account if
// it does not exist. Errors: as CreateAdminAs.
func CreateAdmin(ctx context.Context, client *ent.Client, accountName, email, password string) (*ent.Admin, error) {
	return CreateAdminAs(ctx, client, accountName, email, password, admin.RoleOWNER)
}

// CreateAdminAs adds an admin with the role to the named account, creating
// the account if it does not exist (`admin create --role`). Errors: Invalid
// (field email, password, role or account), Conflict (email).
func CreateAdminAs(ctx context.Context, client *ent.Client, accountName, email, password string, role admin.Role) (*ent.Admin, error) {
	for _, f := range []struct{ name, v string }{{"account", accountName}, {"email", email}, {"password", password}} {
		if err := text.Check(f.name, f.v); err != nil { // before ToLower, which hides invalid UTF-8
			return nil, err
		}
	}
	accountName = strings.TrimSpace(accountName)
	email = NormalizeEmail(email)
	if accountName == "" || text.Len(accountName) > MaxAccountNameLen {
		return nil, apperr.Invalidf("account", "The account name must be 1 to %d characters.", MaxAccountNameLen)
	}
	if text.Len(email) > MaxEmailLen {
		return nil, apperr.Invalidf("email", "The email must be at most %d characters.", MaxEmailLen)
	}
	if err := ValidateEmail(email); err != nil && email != DefaultAdminEmail {
		return nil, err
	}
	if admin.RoleValidator(role) != nil {
		return nil, apperr.Invalidf("role", "The role must be OWNER, ADMIN or VIEWER.")
	}
	if err := ValidatePassword(password); err != nil {
		return nil, apperr.Invalidf("password", "The %s.", err)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, apperr.Internalf(err, "hash password")
	}
	// Admins and accounts are looked up by name and email across accounts:
	// this is the CLI's and start-up's path, not a request's.
	ctx = tenant.Unscoped(ctx)
	a, err := insertAdmin(ctx, client, accountName, email, hash, role)
	if db.IsUniqueViolation(err, "name") {
		// Another process created the account between our read and insert;
		// now it exists, so the second try finds it.
		a, err = insertAdmin(ctx, client, accountName, email, hash, role)
	}
	switch {
	case db.IsUniqueViolation(err, "email"):
		return nil, &apperr.Error{Code: apperr.Conflict, Field: "email", Message: "An admin with this email already exists."}
	case err != nil:
		return nil, apperr.Internalf(err, "create admin")
	}
	return a, nil
}

// insertAdmin creates the admin, and the account when there is none with
// its name, in one transaction.
func insertAdmin(ctx context.Context, client *ent.Client, accountName, email, hash string, role admin.Role) (*ent.Admin, error) {
	var a *ent.Admin
	err := db.WithTx(ctx, client, func(tx *ent.Tx) error {
		acc, err := tx.Account.Query().Where(account.Name(accountName)).Only(ctx)
		if ent.IsNotFound(err) {
			acc, err = tx.Account.Create().SetName(accountName).Save(ctx)
		}
		if err != nil {
			return err
		}
		a, err = tx.Admin.Create().SetAccountID(acc.ID).SetEmail(email).SetPasswordHash(hash).SetRole(role).Save(ctx)
		return err
	})
	return a, err
}

// NormalizeEmail is how admin emails are stored and compared: trimmed, lower case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ValidateEmail checks a normalised admin email: valid text, one plain
// address, at most MaxEmailLen characters. Errors: Invalid (field email).
func ValidateEmail(email string) error {
	if err := text.Check("email", email); err != nil {
		return err
	}
	if text.Len(email) > MaxEmailLen {
		return apperr.Invalidf("email", "The email must be at most %d characters.", MaxEmailLen)
	}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		return apperr.Invalidf("email", "%q is not a valid email address.", email)
	}
	return nil
}
