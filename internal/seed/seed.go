// Package seed fills an account with many realistic API keys for load tests
// and demos (`businesstools seed --account NAME --keys N`, DESIGN.md section
// 6). Keys are written in bulk — COPY on PostgreSQL, multi-row INSERTs on
// SQLite — straight into the tables, past the lifecycle service: no audit
// events, no sealed copies, and the secrets are thrown away as soon as they
// are hashed.
package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/migrate"
	"businesstools/ent/permission"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// MaxKeys bounds one run; a million is the scale the product promises.
const MaxKeys = 10_000_000

// Options says what to seed.
type Options struct {
	Account string    // the account's name; created when missing
	Keys    int       // how many keys to add
	Now     time.Time // the reference time of the distributions; zero means time.Now()
	// Seed makes the shape (names, permissions, times) reproducible; the
	// secrets are random regardless.
	Seed uint64
	// Progress, when set, is called after each stored chunk with the number
	// of keys stored so far.
	Progress func(done int)
}

// Result counts what a run stored.
type Result struct {
	AccountID      int
	Keys           int
	Inactive       int // switched off
	Used           int // with a last-used time
	Expiring       int // with an expiry still ahead
	Expired        int // with an expiry already past
	PermissionRows int // rows of the key–permission join table
	Elapsed        time.Duration
}

// Run adds opts.Keys keys to the account named opts.Account, creating the
// account when it does not exist. Keys are stored in chunks, each in its own
// transaction, so a server using the database meanwhile is never blocked
// for long; an error stops the run with the earlier chunks kept.
func Run(ctx context.Context, d *db.DB, opts Options) (Result, error) {
	started := time.Now()
	if opts.Keys < 1 || opts.Keys > MaxKeys {
		return Result{}, fmt.Errorf("seed: --keys must be between 1 and %d", MaxKeys)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC()
	ctx = tenant.Unscoped(ctx) // a system path: it writes for the account it names
	accountID, err := ensureAccount(ctx, d.Client, opts.Account)
	if err != nil {
		return Result{}, err
	}
	permIDs, err := permissionIDs(ctx, d.Client)
	if err != nil {
		return Result{}, err
	}
	w := newWriter(d, accountID, permIDs)
	res := Result{AccountID: accountID}
	gen := &generator{rnd: rand.New(rand.NewPCG(opts.Seed, 0x5eed)), now: opts.Now}

	// Generating (crypto/rand, SHA-256) overlaps with the database writing
	// earlier chunks, on as many connections as the database gains from.
	chunks := make(chan []key, 1)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(chunks)
		for from := 0; from < opts.Keys; from += w.chunkSize() {
			chunk := make([]key, min(w.chunkSize(), opts.Keys-from))
			for i := range chunk {
				k, err := gen.next(from+i, opts.Keys)
				if err != nil {
					return err
				}
				chunk[i] = k
			}
			select {
			case chunks <- chunk:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	var mu sync.Mutex // guards res and the progress calls
	for range w.writers() {
		g.Go(func() error {
			for chunk := range chunks {
				if err := w.write(gctx, chunk); err != nil {
					return err
				}
				mu.Lock()
				res.add(chunk, opts.Now)
				if opts.Progress != nil {
					opts.Progress(res.Keys)
				}
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	if err := w.finish(ctx); err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	res.Elapsed = time.Since(started)
	return res, nil
}

func (r *Result) add(chunk []key, now time.Time) {
	for _, k := range chunk {
		r.Keys++
		r.PermissionRows += len(profiles[k.profile].keys)
		if !k.active {
			r.Inactive++
		}
		if k.lastUsedAt.After(time.Unix(0, 0)) {
			r.Used++
		}
		if k.expiresAt != nil {
			if k.expiresAt.After(now) {
				r.Expiring++
			} else {
				r.Expired++
			}
		}
	}
}

// ensureAccount returns the id of the account named name, creating it.
func ensureAccount(ctx context.Context, c *ent.Client, name string) (int, error) {
	if name == "" || len([]rune(name)) > 100 {
		return 0, errors.New("seed: --account must be 1 to 100 characters")
	}
	id, err := c.Account.Query().Where(account.Name(name)).OnlyID(ctx)
	if ent.IsNotFound(err) {
		err = c.Account.Create().SetName(name).OnConflictColumns(account.FieldName).Ignore().Exec(ctx)
		if err == nil {
			id, err = c.Account.Query().Where(account.Name(name)).OnlyID(ctx)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("seed: account %q: %w", name, err)
	}
	return id, nil
}

// permissionIDs maps every permission key to its row id.
func permissionIDs(ctx context.Context, c *ent.Client) (map[permission.Key]int, error) {
	ps, err := c.Permission.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed: permissions: %w", err)
	}
	ids := make(map[permission.Key]int, len(ps))
	for _, p := range ps {
		ids[p.Key] = p.ID
	}
	for _, p := range profiles {
		for _, k := range p.keys {
			if _, ok := ids[k]; !ok {
				return nil, fmt.Errorf("seed: permission %s is missing; is the database migrated?", k)
			}
		}
	}
	return ids, nil
}

// firstKeyID is the api_keys table's first id (global ids give each table a
// range); seeded names count from it.
func firstKeyID() int { return *migrate.APIKeysTable.Annotation.IncrementStart }

// writer stores chunks of keys the fastest way its database knows.
type writer interface {
	chunkSize() int
	// writers is how many chunks are written at once: on PostgreSQL each
	// COPY keeps one core busy with index upkeep; SQLite has one writer.
	writers() int
	write(ctx context.Context, chunk []key) error
	// finish refreshes the planner's statistics, so the key lists use their
	// indexes at once instead of after the next auto-analyze.
	finish(ctx context.Context) error
}

func newWriter(d *db.DB, accountID int, permIDs map[permission.Key]int) writer {
	if d.IsPostgres() {
		return &pgWriter{d: d, accountID: accountID, permIDs: permIDs}
	}
	return &sqliteWriter{d: d, accountID: accountID, permIDs: permIDs}
}
