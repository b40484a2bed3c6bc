package usage

import (
	"context"
	"fmt"
	"maps"
	"slices"

	entsql "entgo.io/ent/dialect/sql"

	"businesstools/ent"
	"businesstools/ent/apikey"
	"businesstools/ent/keyusage"
	keyspkg "businesstools/internal/apikey"
)

const dayFormat = keyspkg.DayFormat

// Flush writes the pending usage in one transaction: for each key still in
// the database, one UPDATE of last_used_at (only when newer than what is
// stored, since other processes write too) and one bulk upsert adding the
// day counts. Usage of keys deleted meanwhile is dropped. On failure the
// batch goes back to pending and is retried by the next flush.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	batch := r.take()
	if batch == nil {
		return nil
	}
	res, err := r.write(ctx, batch)
	if err != nil {
		r.stats.FailedFlushes++
		r.giveBack(batch)
		return err
	}
	r.stats.Flushes++
	r.stats.LastUsedWrites += res.lastUsedWrites
	r.stats.UsageRows += res.usageRows
	r.stats.DroppedKeys += res.droppedKeys
	return nil
}

type writeResult struct{ lastUsedWrites, usageRows, droppedKeys int64 }

func (r *Recorder) write(ctx context.Context, batch map[int]*keyUsage) (writeResult, error) {
	var res writeResult
	tx, err := r.cfg.DB.Client.Tx(ctx)
	if err != nil {
		return res, fmt.Errorf("usage flush: begin: %w", err)
	}
	if err := r.writeTx(ctx, tx, batch, &res); err != nil {
		_ = tx.Rollback()
		return writeResult{}, err
	}
	if err := tx.Commit(); err != nil {
		return writeResult{}, fmt.Errorf("usage flush: commit: %w", err)
	}
	return res, nil
}

func (r *Recorder) writeTx(ctx context.Context, tx *ent.Tx, batch map[int]*keyUsage, res *writeResult) error {
	ids := slices.Sorted(maps.Keys(batch)) // a fixed lock order: no deadlock between processes
	q := tx.ApiKey.Query().Where(apikey.IDIn(ids...))
	if r.cfg.DB.IsPostgres() {
		// Lock the rows: a key deleted concurrently is either deleted before
		// (and missing here) or after this commit, when the delete also
		// removes the usage rows written here (apikey.Service.Delete deletes
		// the key row first, then its usage). SQLite transactions already
		// hold the database's write lock from BEGIN (_txlock=immediate).
		q = q.ForUpdate()
	}
	keys, err := q.Select(apikey.FieldID, apikey.FieldLastUsedAt).All(ctx)
	if err != nil {
		return fmt.Errorf("usage flush: lock keys: %w", err)
	}
	res.droppedKeys = int64(len(ids) - len(keys))
	var rows []*ent.KeyUsageCreate
	for _, k := range keys {
		u := batch[k.ID]
		if u.last.After(k.LastUsedAt) {
			if err := tx.ApiKey.UpdateOneID(k.ID).SetLastUsedAt(u.last).Exec(ctx); err != nil {
				return fmt.Errorf("usage flush: last used of key %d: %w", k.ID, err)
			}
			res.lastUsedWrites++
		}
		for _, day := range slices.Sorted(maps.Keys(u.days)) {
			rows = append(rows, tx.KeyUsage.Create().SetAPIKeyID(k.ID).SetDay(day).SetCount(u.days[day]))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	excluded := entsql.Dialect(r.cfg.DB.Dialect).Table("excluded")
	err = tx.KeyUsage.CreateBulk(rows...).
		OnConflict(entsql.ConflictColumns(keyusage.FieldAPIKeyID, keyusage.FieldDay),
			entsql.ResolveWith(func(u *entsql.UpdateSet) {
				// count = key_usages.count + excluded.count: each row adds its own
				// count (the generated AddCount would add one constant to all).
				u.Set(keyusage.FieldCount, entsql.Expr(u.Table().C(keyusage.FieldCount)+" + "+excluded.C(keyusage.FieldCount)))
			})).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("usage flush: day counts: %w", err)
	}
	res.usageRows = int64(len(rows))
	return nil
}
