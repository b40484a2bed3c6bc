package apikey_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"businesstools/ent/permission"
	"businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// keyService returns a key service on a fresh database and a context and
// actor of a new account.
func keyService(t *testing.T) (*apikey.Service, context.Context, apikey.Actor) {
	t.Helper()
	d := testdb.Open(t)
	acc := d.Client.Account.Create().SetName("names").SaveX(tenant.Unscoped(context.Background()))
	return apikey.New(apikey.Config{Client: d.Client}), tenant.WithAccount(context.Background(), acc.ID), apikey.Actor{AccountID: acc.ID}
}

var sendOnly = []permission.Key{permission.KeySEND_EMAILS}

// Ensure a name of MaxNameLen characters is stored however many bytes they
// take (100 emoji are 400 bytes), and one character more is Invalid.
func TestKeyNameCountsCharacters(t *testing.T) {
	svc, ctx, actor := keyService(t)
	emoji := strings.Repeat("😀", apikey.MaxNameLen)
	k, _, err := svc.Create(ctx, actor, apikey.CreateInput{Name: emoji, Permissions: sendOnly})
	if err != nil || k.Name != emoji {
		t.Fatalf("100 emoji: %v", err)
	}
	other, _, err := svc.Create(ctx, actor, apikey.CreateInput{Name: "x", Permissions: sendOnly})
	if err != nil {
		t.Fatal(err)
	}
	renamed := strings.Repeat("é", apikey.MaxNameLen)
	if k, err := svc.Update(ctx, actor, other.ID, apikey.UpdateInput{Name: &renamed}); err != nil || k.Name != renamed {
		t.Fatalf("rename to 100 × é: %v", err)
	}
	if _, _, err := svc.Create(ctx, actor, apikey.CreateInput{Name: emoji + "😀", Permissions: sendOnly}); !isInvalid(err, "name") {
		t.Fatalf("101 emoji: %v", err)
	}
}

// Ensure a name that is not valid text (NUL, invalid UTF-8) is Invalid
// naming "name" — not an internal error from the database — on create and
// rename.
func TestKeyNameMustBeText(t *testing.T) {
	svc, ctx, actor := keyService(t)
	k, _, err := svc.Create(ctx, actor, apikey.CreateInput{Name: "ok", Permissions: sendOnly})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"a\x00b", "caf\xc3", "\xff"} {
		if _, _, err := svc.Create(ctx, actor, apikey.CreateInput{Name: bad, Permissions: sendOnly}); !isInvalid(err, "name") {
			t.Errorf("create %q: %v", bad, err)
		}
		if _, err := svc.Update(ctx, actor, k.ID, apikey.UpdateInput{Name: &bad}); !isInvalid(err, "name") {
			t.Errorf("rename to %q: %v", bad, err)
		}
	}
}

// Ensure 8 concurrent creates with one name, and 8 concurrent renames of
// different keys to one name, leave one key with the name and answer every
// other with the sequential case's Invalid naming "name" — never internal.
func TestKeyNameRaces(t *testing.T) {
	svc, ctx, actor := keyService(t)
	const n = 8
	race := func(what string, op func(i int) error) {
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = op(i)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !isInvalid(err, "name"):
				t.Errorf("%s: %v (code %s), want Invalid naming name", what, err, apperr.CodeOf(err))
			}
		}
		if ok != 1 {
			t.Errorf("%s: %d succeeded, want 1", what, ok)
		}
	}
	race("create", func(int) error {
		_, _, err := svc.Create(ctx, actor, apikey.CreateInput{Name: "same", Permissions: sendOnly})
		return err
	})
	ids := make([]int, n)
	for i := range ids {
		k, _, err := svc.Create(ctx, actor, apikey.CreateInput{Name: fmt.Sprintf("k%d", i), Permissions: sendOnly})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = k.ID
	}
	race("rename", func(i int) error {
		name := "renamed"
		_, err := svc.Update(ctx, actor, ids[i], apikey.UpdateInput{Name: &name})
		return err
	})
}

func isInvalid(err error, field string) bool {
	ae, ok := err.(*apperr.Error)
	return ok && ae.Code == apperr.Invalid && ae.Field == field
}
