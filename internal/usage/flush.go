package usage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	keyspkg "businesstools/internal/apikey"
	"businesstools/internal/tenant"
)

// ChunkRows is how many rows one statement writes: ChunkRows keys' last
// uses in one UPDATE (4 parameters each) and ChunkRows (key, day) counts in
// one INSERT (3 each), well below SQLite's 32,766 and PostgreSQL's 65,535
// parameters however large the backlog grows. A chunk that outlasts
// ChunkTimeout (a slow disk) halves the size for the next attempts, down to
// MinChunkRows; chunks written in under a quarter of it double it again, up
// to ChunkRows: a backlog always finds a size it can write.
const (
	ChunkRows    = 5000
	MinChunkRows = 50
)

// lastRow is one key's latest use, dayRow one key's count on one day.
type (
	lastRow struct {
		id int
		lastUse
	}
	dayRow struct {
		id  int
		day int32
		n   int64
	}
)

// Flush writes the pending usage in chunks of ChunkRows, each chunk two
// set-based statements (one per table) under its own deadline of
// ChunkTimeout:
//
//	INSERT INTO key_usages … SELECT … FROM (VALUES …) JOIN api_keys … ON CONFLICT (api_key_id, day) DO UPDATE SET count = count + excluded.count
//	UPDATE api_keys SET last_used_at = v.t, last_used_ip = v.ip, last_used_route = v.route FROM (VALUES …) v WHERE id = v.id AND last_used_at < v.t
//
// The UPDATE moves a key's last use only forward, since other processes
// write too. The INSERT adds counts only for keys that still exist, locking
// them (FOR KEY SHARE) until it commits: apikey.Service.Delete deletes the
// key row first and its usage rows after, so a concurrent delete either
// comes first (and the counts are dropped) or waits and removes them too.
// Each statement commits on its own: on a failure the rows not yet written
// go back to pending and the next flush retries them; an UPDATE that
// failed after its INSERT committed gives back only the last uses, so no
// count is added twice.
func (r *Recorder) Flush(ctx context.Context) error {
	ctx = tenant.Unscoped(ctx) // a system path: usage of every account's keys
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	b, ok := r.take()
	if !ok {
		return nil
	}
	days, last := b.sorted()
	size := r.chunkRows
	for c := 0; c*size < max(len(days), len(last)); c++ {
		dc, lc := chunk(days, c, size), chunk(last, c, size)
		start := time.Now()
		countsIn, err := r.writeChunk(ctx, dc, lc)
		if err != nil {
			from := c * size
			if countsIn {
				from += len(dc) // committed: from now on only last uses are retried
			}
			r.giveBack(days[min(from, len(days)):], last[min(c*size, len(last)):])
			r.inFlight.Store(0)
			r.count(func(s *Stats) { s.FailedFlushes++ })
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				r.chunkRows = max(MinChunkRows, r.chunkRows/2)
			}
			return err
		}
		if time.Since(start) < ChunkTimeout/4 && r.chunkRows < r.maxChunkRows {
			r.chunkRows = min(r.maxChunkRows, 2*r.chunkRows)
		}
	}
	r.count(func(s *Stats) { s.Flushes++ })
	return nil
}

// chunk returns the c-th size rows of rows (empty past the end).
func chunk[T any](rows []T, c, size int) []T {
	lo := min(c*size, len(rows))
	return rows[lo:min(lo+size, len(rows))]
}

// sorted lists the batch in key order, so that every process locks rows in
// the same order (no deadlock between two processes' flushes).
func (b batch) sorted() ([]dayRow, []lastRow) {
	days := make([]dayRow, 0, len(b.days))
	for k, n := range b.days {
		days = append(days, dayRow{k.id, k.day, n})
	}
	slices.SortFunc(days, func(a, b dayRow) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.day, b.day)) })
	last := make([]lastRow, 0, len(b.last))
	for id, l := range b.last {
		last = append(last, lastRow{id, l})
	}
	slices.SortFunc(last, func(a, b lastRow) int { return cmp.Compare(a.id, b.id) })
	return days, last
}

