package listquery

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"

	"github.com/lib/pq"

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

// Recorder records the statements sent over its connections (see
// OpenRecorded) between Start and Stop: ent's queries and the raw ones of
// internal/keysearch alike, with their arguments as values so that a
// statement can be explained.
type Recorder struct {
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

func (r *Recorder) record(query string, args []driver.NamedValue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		st := Statement{SQL: query}
		for _, a := range args {
			st.Args = append(st.Args, a.Value)
		}
		r.stmts = append(r.stmts, st)
	}
}

// OpenRecorded opens the PostgreSQL database at url (already migrated)
// through connections that record into the returned Recorder, with an ent
// client scoped by the tenant interceptor and hook as db.Open's client is.
func OpenRecorded(url string) (*db.DB, *Recorder, error) {
	connector, err := pq.NewConnector(url)
	if err != nil {
		return nil, nil, err
	}
	rec := &Recorder{}
	sqlDB := sql.OpenDB(recordingConnector{connector, rec})
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dialect.Postgres, sqlDB)))
	client.Intercept(tenant.Interceptor())
	client.Use(tenant.Hook())
	return &db.DB{Client: client, SQL: sqlDB, Dialect: dialect.Postgres, URL: url}, rec, nil
}

type recordingConnector struct {
	driver.Connector
	rec *Recorder
}

func (c recordingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return recordingConn{conn, c.rec}, nil
}

// recordingConn passes everything to lib/pq's connection, recording queries
// and statements on the way.
type recordingConn struct {
	driver.Conn
	rec *Recorder
}

func (c recordingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.rec.record(query, args)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c recordingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.rec.record(query, args)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c recordingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c recordingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c recordingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c recordingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// ListStatements keeps the statements that read the key list: those on
// api_keys and its join table, and the name search's trigram step (not the
// session and admin look-ups).
func ListStatements(stmts []Statement) []Statement {
	var out []Statement
	for _, s := range stmts {
		if strings.Contains(s.SQL, `"api_key`) || strings.Contains(s.SQL, db.NameMatchesFunc) {
			out = append(out, s)
		}
	}
	return out
}

// Explain returns PostgreSQL's plan of st; with analyze it runs st and adds
// timings and buffer counts (EXPLAIN (ANALYZE, BUFFERS)).
// A call of db.NameMatchesFunc is explained as the query inside it, under
// the function's settings.
func Explain(ctx context.Context, sqlDB *sql.DB, st Statement, analyze bool) (string, error) {
	prefix := "EXPLAIN "
	if analyze {
		prefix = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	tx, err := sqlDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return "", fmt.Errorf("explain: %w", err)
	}
	defer tx.Rollback()
	if strings.Contains(st.SQL, db.NameMatchesFunc) {
		for _, set := range db.NameMatchesSettings {
			if _, err := tx.ExecContext(ctx, "SET LOCAL "+set); err != nil {
				return "", fmt.Errorf("explain: %w", err)
			}
		}
		st.SQL = db.NameMatchesQuery
	}
	rows, err := tx.QueryContext(ctx, prefix+st.SQL, st.Args...)
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
