package sweep_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"businesstools/ent/migrate"
	"businesstools/internal/apptest"
	"businesstools/internal/requestid"
)

// Seed fixes the generated requests: a failure reproduces run after run.
const Seed = 7

// MaxAnswerTime is the slowest answer the sweep accepts (DESIGN.md section 7).
const MaxAnswerTime = time.Second

// driverText matches what must never reach a client: database driver and
// ent error text, Go source positions, panics and server file paths. The
// hostile strings the sweep sends are chosen not to match it, since error
// messages may quote them.
var driverText = regexp.MustCompile(`pq:|(?i:sqlite)|SQL logic|SQLSTATE|\bSQL\b|\bent:|\.go:\d+|goroutine \d|runtime error|panic:|/root/|/home/|/usr/|/tmp/|/var/`)

// sweeper sends requests to one test server and checks every answer.
type sweeper struct {
	t      *testing.T
	app    *apptest.App
	rng    *rand.Rand
	client *http.Client
	// stubFields are fields whose resolvers panic "not implemented".
	stubFields map[string]bool
	// stubOps are root operations skipped because they are stubs.
	stubOps  map[string]bool
	sent     map[string]int // requests by sweep
	failures int
	bodies   *bodies              // REST bodies, with what the server taught them
	sessions map[string]string    // by email (see session)
	selects  map[string]*sql.Stmt // by table (see digest)
	// last is the state after the last checked request, the state before
	// the next one unless something else changed it since (see stale).
	last state
}

func newSweeper(t *testing.T, app *apptest.App) *sweeper {
	return &sweeper{t: t, app: app, rng: rand.New(rand.NewPCG(Seed, Seed)),
		client:     &http.Client{Timeout: 30 * time.Second},
		stubFields: map[string]bool{}, stubOps: map[string]bool{}, sent: map[string]int{}, bodies: &bodies{}, sessions: map[string]string{}, selects: map[string]*sql.Stmt{}}
}

// fail records a failure; after 40 the rest are counted, not printed.
func (s *sweeper) fail(format string, args ...any) {
	s.t.Helper()
	s.failures++
	if s.failures <= 40 {
		s.t.Errorf(format, args...)
	}
}

// answer is one HTTP exchange.
type answer struct {
	Status  int
	Header  http.Header
	Body    []byte
	Elapsed time.Duration
}

// request is what the sweep sends.
type request struct {
	Method, Path string // Path includes the query string
	Header       http.Header
	Body         []byte
}

func (r request) String() string {
	body := r.Body
	if len(body) > 200 {
		body = append(slices.Clip(body[:200]), "…"...)
	}
	return fmt.Sprintf("%s %.200s %q", r.Method, r.Path, body)
}

// do sends r, once more if the first answer was slow (the machine may be
// busy for a moment; a request that is slow twice is slow).
func (s *sweeper) do(sweep string, r request) answer {
	s.t.Helper()
	s.sent[sweep]++
	a := s.once(r)
	if a.Elapsed > MaxAnswerTime*raceSlowdown {
		s.sent[sweep]++
		if b := s.once(r); b.Elapsed < a.Elapsed {
			a = b
		}
	}
	return a
}

