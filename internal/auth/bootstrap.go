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
)

// DefaultAdminEmail is the first admin's email when BT_ADMIN_EMAIL is unset.
const DefaultAdminEmail = "admin@localhost"

// EnsureOwner creates the first account and its owner admin when the database
// has no admin yet. Without a password it generates one and prints it once to
// out (the terminal), never to the structured log.
func EnsureOwner(ctx context.Context, client *ent.Client, email, password string, out io.Writer) error {
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

// CreateAdmin adds an admin to the named account, creating the account if it
// does not exist. Errors: Invalid (field email, password or account), Conflict.
func CreateAdmin(ctx context.Context, client *ent.Client, accountName, email, password string) (*ent.Admin, error) {
	accountName = strings.TrimSpace(accountName)
	email = strings.ToLower(strings.TrimSpace(email))
	if accountName == "" || len(accountName) > 100 {
		return nil, apperr.Invalidf("account", "The account name must be 1 to 100 characters.")
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
	tx, err := client.Tx(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "begin")
	}
	defer tx.Rollback()
	acc, err := tx.Account.Query().Where(account.Name(accountName)).Only(ctx)
	if ent.IsNotFound(err) {
		acc, err = tx.Account.Create().SetName(accountName).Save(ctx)
	}
	if err != nil {
		return nil, apperr.Internalf(err, "account")
	}
	a, err := tx.Admin.Create().SetAccountID(acc.ID).SetEmail(email).SetPasswordHash(hash).Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, &apperr.Error{Code: apperr.Conflict, Field: "email", Message: "An admin with this email already exists."}
	}
	if err != nil {
		return nil, apperr.Internalf(err, "create admin")
	}
	return a, tx.Commit()
}
