// Package leads stores an account's sales leads: one per email address in an
// account, a status from a fixed set, free-form custom fields, and a list
// with filters and cursor pagination.
//
// The functions take the ent client to work with (a transaction's when the
// caller needs one) whose context is scoped to the account
// (tenant.WithAccount): other accounts' leads are simply not found.
package leads

import (
	"context"
	"net/mail"
	"strings"

	"businesstools/ent"
	"businesstools/ent/lead"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
	"businesstools/internal/leads/custom"
	"businesstools/internal/page"
	"businesstools/internal/record"
	"businesstools/internal/text"
)

// Statuses a lead can have, in pipeline order.
var Statuses = []string{"new", "contacted", "qualified", "won", "lost"}

// Fields are a lead's writable fields.
type Fields struct {
	Email     string
	FirstName string
	LastName  string
	Company   string
	Phone     string
	Status    string // "" = new
	Source    string
	Custom    custom.Object
}

// Filter narrows a list: Status and Email match exactly (email without
// regard to case), Q is a case-insensitive substring of the email, names or
// company — any letter's case, SQLite's too (internal/db/lower.go).
type Filter struct {
	Status string
	Email  string
	Q      string
}

// Length limits of the text fields.
const (
	maxEmailLen = 254
	maxTextLen  = 200
	maxPhoneLen = 50
)

// ValidStatus reports whether s is one of Statuses.
func ValidStatus(s string) bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// NormalizeEmail trims and lowercases an address and checks it is a bare
// address (no display name). Errors are Invalid naming field.
func NormalizeEmail(field, s string) (string, error) {
	if err := text.Check(field, s); err != nil { // before ToLower, which hides invalid UTF-8
		return "", err
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", apperr.Invalidf(field, "The email is required.")
	}
	if text.Len(s) > maxEmailLen {
		return "", apperr.Invalidf(field, "The email must be at most %d characters.", maxEmailLen)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", apperr.Invalidf(field, "%q is not a valid email address.", s)
	}
	return s, nil
}

// Validate normalizes f in place; errors are Invalid naming the field.
func (f *Fields) Validate() error {
	var err error
	if f.Email, err = NormalizeEmail("email", f.Email); err != nil {
		return err
	}
	if f.Status == "" {
		f.Status = "new"
	}
	if !ValidStatus(f.Status) {
		return apperr.Invalidf("status", "The status must be one of %s.", strings.Join(Statuses, ", "))
	}
	for _, t := range []struct {
		field string
		v     *string
		max   int
	}{{"first_name", &f.FirstName, maxTextLen}, {"last_name", &f.LastName, maxTextLen},
		{"company", &f.Company, maxTextLen}, {"phone", &f.Phone, maxPhoneLen}, {"source", &f.Source, maxTextLen}} {
		if err := text.Check(t.field, *t.v); err != nil {
			return err
		}
		*t.v = strings.TrimSpace(*t.v)
		if text.Len(*t.v) > t.max {
			return apperr.Invalidf(t.field, "The %s must be at most %d characters.", t.field, t.max)
		}
	}
	if f.Custom == nil {
		f.Custom = custom.Object{}
	}
	return nil
}

// Kind is the lead for the shared create and update path (internal/record):
// Kind.Check then Kind.Create, or Kind.Update. Errors: Invalid naming the
// field, NotFound, Conflict naming "email" (already a lead of the account).
var Kind = &record.Kind[*ent.Lead, Fields]{
	Name: "lead", Unique: "email", Duplicate: "A lead with this email already exists.",
	Validate: (*Fields).Validate,
	Fields: func(l *ent.Lead) Fields {
		return Fields{Email: l.Email, FirstName: l.FirstName, LastName: l.LastName, Company: l.Company,
			Phone: l.Phone, Status: string(l.Status), Source: l.Source, Custom: l.Custom}
	},
	Lock: func(ctx context.Context, c *ent.Client, id int) (*ent.Lead, error) {
		return db.LockForUpdate(c.Lead.Query().Where(lead.ID(id))).Only(ctx)
	},
	Insert: func(ctx context.Context, c *ent.Client, accountID int, f Fields) (*ent.Lead, error) {
		return c.Lead.Create().SetAccountID(accountID).SetEmail(f.Email).SetFirstName(f.FirstName).
			SetLastName(f.LastName).SetCompany(f.Company).SetPhone(f.Phone).SetStatus(lead.Status(f.Status)).
			SetSource(f.Source).SetCustom(f.Custom).Save(ctx)
	},
	Save: func(ctx context.Context, c *ent.Client, l *ent.Lead, f Fields) (*ent.Lead, error) {
		return c.Lead.UpdateOne(l).SetEmail(f.Email).SetFirstName(f.FirstName).SetLastName(f.LastName).
			SetCompany(f.Company).SetPhone(f.Phone).SetStatus(lead.Status(f.Status)).SetSource(f.Source).
			SetCustom(f.Custom).Save(ctx)
	},
}

// Get returns one lead; NotFound if the account has none with id.
func Get(ctx context.Context, c *ent.Client, id int) (*ent.Lead, error) {
	l, err := c.Lead.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("There is no lead with id %d.", id)
	}
	if err != nil {
		return nil, apperr.Internalf(err, "get lead")
	}
	return l, nil
}

// List returns a page of leads matching f, newest first. Errors: Invalid
// naming "status", "email" or "q".
func List(ctx context.Context, c *ent.Client, f Filter, p page.Request) (page.Result[*ent.Lead], error) {
	for _, v := range []struct{ field, s string }{{"status", f.Status}, {"email", f.Email}, {"q", f.Q}} {
		if err := text.Check(v.field, v.s); err != nil {
			return page.Result[*ent.Lead]{}, err
		}
	}
	q := c.Lead.Query().Order(ent.Desc(lead.FieldID)).Limit(p.Limit + 1)
	if p.Before > 0 {
		q.Where(lead.IDLT(p.Before))
	}
	if f.Status != "" {
		if !ValidStatus(f.Status) {
			return page.Result[*ent.Lead]{}, apperr.Invalidf("status", "The status must be one of %s.", strings.Join(Statuses, ", "))
		}
		q.Where(lead.StatusEQ(lead.Status(f.Status)))
	}
	if f.Email != "" {
		q.Where(lead.EmailEQ(strings.ToLower(strings.TrimSpace(f.Email))))
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		q.Where(lead.Or(lead.EmailContainsFold(s), lead.FirstNameContainsFold(s),
			lead.LastNameContainsFold(s), lead.CompanyContainsFold(s)))
	}
	ls, err := q.All(ctx)
	if err != nil {
		return page.Result[*ent.Lead]{}, apperr.Internalf(err, "list leads")
	}
	return page.Cut(ls, p.Limit, func(l *ent.Lead) int { return l.ID }), nil
}

// Delete removes a lead.
// Errors: NotFound, also for another account's lead: the tenant hook
// scopes the delete to the caller's account.
func Delete(ctx context.Context, c *ent.Client, id int) error {
	err := c.Lead.DeleteOneID(id).Exec(ctx)
	switch {
	case ent.IsNotFound(err):
		return apperr.NotFoundf("There is no lead with id %d.", id)
	case err != nil:
		return apperr.Internalf(err, "delete lead")
	}
	return nil
}
