package usage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"businesstools/ent"
	"businesstools/ent/keyusage"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
	"businesstools/internal/usage"
)

// createKeys inserts n API keys of a new account directly with ent.
func createKeys(t *testing.T, d *db.DB, n int) []int {
	t.Helper()
	ctx := tenant.Unscoped(context.Background())
	acct := d.Client.Account.Create().SetName(fmt.Sprintf("usage-%d", time.Now().UnixNano())).SaveX(ctx)
	var ids []int
	for i := 0; i < n; i += 500 {
		var bulk []*ent.ApiKeyCreate
		for j := i; j < min(i+500, n); j++ {
			bulk = append(bulk, d.Client.ApiKey.Create().SetAccountID(acct.ID).SetName(fmt.Sprintf("k%d", j)).
				SetKeyHash([]byte(fmt.Sprintf("hash-%d", j))).SetKeyStart("bt_").SetKeyEnd("0000"))
		}
		for _, k := range d.Client.ApiKey.CreateBulk(bulk...).SaveX(ctx) {
			ids = append(ids, k.ID)
		}
	}
	return ids
}

// Ensure a backlog of thousands of (key, day) entries is written — in
// chunks, not one statement beyond the database's parameter limit — with
// every count and last-used time right.
func TestRecorder_LargeFlush(t *testing.T) {
	d := testdb.Open(t)
	const nKeys = 1600 // × 2 days: several chunks of usage.ChunkKeys keys
	ids := createKeys(t, d, nKeys)
	rec := usage.New(usage.Config{DB: d})
	day1 := time.Date(2030, 3, 1, 23, 0, 0, 0, time.UTC)
	day2 := day1.Add(2 * time.Hour)
	for i, id := range ids {
		rec.Record(id, day1)
		for range i%3 + 1 {
			rec.Record(id, day2)
		}
	}
	if err := rec.Flush(tenant.Unscoped(t.Context())); err != nil {
		t.Fatal(err)
	}
	st := rec.Stats()
	if st.UsageRows != 2*nKeys || st.LastUsedWrites != nKeys || st.FailedFlushes != 0 {
		t.Fatalf("stats %+v", st)
	}
	rows := d.Client.KeyUsage.Query().Where(keyusage.APIKeyIDIn(ids...)).AllX(tenant.Unscoped(t.Context()))
	if len(rows) != 2*nKeys {
		t.Fatalf("%d usage rows, want %d", len(rows), 2*nKeys)
	}
	want := map[int]int64{}
	for i, id := range ids {
		want[id] = int64(i%3 + 1)
	}
	for _, r := range rows {
		if r.Day == "2030-03-01" && r.Count != 1 || r.Day == "2030-03-02" && r.Count != want[r.APIKeyID] {
			t.Fatalf("key %d day %s count %d", r.APIKeyID, r.Day, r.Count)
		}
	}
	for _, id := range []int{ids[0], ids[nKeys/2], ids[nKeys-1]} {
		if k := d.Client.ApiKey.GetX(tenant.Unscoped(t.Context()), id); !k.LastUsedAt.Equal(day2) {
			t.Fatalf("key %d last used %v, want %v", id, k.LastUsedAt, day2)
		}
	}
}

// Ensure Stop writes what is pending even when its context has already
// ended (the HTTP drain used up the shutdown deadline).
func TestRecorder_StopWithEndedContext(t *testing.T) {
	d := testdb.Open(t)
	ids := createKeys(t, d, 2)
	rec := usage.New(usage.Config{DB: d, Interval: time.Hour})
	rec.Start()
	for range 3 {
		rec.Record(ids[0], time.Now())
	}
	rec.Record(ids[1], time.Now())
	ctx, cancel := context.WithCancel(tenant.Unscoped(context.Background()))
	cancel()
	if err := rec.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for id, want := range map[int]int64{ids[0]: 3, ids[1]: 1} {
		rows := d.Client.KeyUsage.Query().Where(keyusage.APIKeyID(id)).AllX(tenant.Unscoped(context.Background()))
		if len(rows) != 1 || rows[0].Count != want {
			t.Fatalf("key %d: usage rows after stop = %+v, want one with %d", id, rows, want)
		}
	}
}