func (s *sweeper) once(r request) answer {
	s.t.Helper()
	req, err := http.NewRequest(r.Method, s.app.HTTP.URL+r.Path, bytes.NewReader(r.Body))
	if err != nil {
		s.t.Fatalf("build %s: %v", r, err)
	}
	if r.Body == nil {
		req.Body, req.ContentLength = nil, 0
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s: %v", r, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: body, Elapsed: time.Since(start)}
}

// checkAnswer applies the checks every answer must pass.
func (s *sweeper) checkAnswer(r request, a answer) {
	s.t.Helper()
	if a.Elapsed > MaxAnswerTime*raceSlowdown {
		s.fail("slow answer (%v): %s", a.Elapsed, r)
	}
	if m := driverText.Find(a.Body); m != nil {
		s.fail("driver text %q in the answer %d %.400s to %s", m, a.Status, a.Body, r)
	}
	if a.Header.Get(requestid.Header) == "" {
		s.fail("no %s header in the answer to %s", requestid.Header, r)
	}
}

// logged returns the log lines of the request with the id.
func (s *sweeper) logged(id string) string {
	var out []string
	for _, line := range strings.Split(s.app.Logs.String(), "\n") {
		if id != "" && strings.Contains(line, `"request_id":"`+id+`"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// stubPanic reports whether the request with the id hit a "not implemented"
// stub, and which field.
func (s *sweeper) stubPanic(id string) (field string, ok bool) {
	if id == "" {
		return "", false
	}
	for _, line := range strings.Split(s.app.Logs.String(), "\n") {
		if !strings.Contains(line, `"request_id":"`+id+`"`) || !strings.Contains(line, "not implemented") {
			continue
		}
		var entry struct{ Panic string }
		_ = json.Unmarshal([]byte(line), &entry)
		_, field, _ = strings.Cut(entry.Panic, " - ")
		return strings.TrimSpace(field), true
	}
	return "", false
}

// state digests every table (per table, so a failure names the one that
// changed), leaving out what changes without a request: usage counters,
// last-use columns, the mail worker's delivery columns, session activity,
// and the audit rows a refused request is meant to write (failed reveals
// and logins).
type state map[string]string

var volatile = map[string]bool{
	"key_usages":   true,
	"last_used_at": true, "last_used_ip": true, "last_used_route": true, "last_seen_at": true,
	"status@emails": true, "attempts": true, "last_error": true, "next_attempt_at": true,
	"locked_until": true, "claimed_by": true, "sent_at": true, "sink": true,
}

var refusalAudit = []string{"REVEAL_FAILED", "LOGIN_FAILED"}

// before returns the state before a request: the last one seen, or a
// fresh digest.
func (s *sweeper) before() state {
	if s.last == nil {
		s.last = s.state()
	}
	return s.last
}

// after takes the state after a request; it is the next request's before.
func (s *sweeper) after() state {
	s.last = s.state()
	return s.last
}

// stale marks the last state out of date: a request the sweep does not
// check (a fixture, a session) may have changed the database.
func (s *sweeper) stale() { s.last = nil }

func (s *sweeper) state() state {
	s.t.Helper()
	st := state{}
	for _, table := range migrate.Tables {
		if volatile[table.Name] {
			continue
		}
		st[table.Name] = s.digest(table.Name)
	}
	return st
}

func (s *sweeper) digest(table string) string {
	s.t.Helper()
	stmt := s.selects[table]
	if stmt == nil {
		var err error
		if stmt, err = s.app.DB.SQL.Prepare("SELECT * FROM " + table); err != nil {
			s.t.Fatalf("snapshot %s: %v", table, err)
		}
		s.selects[table] = stmt
		s.t.Cleanup(func() { stmt.Close() })
	}
	rows, err := stmt.QueryContext(context.Background())
	if err != nil {
		s.t.Fatalf("snapshot %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			s.t.Fatalf("snapshot %s: %v", table, err)
		}
		var b strings.Builder
		skip := false
		for i, c := range cols {
			if volatile[c] || volatile[c+"@"+table] {
				continue
			}
			v := vals[i]
			if raw, ok := v.([]byte); ok {
				v = hex.EncodeToString(raw)
			}
			if c == "action" && table == "audit_events" && slices.Contains(refusalAudit, fmt.Sprint(v)) {
				skip = true
			}
			if t, ok := v.(time.Time); ok {
				v = t.UTC().Format(time.RFC3339Nano)
			}
			fmt.Fprintf(&b, "%s=%v|", c, v)
		}
		if !skip {
			lines = append(lines, b.String())
		}
	}
	if err := rows.Err(); err != nil && err != sql.ErrNoRows {
		s.t.Fatalf("snapshot %s: %v", table, err)
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return fmt.Sprintf("%d rows %x", len(lines), sum[:6])
}

// changed names the tables whose digest differs.
func (before state) changed(after state) []string {
	var out []string
	for table, d := range after {
		if before[table] != d {
			out = append(out, fmt.Sprintf("%s (%s → %s)", table, before[table], d))
		}
	}
	slices.Sort(out)
	return out
}
