package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// Ensure `seed --account NAME --keys N` fills the account and prints counts,
// never a secret.
func TestSeedCommand(t *testing.T) {
	useTestDatabase(t)
	var out bytes.Buffer
	if err := run([]string{"seed", "--account", "Load Test", "--keys", "120"}, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `account "Load Test"`) || !strings.Contains(out.String(), "120 keys") {
		t.Fatalf("output %q", out.String())
	}
	if regexp.MustCompile(`bt_[0-9A-Za-z]{20,}`).MatchString(out.String()) {
		t.Fatalf("output holds a key: %q", out.String())
	}
	ctx := tenant.Unscoped(context.Background())
	dbURL, dir := getenv(t)
	d, err := db.Open(ctx, dbURL, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n := d.Client.ApiKey.Query().CountX(ctx); n != 120 {
		t.Fatalf("%d keys, want 120", n)
	}
	for _, args := range [][]string{{"seed"}, {"seed", "--account", "X"}, {"seed", "--account", "X", "--keys", "many"}} {
		if err := run(args, strings.NewReader(""), &out); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
