package db_test

import (
	"context"
	"testing"

	"businesstools/internal/db"
	"businesstools/internal/testdb"
)

// Ensure TryAdvisoryLock lets one holder at a time through on PostgreSQL —
// another connection, or another process's pool, is refused without
// waiting — and that unlock frees it for everyone; on SQLite it always
// succeeds.
func TestTryAdvisoryLock(t *testing.T) {
	d := testdb.Open(t)
	ctx := context.Background()
	const id int64 = 42
	unlock, ok, err := d.TryAdvisoryLock(ctx, id)
	if err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if !d.IsPostgres() {
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
		return
	}
	other, err := db.Open(ctx, d.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for name, c := range map[string]*db.DB{"same pool": d, "other process": other} {
		if _, ok, err := c.TryAdvisoryLock(ctx, id); err != nil || ok {
			t.Fatalf("%s took a held lock: %v %v", name, ok, err)
		}
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock, ok, err = other.TryAdvisoryLock(ctx, id)
	if err != nil || !ok {
		t.Fatalf("lock after unlock: %v %v", ok, err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}
