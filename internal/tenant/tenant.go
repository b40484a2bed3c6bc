// Package tenant keeps one account's rows invisible to every other account.
// The account travels in the context; an ent interceptor adds
// `account_id = ?` to every query of a tenant-owned entity, and a hook does
// the same to every update and delete, so isolation holds even where a
// caller forgets a filter.
//
// Scoping fails closed: a context must say whose rows it may reach, either
// one account (WithAccount: request paths) or all of them (Unscoped: the
// few system paths — workers, start-up, login and session lookups, key
// verification, periodic jobs, the CLI — each marked explicitly). Reading
// or writing a tenant-owned entity with a context that says neither is an
// error (ErrNoScope), so a path that forgot to say is found by its first
// test rather than by another account.
package tenant

import (
	"context"
	"errors"
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

// Unscoped returns ctx marked as a system path that reaches every
// account's rows (replacing any account it carried): workers, start-up,
// signing in (an admin is looked up by email alone, whatever session the
// request already carries), finding a session or a key by its hash,
// periodic jobs, the CLI. Use it where a path is by design not one
// account's, and nowhere else.
func Unscoped(ctx context.Context) context.Context {
	return context.WithValue(ctx, ctxKey{}, unscoped{})
}

// IsUnscoped reports whether ctx carries the system marker.
func IsUnscoped(ctx context.Context) bool {
	_, ok := ctx.Value(ctxKey{}).(unscoped)
	return ok
}

// ErrNoScope is the error of a query or write of a tenant-owned entity
// made with a context that is neither scoped to an account nor marked
// Unscoped.
var ErrNoScope = errors.New("tenant: context has neither an account (tenant.WithAccount) nor the system marker (tenant.Unscoped)")

// owned lists the ent types that carry an account_id column.
var owned = map[string]bool{
	ent.TypeAdmin: true, ent.TypeApiKey: true, ent.TypeAuditEvent: true,
	ent.TypeTemplate: true, ent.TypeLead: true, ent.TypeEmail: true,
	ent.TypeIdempotencyRecord: true, ent.TypeAccessToken: true,
}

// scoped reports whether typ is scoped by account: the owned types, and
// Account itself (scoped by its id).
func scoped(typ string) bool { return owned[typ] || typ == ent.TypeAccount }

// column is the column holding typ's account.
func column(typ string) string {
	if typ == ent.TypeAccount {
		return "id"
	}
	return "account_id"
}

// Interceptor filters queries of tenant-owned entities (and of Account
// itself) to the context's account, lets Unscoped contexts through, and
// refuses any other context (ErrNoScope).
func Interceptor() ent.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		if !scoped(q.Type()) {
			return nil
		}
		id, ok := AccountID(ctx)
		switch {
		case ok:
			q.WhereP(sql.FieldEQ(column(q.Type()), id))
			return nil
		case IsUnscoped(ctx):
			return nil
		default:
			return fmt.Errorf("query %s: %w", q.Type(), ErrNoScope)
		}
	})
}

// Hook scopes writes the way Interceptor scopes reads: with an account in
// the context, updates and deletes of tenant-owned rows (and of Account)
// only reach that account's rows (another account's id is then simply not
// found), and a create for another account is refused; Unscoped contexts
// go through; any other context is refused (ErrNoScope).
func Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !scoped(m.Type()) || IsUnscoped(ctx) {
				return next.Mutate(ctx, m)
			}
			id, ok := AccountID(ctx)
			if !ok {
				return nil, fmt.Errorf("%s %s: %w", m.Op(), m.Type(), ErrNoScope)
			}
			if m.Op().Is(ent.OpCreate) {
				if v, set := m.Field("account_id"); owned[m.Type()] && set && v != id {
					return nil, fmt.Errorf("tenant: %s created for account %v from account %d", m.Type(), v, id)
				}
				return next.Mutate(ctx, m)
			}
			w, ok := m.(interface{ WhereP(...func(*sql.Selector)) })
			if !ok {
				return nil, fmt.Errorf("tenant: cannot scope %s mutation", m.Type())
			}
			w.WhereP(sql.FieldEQ(column(m.Type()), id))
			return next.Mutate(ctx, m)
		})
	}
}
