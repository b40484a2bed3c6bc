package templates

import (
	"context"
	"strings"
	"unicode/utf8"

	"businesstools/ent"
	"businesstools/ent/template"
	"businesstools/internal/apperr"
	"businesstools/internal/page"
)

// The functions below take the ent client to work with (a transaction's,
// when the caller needs one) whose context is scoped to the account
// (tenant.WithAccount): other accounts' templates are simply not found.

// Fields are a template's writable fields.
type Fields struct {
	Name    string
	Subject string
	HTML    string
	Text    string
}

// Patch changes the fields that are set.
type Patch struct {
	Name    *string
	Subject *string
	HTML    *string
	Text    *string
}

// MaxNameLen is the longest template name.
const MaxNameLen = 200

func (f *Fields) normalize() error {
	f.Name = strings.TrimSpace(f.Name)
	switch {
	case f.Name == "":
		return apperr.Invalidf("name", "The name is required.")
	case utf8.RuneCountInString(f.Name) > MaxNameLen:
		return apperr.Invalidf("name", "The name must be at most %d characters.", MaxNameLen)
	case strings.ContainsAny(f.Subject, "\r\n"):
		return apperr.Invalidf("subject", "The subject must be a single line.")
	case f.HTML == "" && f.Text == "":
		return apperr.Invalidf("html", "A template needs an html or a text part (or both).")
	}
	return Check(Content{Subject: f.Subject, HTML: f.HTML, Text: f.Text})
}

// Create saves a new template. Errors: Invalid (field), Unprocessable (a part
// does not parse), Conflict ("name" is taken in the account).
func Create(ctx context.Context, c *ent.Client, accountID int, f Fields) (*ent.Template, error) {
	if err := f.normalize(); err != nil {
		return nil, err
	}
	t, err := c.Template.Create().SetAccountID(accountID).SetName(f.Name).SetSubject(f.Subject).
		SetHTML(f.HTML).SetText(f.Text).Save(ctx)
	return t, saveError(err)
}

// Get returns one template; NotFound if the account has none with id.
func Get(ctx context.Context, c *ent.Client, id int) (*ent.Template, error) {
	t, err := c.Template.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("There is no template with id %d.", id)
	}
	if err != nil {
		return nil, apperr.Internalf(err, "get template")
	}
	return t, nil
}

// List returns a page of templates, newest first.
func List(ctx context.Context, c *ent.Client, p page.Request) (page.Result[*ent.Template], error) {
	q := c.Template.Query().Order(ent.Desc(template.FieldID)).Limit(p.Limit + 1)
	if p.Before > 0 {
		q.Where(template.IDLT(p.Before))
	}
	ts, err := q.All(ctx)
	if err != nil {
		return page.Result[*ent.Template]{}, apperr.Internalf(err, "list templates")
	}
	return page.Cut(ts, p.Limit, func(t *ent.Template) int { return t.ID }), nil
}

// Update applies p (PATCH; a PUT sets every field) and checks the result as
// Create does. c must be a transaction's client: the row is read, merged
// with p and written back, so with lock (PostgreSQL) it is read FOR UPDATE
// and concurrent updates queue instead of losing one another's fields.
// SQLite's transactions already hold the write lock from BEGIN, and it has
// no FOR UPDATE. Errors: NotFound, Invalid, Unprocessable, Conflict.
func Update(ctx context.Context, c *ent.Client, id int, p Patch, lock bool) (*ent.Template, error) {
	q := c.Template.Query().Where(template.ID(id))
	if lock {
		q = q.ForUpdate()
	}
	t, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("There is no template with id %d.", id)
	}
	if err != nil {
		return nil, apperr.Internalf(err, "get template")
	}
	f := Fields{Name: t.Name, Subject: t.Subject, HTML: t.HTML, Text: t.Text}
	set(&f.Name, p.Name)
	set(&f.Subject, p.Subject)
	set(&f.HTML, p.HTML)
	set(&f.Text, p.Text)
	if err := f.normalize(); err != nil {
		return nil, err
	}
	t, err = c.Template.UpdateOne(t).SetName(f.Name).SetSubject(f.Subject).SetHTML(f.HTML).SetText(f.Text).Save(ctx)
	return t, saveError(err)
}

// Delete removes a template; emails already sent with it keep their content.
// Errors: NotFound, also for another account's template: the tenant hook
// scopes the delete to the caller's account.
func Delete(ctx context.Context, c *ent.Client, id int) error {
	err := c.Template.DeleteOneID(id).Exec(ctx)
	switch {
	case ent.IsNotFound(err):
		return apperr.NotFoundf("There is no template with id %d.", id)
	case err != nil:
		return apperr.Internalf(err, "delete template")
	}
	return nil
}

func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func saveError(err error) error {
	switch {
	case err == nil:
		return nil
	case ent.IsConstraintError(err):
		return &apperr.Error{Code: apperr.Conflict, Field: "name", Message: "A template with this name already exists."}
	default:
		return apperr.Internalf(err, "save template")
	}
}