// writeChunk writes one chunk: the counts, then the last uses. countsIn
// reports whether the counts were committed (a failed UPDATE after them
// must not give them back).
func (r *Recorder) writeChunk(ctx context.Context, days []dayRow, last []lastRow) (countsIn bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, ChunkTimeout)
	defer cancel()
	if len(days) > 0 {
		n, err := r.exec(ctx, r.insertCounts(days))
		if err != nil {
			return false, fmt.Errorf("usage flush: day counts: %w", err)
		}
		r.inFlight.Add(-int64(len(days)))
		r.count(func(s *Stats) { s.UsageRows += n; s.DroppedRows += int64(len(days)) - n })
	}
	if len(last) > 0 {
		n, err := r.exec(ctx, r.updateLastUsed(last))
		if err != nil {
			return true, fmt.Errorf("usage flush: last used: %w", err)
		}
		r.inFlight.Add(-int64(len(last)))
		r.count(func(s *Stats) { s.LastUsedWrites += n })
	}
	return true, nil
}

// statement is SQL text with its arguments.
type statement struct {
	sql  string
	args []any
}

func (r *Recorder) exec(ctx context.Context, st statement) (int64, error) {
	r.count(func(s *Stats) { s.Statements++ })
	if f := r.onExec.Load(); f != nil {
		(*f)(st.sql)
	}
	res, err := r.cfg.DB.SQL.ExecContext(ctx, st.sql, st.args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (r *Recorder) count(f func(*Stats)) {
	r.statsMu.Lock()
	f(&r.stats)
	r.statsMu.Unlock()
}

// insertCounts adds the day counts of keys that still exist.
func (r *Recorder) insertCounts(rows []dayRow) statement {
	pg := r.cfg.DB.IsPostgres()
	args := make([]any, 0, 3*len(rows))
	var b strings.Builder
	b.WriteString("WITH v(id, day, n) AS (VALUES ")
	for i, d := range rows {
		args = append(args, int64(d.id), time.Unix(int64(d.day)*86400, 0).UTC().Format(keyspkg.DayFormat), d.n)
		values(&b, pg, i, 3, "bigint", "text", "bigint")
	}
	b.WriteString(") INSERT INTO key_usages (api_key_id, day, count) SELECT v.id, v.day, v.n FROM v JOIN api_keys k ON k.id = v.id WHERE true")
	if pg {
		b.WriteString(" ORDER BY v.id, v.day FOR KEY SHARE OF k")
	}
	b.WriteString(" ON CONFLICT (api_key_id, day) DO UPDATE SET count = key_usages.count + excluded.count")
	return statement{b.String(), args}
}

// updateLastUsed moves each key's last use forward.
func (r *Recorder) updateLastUsed(rows []lastRow) statement {
	pg := r.cfg.DB.IsPostgres()
	args := make([]any, 0, 4*len(rows))
	var b strings.Builder
	b.WriteString("WITH v(id, t, ip, route) AS (VALUES ")
	for i, l := range rows {
		ip := ""
		if l.ip.IsValid() {
			ip = l.ip.Unmap().WithZone("").String()
		}
		args = append(args, int64(l.id), l.at.UTC().Truncate(time.Microsecond), ip, l.route) // as ent writes (db.microseconds)
		values(&b, pg, i, 4, "bigint", "timestamptz", "text", "text")
	}
	b.WriteString(") UPDATE api_keys SET last_used_at = v.t, last_used_ip = v.ip, last_used_route = v.route" +
		" FROM v WHERE api_keys.id = v.id AND api_keys.last_used_at < v.t")
	return statement{b.String(), args}
}

// values writes the i-th row of a VALUES list of n placeholders. On
// PostgreSQL the first row casts its parameters, which types the columns
// (SQLite compares what it is given: UTC times in one layout order as text,
// see db.OpenSQLiteFile).
func values(b *strings.Builder, pg bool, i, n int, pgTypes ...string) {
	if i > 0 {
		b.WriteByte(',')
	}
	b.WriteByte('(')
	for j := range n {
		if j > 0 {
			b.WriteByte(',')
		}
		if !pg {
			b.WriteByte('?')
			continue
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(i*n + j + 1))
		if i == 0 {
			b.WriteString("::")
			b.WriteString(pgTypes[j])
		}
	}
	b.WriteByte(')')
}
