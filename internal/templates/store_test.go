package templates_test

import (
	"context"
	"slices"
	"testing"

	"businesstools/ent"
	"businesstools/internal/templates"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// updateTrace runs templates.Kind.Update on a fresh template with Validate
// and Lock wrapped to note their order; between the unlocked read and the
// transaction, concurrent (when set) changes the row as another request
// would.
func updateTrace(t *testing.T, concurrent func(ctx context.Context, c *ent.Client, id int)) ([]string, *ent.Template) {
	d := testdb.Open(t)
	acc := d.Client.Account.Create().SetName("templates").SaveX(tenant.Unscoped(context.Background()))
	ctx := tenant.WithAccount(context.Background(), acc.ID)
	v, err := templates.Kind.Check(templates.Fields{Name: "welcome", Subject: "Hi {{.name}}", Text: "one"})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := templates.Kind.Create(ctx, d.Client, acc.ID, v)
	if err != nil {
		t.Fatal(err)
	}
	var trace []string
	k := *templates.Kind
	k.Validate = func(f *templates.Fields) error {
		trace = append(trace, "validate")
		return templates.Kind.Validate(f)
	}
	k.Get = func(ctx context.Context, c *ent.Client, id int) (*ent.Template, error) {
		e, err := templates.Kind.Get(ctx, c, id)
		if concurrent != nil {
			concurrent(ctx, c, id)
		}
		return e, err
	}
	k.Lock = func(ctx context.Context, c *ent.Client, id int) (*ent.Template, error) {
		trace = append(trace, "lock")
		return templates.Kind.Lock(ctx, c, id)
	}
	out, err := k.Update(ctx, d.Client, tpl.ID, func(f *templates.Fields) { f.Text = "two" })
	if err != nil {
		t.Fatal(err)
	}
	return trace, out
}

// The template is parsed before its row is locked, and only then.
func TestUpdateParsesBeforeTheLock(t *testing.T) {
	trace, out := updateTrace(t, nil)
	if want := []string{"validate", "lock"}; !slices.Equal(trace, want) {
		t.Fatalf("calls %v, want %v", trace, want)
	}
	if out.Text != "two" || out.Subject != "Hi {{.name}}" {
		t.Fatalf("saved text %q subject %q", out.Text, out.Subject)
	}
}

// A change that lands between the unlocked read and the lock is kept: the
// update merges into the locked row and validates that merge again.
func TestUpdateRevalidatesAfterAConcurrentChange(t *testing.T) {
	trace, out := updateTrace(t, func(ctx context.Context, c *ent.Client, id int) {
		c.Template.UpdateOneID(id).SetSubject("Hello {{.name}}").ExecX(ctx)
	})
	if want := []string{"validate", "lock", "validate"}; !slices.Equal(trace, want) {
		t.Fatalf("calls %v, want %v", trace, want)
	}
	if out.Text != "two" || out.Subject != "Hello {{.name}}" {
		t.Fatalf("saved text %q subject %q: the concurrent subject or this text was lost", out.Text, out.Subject)
	}
}
