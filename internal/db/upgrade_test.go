package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"businesstools/ent/admin"
	"businesstools/internal/apptest"
	"businesstools/internal/config"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// The fixtures were made by the previous release (commit c97276d) with
// testdata/make-upgrade-fixtures.sh; these are its test keys and settings.
var previousRelease = map[string]struct{ file, mailerKey, crmKey string }{
	"sqlite": {"testdata/upgrade-c97276d-sqlite.sql",
		"bt_d0UfjqxPNRLeP9lD2xfEuDYPmCjqjEPl1FTdLKXRCU53AVAJR", "bt_SmN0hGXopbASIT8ULSXHGW9OgK49IXaOVhxxrFQKoAt28O0ZW"},
	"postgres": {"testdata/upgrade-c97276d-postgres.sql",
		"bt_oMjsh4RRHWU2xo8baOtZH6qwkreHgoU0y37GU2NupTy330VVV", "bt_qpCKAKunMVxLD3EFhYjDnJKBMsyqJqCcOLRGgU2syni2OAR5x"},
}

const (
	fixtureMasterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	fixturePassword  = "correct horse battery staple"
)

// Ensure a database made by the previous release opens with today's code:
// every row of every table survives the migration unchanged, its admins
// become owners, and the server works on it (sign-in, keys, reveal, /v1).
func TestUpgradeFromPreviousRelease(t *testing.T) {
	fx := previousRelease[testdb.Kind()]
	dump, err := os.ReadFile(fx.file)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	driver, url, serverURL := loadFixture(t, string(dump))
	raw, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	before := readAll(t, raw, driver)
	if n := len(before["admins"].rows); n != 3 {
		t.Fatalf("fixture has %d admins, want 3", n)
	}

	var d *db.DB
	if driver == "postgres" {
		d, err = db.Open(ctx, url, "")
	} else if d, err = db.OpenSQLiteFile(url); err == nil {
		err = db.Migrate(ctx, d)
	}
	if err != nil {
		t.Fatalf("open the previous release's database: %v", err)
	}
	defer d.Close()

	// Every old column of every old row reads back the same.
	after := readTables(t, raw, before)
	for table, want := range before {
		if !reflect.DeepEqual(after[table], want) {
			t.Errorf("table %s changed:\nbefore %v\nafter  %v", table, want.rows, after[table].rows)
		}
	}
	admins, err := d.Client.Admin.Query().All(tenant.Unscoped(ctx))
	if err != nil || len(admins) != 3 {
		t.Fatalf("admins after upgrade: %d, %v", len(admins), err)
	}
	for _, a := range admins {
		if a.Role != admin.RoleOWNER || a.InvitePending || (a.InviteTokenHash != nil && len(*a.InviteTokenHash) > 0) || a.InviteExpiresAt != nil {
			t.Errorf("admin %s: role %s, invite pending %v; want an OWNER", a.Email, a.Role, a.InvitePending)
		}
	}

	// The server runs on it: the old owner signs in and sees the old keys,
	// reveal opens a sealed key, and the old API keys still work on /v1.
	app := apptest.New(t, func(c *config.Config) { c.DatabaseURL, c.MasterKey = serverURL, fixtureMasterKey })
	owner := app.Login("owner@example.com", fixturePassword)
	var data struct {
		Me      struct{ Role string }
		APIKeys struct {
			Edges []struct {
				Node struct{ ID, Name, MaskedKey string }
			}
		} `json:"apiKeys"`
	}
	app.GQL(owner, `{me{role} apiKeys(orderBy:{field:CREATED_AT,direction:ASC}){edges{node{id name maskedKey}}}}`, nil).Decode(t, &data)
	if data.Me.Role != "OWNER" || len(data.APIKeys.Edges) != 3 || data.APIKeys.Edges[0].Node.Name != "Mailer v2" {
		t.Fatalf("after upgrade: %+v", data)
	}
	mailer := data.APIKeys.Edges[0].Node
	var rev struct{ RevealApiKey struct{ Secret string } }
	app.GQL(owner, `mutation($id:ID!,$p:String!){revealApiKey(id:$id,password:$p){secret}}`,
		map[string]any{"id": mailer.ID, "p": fixturePassword}).Decode(t, &rev)
	if rev.RevealApiKey.Secret != fx.mailerKey {
		t.Fatalf("reveal after upgrade: got a different secret for %s", mailer.MaskedKey)
	}
	for _, key := range []string{fx.mailerKey, fx.crmKey} {
		if resp := app.REST(http.MethodGet, "/v1/me", key, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /v1/me with an old key: %d", resp.StatusCode)
		}
	}
}

// loadFixture restores the dump into a fresh database. It returns the
// database/sql driver and data source, and the URL the server takes.
func loadFixture(t *testing.T, dump string) (driver, url, serverURL string) {
	t.Helper()
	if testdb.Kind() == "postgres" {
		url = testdb.NewPostgresDatabase(t)
		// Its own pool: the dump changes the session's search_path.
		restore, err := sql.Open("postgres", url)
		if err != nil {
			t.Fatal(err)
		}
		defer restore.Close()
		restore.SetMaxOpenConns(1)
		if _, err := restore.Exec(dump); err != nil {
			t.Fatalf("restore fixture: %v", err)
		}
		return "postgres", url, url
	}
	path := filepath.Join(t.TempDir(), "previous.db")
	restore, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer restore.Close()
	if _, err := restore.Exec(dump); err != nil {
		t.Fatalf("restore fixture: %v", err)
	}
	return "sqlite", path, "sqlite-test-file:" + path
}

// table is every row of one table as text, in primary-key order.
type table struct {
	columns []string
	rows    [][]string
}

// readAll reads every table the fixture has.
func readAll(t *testing.T, c *sql.DB, driver string) map[string]table {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if driver == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`
	}
	names, err := c.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer names.Close()
	out := map[string]table{}
	for names.Next() {
		var name string
		if err := names.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out[name] = table{}
	}
	if len(out) < 10 {
		t.Fatalf("fixture has only %d tables", len(out))
	}
	return readTables(t, c, out)
}

// readTables reads the given tables; for tables with known columns, only those.
func readTables(t *testing.T, c *sql.DB, tables map[string]table) map[string]table {
	t.Helper()
	out := map[string]table{}
	for name, tb := range tables {
		cols := "*"
		if tb.columns != nil {
			cols = `"` + strings.Join(tb.columns, `", "`) + `"` // "from" is a column
		}
		rows, err := c.Query(fmt.Sprintf("SELECT %s FROM %s ORDER BY 1, 2", cols, name))
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		got := table{}
		if got.columns, err = rows.Columns(); err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(got.columns))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					row[i] = fmt.Sprintf("%x", b)
				} else {
					row[i] = fmt.Sprint(v)
				}
			}
			got.rows = append(got.rows, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		out[name] = got
	}
	return out
}
