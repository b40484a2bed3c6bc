package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"businesstools/internal/auth"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// useTestDatabase points the binary's settings at a fresh test database.
func useTestDatabase(t *testing.T) {
	t.Setenv("BT_DATA_DIR", t.TempDir())
	t.Setenv("DATABASE_URL", "")
	if testdb.Kind() == "postgres" {
		t.Setenv("DATABASE_URL", testdb.NewPostgresDatabase(t))
	}
}

// Ensure `admin create` reads the password from stdin, creates the account
// when missing, and the admin can then sign in.
func TestAdminCreate(t *testing.T) {
	useTestDatabase(t)
	var out bytes.Buffer
	err := run([]string{"admin", "create", "--account", "Acme Corp", "--email", "ops@acme.example"},
		strings.NewReader("s3cret-password-from-stdin\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "s3cret") || !strings.Contains(out.String(), "ops@acme.example") {
		t.Fatalf("output %q", out.String())
	}
	// A second admin joins the same account.
	if err := run([]string{"admin", "create", "--account", "Acme Corp", "--email", "dev@acme.example"},
		strings.NewReader("another-password"), &out); err != nil {
		t.Fatal(err)
	}
	ctx := tenant.Unscoped(context.Background())
	cfgURL, dir := getenv(t)
	d, err := db.Open(ctx, cfgURL, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n := d.Client.Account.Query().CountX(ctx); n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
	if _, _, _, err := auth.New(d.Client, auth.Config{}).Login(ctx, "ops@acme.example", "s3cret-password-from-stdin", "192.0.2.1"); err != nil {
		t.Fatalf("login with the created admin: %v", err)
	}
}

// Ensure `admin create` refuses bad input and creates nothing.
func TestAdminCreate_BadInput(t *testing.T) {
	useTestDatabase(t)
	cases := map[string]struct {
		args  []string
		stdin string
	}{
		"MissingEmail":  {[]string{"admin", "create", "--account", "A"}, "long-enough-password"},
		"BadEmail":      {[]string{"admin", "create", "--account", "A", "--email", "nope"}, "long-enough-password"},
		"ShortPassword": {[]string{"admin", "create", "--account", "A", "--email", "a@example.com"}, "short"},
	}
	for name, c := range cases {
		var out bytes.Buffer
		if err := run(c.args, strings.NewReader(c.stdin), &out); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	url, dir := getenv(t)
	d, err := db.Open(tenant.Unscoped(context.Background()), url, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n := d.Client.Admin.Query().CountX(tenant.Unscoped(context.Background())); n != 0 {
		t.Fatalf("%d admins created", n)
	}
}

func getenv(t *testing.T) (string, string) {
	t.Helper()
	return lookup("DATABASE_URL"), lookup("BT_DATA_DIR")
}

func lookup(k string) string { return os.Getenv(k) }
