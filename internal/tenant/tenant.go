// Package tenant keeps one account's rows invisible to every other account.
// The account travels in the context; an ent interceptor adds
// `account_id = ?` to every query of a tenant-owned entity, so isolation holds
// even where a caller forgets a filter.
package tenant

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"businesstools/ent"
	"businesstools/ent/intercept"
)

type ctxKey struct{}

// WithAccount returns a context scoped to one account.
func WithAccount(ctx context.Context, accountID int) context.Context {
	return context.WithValue(ctx, ctxKey{}, accountID)
}

// AccountID returns the account the context is scoped to.
func AccountID(ctx context.Context) (int, bool) {
	id, ok := ctx.Value(ctxKey{}).(int)
	return id, ok
}

type unscoped struct{}

// Unscoped returns ctx without its account, for the few reads that must
// cross accounts by design: signing in looks an admin up by email alone,
// whatever session the request already carries.
func Unscoped(ctx context.Context) context.Context {
	return context.WithValue(ctx, ctxKey{}, unscoped{})
}

// owned lists the ent types that carry an account_id column.
var owned = map[string]bool{
	ent.TypeAdmin: true, ent.TypeApiKey: true, ent.TypeAuditEvent: true,
	ent.TypeTemplate: true, ent.TypeLead: true, ent.TypeEmail: true,
	ent.TypeIdempotencyRecord: true, ent.TypeAccessToken: true,
}

// Interceptor filters queries of tenant-owned entities (and of Account
// itself) to the context's account. Contexts without an account — start-up,
// login, background workers — are not filtered.
func Interceptor() ent.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		id, ok := AccountID(ctx)
		if !ok {
			return nil
		}
		switch {
		case owned[q.Type()]:
			q.WhereP(sql.FieldEQ("account_id", id))
		case q.Type() == ent.TypeAccount:
			q.WhereP(sql.FieldEQ("id", id))
		}
		return nil
	})
}

// Hook scopes writes the way Interceptor scopes reads: with an account in
// the context, updates and deletes of tenant-owned rows only reach that
// account's rows (another account's id is then simply not found), and a
// create for another account is refused.
func Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			id, ok := AccountID(ctx)
			if !ok || !owned[m.Type()] {
				return next.Mutate(ctx, m)
			}
			if m.Op().Is(ent.OpCreate) {
				if v, set := m.Field("account_id"); set && v != id {
					return nil, fmt.Errorf("tenant: %s created for account %v from account %d", m.Type(), v, id)
				}
				return next.Mutate(ctx, m)
			}
			w, ok := m.(interface{ WhereP(...func(*sql.Selector)) })
			if !ok {
				return nil, fmt.Errorf("tenant: cannot scope %s mutation", m.Type())
			}
			w.WhereP(sql.FieldEQ("account_id", id))
			return next.Mutate(ctx, m)
		})
	}
}
