// Package record is the one path by which the REST API's account-owned
// records — leads and templates — are created and changed, whatever their
// fields: validated before any transaction on create, and on update read
// (locked: db.LockForUpdate) → merged → validated → saved inside one, so
// concurrent changes queue instead of losing one another's fields. A kind
// whose validation is costly (templates parse) validates an update before
// the transaction on an unlocked read, and inside it only checks that the
// locked row still has those fields. A save
// that hits the record's unique field — a concurrent create or rename won —
// is the same Conflict as the sequential case.
package record

import (
	"context"
	"errors"
	"reflect"

	"businesstools/ent"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
)

// Kind describes one kind of record: E is its ent entity, F its writable
// fields. Every function is required.
type Kind[E any, F any] struct {
	// Name is the record's name in messages ("lead").
	Name string
	// Unique is the field unique within an account ("email"); a save
	// violating it is a Conflict naming it, with the message Duplicate.
	Unique    string
	Duplicate string
	// Validate checks f, normalizing it in place (trimmed, defaults set).
	// Errors are Invalid or Unprocessable naming the field.
	Validate func(f *F) error
	// Fields returns a record's writable fields.
	Fields func(e E) F
	// Lock reads record id with c for update (db.LockForUpdate).
	Lock func(ctx context.Context, c *ent.Client, id int) (E, error)
	// Insert creates a record of the account; Save writes f over e.
	Insert func(ctx context.Context, c *ent.Client, accountID int, f F) (E, error)
	Save   func(ctx context.Context, c *ent.Client, e E, f F) (E, error)
	// Same, when set, says whether two records' fields are equal: Update
	// then runs Validate before its transaction, so that no row lock is
	// held while it runs (see Update). Optional.
	Same func(a, b F) bool
	// Get reads record id without a lock; required with Same.
	Get func(ctx context.Context, c *ent.Client, id int) (E, error)
}

// Valid is fields that passed their Kind's Validate. Only Check makes one,
// so Create cannot be handed fields nobody checked — and the check, which
// may parse templates, runs before the transaction Create is called in.
type Valid[F any] struct{ f F }

// Check validates f for Create. Errors: those of Validate.
func (k *Kind[E, F]) Check(f F) (Valid[F], error) {
	if err := k.Validate(&f); err != nil {
		return Valid[F]{}, err
	}
	return Valid[F]{f}, nil
}

// Create inserts checked fields as a record of the account, with c (a
// transaction's client when the caller writes more). Errors: Conflict
// naming Unique.
func (k *Kind[E, F]) Create(ctx context.Context, c *ent.Client, accountID int, v Valid[F]) (E, error) {
	e, err := k.Insert(ctx, c, accountID, v.f)
	return e, k.saveError(err)
}

// Update applies change to record id's fields and saves the result if it
// validates, all in one transaction of client with the row locked. With
// Same set, the merge is validated first on an unlocked read, and the
// transaction saves it if the locked row's fields are still the ones it
// was merged from; else (a concurrent change won the race) it merges and
// validates again under the lock. Errors: NotFound (also another account's
// record: the context's tenant scope hides it), those of Validate,
// Conflict naming Unique.
func (k *Kind[E, F]) Update(ctx context.Context, client *ent.Client, id int, change func(f *F)) (E, error) {
	var (
		out        E
		seen, done F // the unlocked read's fields, and their validated merge
		checked    bool
	)
	if k.Same != nil {
		e, err := k.Get(ctx, client, id)
		if err != nil {
			return out, k.readError(err, id)
		}
		seen = k.Fields(e)
		done = k.merge(seen, change)
		if err := k.Validate(&done); err != nil {
			return out, err
		}
		checked = true
	}
	err := db.WithTx(ctx, client, func(tx *ent.Tx) error {
		e, err := k.Lock(ctx, tx.Client(), id)
		if err != nil {
			return k.readError(err, id)
		}
		f, now := done, k.Fields(e)
		if !checked || !k.Same(now, seen) {
			f = k.merge(now, change)
			if err := k.Validate(&f); err != nil {
				return err
			}
		}
		if k.unchanged(now, f) { // nothing to write: updated_at keeps saying when the record last changed
			out = e
			return nil
		}
		out, err = k.Save(ctx, tx.Client(), e, f)
		return k.saveError(err)
	})
	var ae *apperr.Error
	if err != nil && !errors.As(err, &ae) {
		err = apperr.Internalf(err, "update %s", k.Name)
	}
	return out, err
}

// unchanged reports whether the validated merge f is what the record holds.
func (k *Kind[E, F]) unchanged(now, f F) bool {
	if k.Same != nil {
		return k.Same(now, f)
	}
	return reflect.DeepEqual(now, f)
}

// merge returns f with change applied to a copy (a shallow one: kinds with
// Same have only plain fields).
func (k *Kind[E, F]) merge(f F, change func(f *F)) F {
	change(&f)
	return f
}

func (k *Kind[E, F]) readError(err error, id int) error {
	if ent.IsNotFound(err) {
		return apperr.NotFoundf("There is no %s with id %d.", k.Name, id)
	}
	return apperr.Internalf(err, "read %s", k.Name)
}

func (k *Kind[E, F]) saveError(err error) error {
	switch {
	case err == nil:
		return nil
	case db.IsUniqueViolation(err, k.Unique):
		return &apperr.Error{Code: apperr.Conflict, Field: k.Unique, Message: k.Duplicate}
	default:
		return apperr.Internalf(err, "save %s", k.Name)
	}
}
