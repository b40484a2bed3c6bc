package db_test

import (
	"context"
	"sync"
	"testing"

	"businesstools/internal/db"
	"businesstools/internal/testdb"
)

// Ensure migrating creates the indexes ent cannot declare (and, on
// PostgreSQL, the trigram index and the name-match function), and that
// processes migrating one database at once all succeed.
func TestMigrate_ExtraIndexes(t *testing.T) {
	d := testdb.Open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		// Each its own connection pool and client, as separate processes.
		other, err := db.OpenSQLiteFile(d.Path)
		if d.IsPostgres() {
			other, err = db.Open(ctx, d.URL, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		wg.Go(func() { errs[i] = db.Migrate(ctx, other) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	want := []string{db.PermissionKeysIndex}
	query := "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = $1"
	if d.IsPostgres() {
		want = append(want, db.NameTrigramIndex, db.NamePrefixIndex)
		query = "SELECT count(*) FROM pg_indexes WHERE indexname = $1"
		var fn int
		if err := d.SQL.QueryRow("SELECT count(*) FROM pg_proc WHERE proname = $1", db.NameMatchesFunc).Scan(&fn); err != nil || fn != 1 {
			t.Fatalf("function %s: %d (%v)", db.NameMatchesFunc, fn, err)
		}
	}
	for _, name := range want {
		var n int
		if err := d.SQL.QueryRow(query, name).Scan(&n); err != nil || n != 1 {
			t.Errorf("index %s: %d (%v)", name, n, err)
		}
	}
}
