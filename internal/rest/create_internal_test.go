package rest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"businesstools/ent"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure create runs a creation's request work (decode, validate, render:
// prepare) before its transaction begins — another writer gets through
// meanwhile, where on SQLite an open transaction would hold it at the write
// lock — and only the write inside one.
func TestCreatePreparesOutsideTransaction(t *testing.T) {
	d := testdb.Open(t)
	sys := tenant.Unscoped(context.Background())
	acc := d.Client.Account.Create().SetName("A").SaveX(sys)
	a := &API{cfg: Config{DB: d}}
	req := httptest.NewRequest(http.MethodPost, "/v1/leads", strings.NewReader(`{}`))
	req = req.WithContext(tenant.WithAccount(WithPrincipal(req.Context(), &Principal{AccountID: acc.ID}), acc.ID))

	prepared, wrote := false, false
	prepare := func(ctx context.Context, raw []byte) (writeFunc, error) {
		prepared = true
		done := make(chan error, 1)
		go func() { done <- d.Client.Account.Create().SetName("written during prepare").Exec(sys) }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("a write during prepare: %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Error("a write during prepare waited: prepare runs inside a transaction")
		}
		return func(ctx context.Context, tx *ent.Tx) (created, error) {
			wrote = true
			if err := tx.Account.Create().SetName("in the transaction").Exec(tenant.Unscoped(ctx)); err != nil {
				return created{}, err
			}
			return created{status: http.StatusCreated, body: map[string]int{"id": 1}}, nil
		}, nil
	}
	rec := httptest.NewRecorder()
	if err := a.create(rec, req, prepare, nil); err != nil || rec.Code != http.StatusCreated || !prepared || !wrote {
		t.Fatalf("create: %v, %d (prepared %v, wrote %v)", err, rec.Code, prepared, wrote)
	}
	if n := d.Client.Account.Query().CountX(sys); n != 3 {
		t.Fatalf("%d accounts, want 3", n)
	}
}
