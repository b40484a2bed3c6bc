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
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

const dayFormat = keyspkg.DayFormat

// ChunkKeys is how many keys one flush transaction writes, and RowsPerInsert
// how many day rows one INSERT carries: statements stay far below
// PostgreSQL's 65,535 parameters however large the backlog grows.
const (
	ChunkKeys     = 500
	RowsPerInsert = 1000
)

// Flush writes the pending usage, ChunkKeys keys per transaction: for each
// key still in the database, one UPDATE of last_used_at (only when newer
// than what is stored, since other processes write too) and bulk upserts
// adding the day counts. Usage of keys deleted meanwhile is dropped. On
// failure the chunks not yet committed go back to pending and are retried
// by the next flush.
func (r *Recorder) Flush(ctx context.Context) error {
	ctx = tenant.Unscoped(ctx) // a system path: usage of every account's keys
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	batch := r.take()
	if batch == nil {
		return nil
	}
	ids := slices.Sorted(maps.Keys(batch)) // a fixed lock order: no deadlock between processes
	for i := 0; i < len(ids); i += ChunkKeys {
		chunk := ids[i:min(i+ChunkKeys, len(ids))]
		res, err := r.write(ctx, batch, chunk)
		if err != nil {
			r.stats.FailedFlushes++
			rest := make(map[int]*keyUsage, len(ids)-i)
			for _, id := range ids[i:] {
				rest[id] = batch[id]
			}
			r.giveBack(rest)
			return err
		}
		r.stats.LastUsedWrites += res.lastUsedWrites
		r.stats.UsageRows += res.usageRows
		r.stats.DroppedKeys += res.droppedKeys
	}
	r.stats.Flushes++
	return nil
}

type writeResult struct{ lastUsedWrites, usageRows, droppedKeys int64 }

// write writes the usage of the keys ids (sorted) of batch in one transaction.
func (r *Recorder) write(ctx context.Context, batch map[int]*keyUsage, ids []int) (writeResult, error) {
	var res writeResult
	err := db.WithTx(ctx, r.cfg.DB.Client, func(tx *ent.Tx) error { return r.writeTx(ctx, tx, batch, ids, &res) })
	if err != nil {
		return writeResult{}, err // writeTx's errors say "usage flush"; the flush loop logs it so
	}
	return res, nil
}

func (r *Recorder) writeTx(ctx context.Context, tx *ent.Tx, batch map[int]*keyUsage, ids []int, res *writeResult) error {
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
	excluded := entsql.Dialect(r.cfg.DB.Dialect).Table("excluded")
	for i := 0; i < len(rows); i += RowsPerInsert {
		err = tx.KeyUsage.CreateBulk(rows[i:min(i+RowsPerInsert, len(rows))]...).
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
	}
	res.usageRows = int64(len(rows))
	return nil
}
