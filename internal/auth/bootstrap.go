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
	if _, err := CreateAdmin(ctx, client, "Default", email, password); err != nil {
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

// CreateAdmin adds an admin to the named account, creating the account if it
// does not exist. Errors: Invalid (field email, password or account), Conflict.
func CreateAdmin(ctx context.Context, client *ent.Client, accountName, email, password string) (*ent.Admin, error) {
	for _, f := range []struct{ name, v string }{{"account", accountName}, {"email", email}, {"password", password}} {
		if err := text.Check(f.name, f.v); err != nil { // before ToLower, which hides invalid UTF-8
			return nil, err
		}
	}
	accountName = strings.TrimSpace(accountName)
	email = strings.ToLower(strings.TrimSpace(email))
	if accountName == "" || text.Len(accountName) > MaxAccountNameLen {
		return nil, apperr.Invalidf("account", "The account name must be 1 to %d characters.", MaxAccountNameLen)
	}
	if text.Len(email) > MaxEmailLen {
		return nil, apperr.Invalidf("email", "The email must be at most %d characters.", MaxEmailLen)
	}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		if email != DefaultAdminEmail {
			return nil, apperr.Invalidf("email", "%q is not a valid email address.", email)
		}
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
	a, err := insertAdmin(ctx, client, accountName, email, hash)
	if db.IsUniqueViolation(err, "name") {
		// Another process created the account between our read and insert;
		// now it exists, so the second try finds it.
		a, err = insertAdmin(ctx, client, accountName, email, hash)
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
func insertAdmin(ctx context.Context, client *ent.Client, accountName, email, hash string) (*ent.Admin, error) {
	var a *ent.Admin
	err := db.WithTx(ctx, client, func(tx *ent.Tx) error {
		acc, err := tx.Account.Query().Where(account.Name(accountName)).Only(ctx)
		if ent.IsNotFound(err) {
			acc, err = tx.Account.Create().SetName(accountName).Save(ctx)
		}
		if err != nil {
			return err
		}
		a, err = tx.Admin.Create().SetAccountID(acc.ID).SetEmail(email).SetPasswordHash(hash).Save(ctx)
		return err
	})
	return a, err
}
