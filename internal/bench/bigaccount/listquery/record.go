package listquery

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"businesstools/ent"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// Statement is one SQL statement an ent client sent, with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// Recorder is an ent driver that keeps the statements sent outside
// transactions (the list queries run outside them), like ent's debug driver
// but keeping the arguments as values so the statement can be explained.
type Recorder struct {
	dialect.Driver
	mu    sync.Mutex
	on    bool
	stmts []Statement
}

// Start forgets what was recorded and records from now on.
func (r *Recorder) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on, r.stmts = true, nil
}

// Stop stops recording and returns the statements recorded since Start.
func (r *Recorder) Stop() []Statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.stmts
}

func (r *Recorder) record(query string, args any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		a, _ := args.([]any)
		r.stmts = append(r.stmts, Statement{SQL: query, Args: append([]any(nil), a...)})
	}
}

// Query records and runs a query.
func (r *Recorder) Query(ctx context.Context, query string, args, v any) error {
	r.record(query, args)
	return r.Driver.Query(ctx, query, args, v)
}

// Exec records and runs a statement.
func (r *Recorder) Exec(ctx context.Context, query string, args, v any) error {
	r.record(query, args)
	return r.Driver.Exec(ctx, query, args, v)
}

// OpenRecorded opens the PostgreSQL database at url (already migrated) with
// an ent client whose statements go through a Recorder, scoped by the tenant
// interceptor and hook as db.Open's client is.
func OpenRecorded(url string) (*db.DB, *Recorder, error) {
	sqlDB, err := sql.Open("postgres", url)
	if err != nil {
		return nil, nil, err
	}
	rec := &Recorder{Driver: entsql.OpenDB(dialect.Postgres, sqlDB)}
	client := ent.NewClient(ent.Driver(rec))
	client.Intercept(tenant.Interceptor())
	client.Use(tenant.Hook())
	return &db.DB{Client: client, SQL: sqlDB, Dialect: dialect.Postgres, URL: url}, rec, nil
}

// ListStatements keeps the statements that read the key list: those on
// api_keys and its join table (not the session and admin look-ups).
func ListStatements(stmts []Statement) []Statement {
	var out []Statement
	for _, s := range stmts {
		if strings.Contains(s.SQL, `"api_key`) {
			out = append(out, s)
		}
	}
	return out
}

// Explain returns PostgreSQL's plan of st; with analyze it runs st and adds
// timings and buffer counts (EXPLAIN (ANALYZE, BUFFERS)).
func Explain(ctx context.Context, sqlDB *sql.DB, st Statement, analyze bool) (string, error) {
	prefix := "EXPLAIN "
	if analyze {
		prefix = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	rows, err := sqlDB.QueryContext(ctx, prefix+st.SQL, st.Args...)
	if err != nil {
		return "", fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

// SeqScans returns the plan's lines that read a key table sequentially.
func SeqScans(plan string) []string {
	var out []string
	for _, line := range strings.Split(plan, "\n") {
		if strings.Contains(line, "Seq Scan on api_key") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}
