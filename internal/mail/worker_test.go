package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"businesstools/ent"
	"businesstools/ent/email"
	"businesstools/internal/db"
	"businesstools/internal/mail/mailtest"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// enqueueN puts n messages "msg 0" … into the outbox of a new account.
func enqueueN(t *testing.T, d *db.DB, n int) []int {
	t.Helper()
	ctx := tenant.Unscoped(context.Background())
	acct := d.Client.Account.Create().SetName(fmt.Sprintf("acct-%d", time.Now().UnixNano())).SaveX(ctx)
	ids := make([]int, n)
	for i := range n {
		e, err := Enqueue(ctx, d.Client, Message{AccountID: acct.ID, From: "App <noreply@example.com>",
			Recipients: Recipients{To: []string{fmt.Sprintf("r%d@example.com", i)}},
			Subject:    fmt.Sprintf("msg %d", i), Text: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = e.ID
	}
	return ids
}

// subjects counts received messages by subject.
func subjects(t *testing.T, rs []mailtest.Received) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range rs {
		m, err := mailtest.Parse(r.Data)
		if err != nil {
			t.Fatalf("parse received mail: %v", err)
		}
		out[m.Subject]++
	}
	return out
}

func smtpSender(t *testing.T, srv *mailtest.Server) Sender {
	t.Helper()
	s, err := NewSMTPSender(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// drain runs w until nothing is due.
func drain(t *testing.T, w *Worker) {
	t.Helper()
	for {
		n, err := w.RunOnce(tenant.Unscoped(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// Ensure a message that fails temporarily is retried after a doubling
// backoff, its attempts and last error recorded, and fails for good at the
// attempt limit. The clock is the test's: no waiting.
func TestWorkerRetriesWithBackoff(t *testing.T) {
	d := testdb.Open(t)
	srv := mailtest.Start(t, mailtest.FailFirst(2))
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	w := NewWorker(WorkerConfig{DB: d, Sender: smtpSender(t, srv), MaxAttempts: 5, BackoffBase: time.Minute,
		Now: func() time.Time { return now }})
	ids := enqueueN(t, d, 1)
	ctx := tenant.Unscoped(context.Background())
	// enqueueN stamps next_attempt_at with the wall clock; start the test clock after it.
	now = time.Now().UTC().Add(2 * time.Second).Truncate(time.Second)

	for attempt, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("attempt %d: claimed %d, %v", attempt+1, n, err)
		}
		e := d.Client.Email.GetX(ctx, ids[0])
		if e.Status != email.StatusQueued || e.Attempts != attempt+1 || !strings.Contains(e.LastError, "451") {
			t.Fatalf("after attempt %d: status %s attempts %d last_error %q", attempt+1, e.Status, e.Attempts, e.LastError)
		}
		if got := e.NextAttemptAt.Sub(now); got != wait {
			t.Fatalf("after attempt %d: next attempt in %v, want %v", attempt+1, got, wait)
		}
		if n, _ := w.RunOnce(ctx); n != 0 {
			t.Fatalf("a message was retried before its backoff ran out")
		}
		now = now.Add(wait)
	}
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("third attempt: claimed %d, %v", n, err)
	}
	e := d.Client.Email.GetX(ctx, ids[0])
	if e.Status != email.StatusSent || e.Attempts != 3 || e.LastError != "" || e.Sink != "smtp" || e.SentAt == nil {
		t.Fatalf("after success: %+v", e)
	}
	if got := srv.Tries(); got != 3 {
		t.Fatalf("server saw %d tries, want 3", got)
	}
	if got := len(srv.Received()); got != 1 {
		t.Fatalf("server accepted %d messages, want 1", got)
	}
}

// Ensure a message that keeps failing is marked failed at the limit.
func TestWorkerGivesUpAtLimit(t *testing.T) {
	d := testdb.Open(t)
	srv := mailtest.Start(t, mailtest.FailFirst(100))
	now := time.Now().UTC().Add(time.Second)
	w := NewWorker(WorkerConfig{DB: d, Sender: smtpSender(t, srv), MaxAttempts: 3, BackoffBase: time.Second,
		Now: func() time.Time { return now }})
	ids := enqueueN(t, d, 1)
	for range 3 {
		drain(t, w)
		now = now.Add(time.Hour)
	}
	e := d.Client.Email.GetX(tenant.Unscoped(context.Background()), ids[0])
	if e.Status != email.StatusFailed || e.Attempts != 3 || !strings.Contains(e.LastError, "451") {
		t.Fatalf("got status %s attempts %d last_error %q", e.Status, e.Attempts, e.LastError)
	}
	if n, _ := w.RunOnce(tenant.Unscoped(context.Background())); n != 0 || srv.Tries() != 3 {
		t.Fatalf("a failed message was tried again (%d tries)", srv.Tries())
	}
}

// Ensure the backoff doubles and is capped.
func TestBackoff(t *testing.T) {
	w := NewWorker(WorkerConfig{BackoffBase: time.Second, MaxBackoff: 10 * time.Second})
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 40: 10 * time.Second} {
		if got := w.Backoff(attempt); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
}

// Ensure a restart mid-queue loses nothing and sends nothing twice: one
// worker sends part of the queue and stops, another dies holding claims,
// and a new worker on the same database delivers the rest once their lease
// has run out.
func TestWorkerRestartMidQueue(t *testing.T) {
	d := testdb.Open(t)
	srv := mailtest.Start(t)
	ids := enqueueN(t, d, 9)
	ctx := tenant.Unscoped(context.Background())

	first := NewWorker(WorkerConfig{DB: d, Sender: smtpSender(t, srv), BatchSize: 3})
	if n, err := first.RunOnce(ctx); err != nil || n != 3 {
		t.Fatalf("first worker: %d, %v", n, err)
	}
	// A worker that dies right after claiming two messages.
	crashed := NewWorker(WorkerConfig{DB: d, Sender: smtpSender(t, srv), BatchSize: 2})
	claimed, err := crashed.claim(ctx)
	if err != nil || len(claimed.ids) != 2 {
		t.Fatalf("crashed worker's claim: %v, %v", claimed.ids, err)
	}

	// The new process: at first the dead worker's claims are respected …
	later := time.Now()
	next := NewWorker(WorkerConfig{DB: d, Sender: smtpSender(t, srv), Now: func() time.Time { return later }})
	drain(t, next)
	if got := len(srv.Received()); got != 7 {
		t.Fatalf("after restart, %d sent; want 7 (2 still claimed)", got)
	}
	// … and once their lease ran out they are delivered too.
	later = time.Now().Add(6 * time.Minute)
	drain(t, next)

	got := subjects(t, srv.Received())
	for i := range ids {
		if n := got[fmt.Sprintf("msg %d", i)]; n != 1 {
			t.Errorf("msg %d delivered %d times", i, n)
		}
	}
	if n := d.Client.Email.Query().Where(email.StatusEQ(email.StatusSent)).CountX(ctx); n != len(ids) {
		t.Errorf("%d of %d marked sent", n, len(ids))
	}
}

// Ensure Stop ends the loop and a worker started later on the same database
// delivers what was enqueued while none ran.
func TestWorkerStartStop(t *testing.T) {
	d := testdb.Open(t)
	srv := mailtest.Start(t)
	w := NewWorker(WorkerConfig{DB: d, Sender: smtpSender(t, srv), PollInterval: 10 * time.Millisecond})
	w.Start()
	enqueueN(t, d, 2)
	w.Notify()
	if got := srv.WaitFor(2, 20*time.Second); len(got) != 2 {
		t.Fatalf("received %d, want 2", len(got))
	}
	if err := w.Stop(tenant.Unscoped(context.Background())); err != nil {
		t.Fatal(err)
	}
	enqueueN(t, d, 3)
	w2 := NewWorker(WorkerConfig{DB: d, Sender: smtpSender(t, srv), PollInterval: 10 * time.Millisecond})
	w2.Start()
	defer w2.Stop(tenant.Unscoped(context.Background()))
	if got := srv.WaitFor(5, 20*time.Second); len(got) != 5 {
		t.Fatalf("received %d, want 5", len(got))
	}
}

// Ensure several workers at once (as several server processes sharing
// PostgreSQL would run them) never send one message twice.
func TestWorkersNeverSendTwice(t *testing.T) {
	d := testdb.Open(t)
	srv := mailtest.Start(t)
	const n = 40
	enqueueN(t, d, n)
	var workers []*Worker
	for range 4 {
		// Each worker gets its own database handle where the database allows
		// it, as separate processes would.
		wd := d
		if d.IsPostgres() {
			var err error
			if wd, err = db.Open(tenant.Unscoped(context.Background()), d.URL, ""); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { wd.Close() })
		}
		w := NewWorker(WorkerConfig{DB: wd, Sender: smtpSender(t, srv), BatchSize: 3, PollInterval: 10 * time.Millisecond})
		workers = append(workers, w)
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); w.Start() }()
	}
	wg.Wait()
	got := srv.WaitFor(n, 60*time.Second)
	for _, w := range workers {
		if err := w.Stop(tenant.Unscoped(context.Background())); err != nil {
			t.Fatal(err)
		}
	}
	counts := subjects(t, srv.Received())
	if len(got) != n || len(counts) != n {
		t.Fatalf("received %d messages with %d subjects, want %d", len(srv.Received()), len(counts), n)
	}
	for s, c := range counts {
		if c != 1 {
			t.Errorf("%s delivered %d times", s, c)
		}
	}
}

// Ensure the capture sink marks mail sent without a relay.
func TestCaptureSink(t *testing.T) {
	d := testdb.Open(t)
	ids := enqueueN(t, d, 2)
	w := NewWorker(WorkerConfig{DB: d})
	drain(t, w)
	for _, id := range ids {
		e := d.Client.Email.GetX(tenant.Unscoped(context.Background()), id)
		if e.Status != email.StatusSent || e.Sink != "capture" || e.Attempts != 1 {
			t.Fatalf("email %d: %s via %q after %d attempts", id, e.Status, e.Sink, e.Attempts)
		}
	}
}

// Ensure the relay URL is parsed and never shown with its password.
func TestNewSMTPSender(t *testing.T) {
	s, err := NewSMTPSender("smtps://user:s3cret@mail.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if s.port != 465 || !s.implicitTLS || s.user != "user" || s.pass != "s3cret" {
		t.Fatalf("parsed %+v", s)
	}
	if strings.Contains(s.String(), "s3cret") {
		t.Fatalf("String() shows the password: %s", s)
	}
	for _, bad := range []string{"http://x", "smtp://", "smtp://h:0", "smtp://h:x", "::"} {
		if _, err := NewSMTPSender(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if s, _ := NewSMTPSender("smtp://relay:2525"); s.port != 2525 || s.implicitTLS {
		t.Errorf("smtp://relay:2525 parsed as %+v", s)
	}
}

// Ensure recipients are checked and named by position.
func TestRecipientsCheck(t *testing.T) {
	r := Recipients{To: []string{"a@example.com", "Bob <b@example.com>"}, Cc: []string{"nope"}}
	if err := r.Check(); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("got %v", err)
	}
	many := make([]string, MaxRecipients+1)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@example.com", i)
	}
	if err := (&Recipients{To: many}).Check(); err == nil {
		t.Fatal("51 recipients accepted")
	}
	ok := Recipients{To: []string{" a@example.com "}, ReplyTo: "Help <help@example.com>"}
	if err := ok.Check(); err != nil || ok.To[0] != "a@example.com" {
		t.Fatalf("got %v %v", ok, err)
	}
}

// clock is a test clock several goroutines read.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// blockFirst is a Sender whose first Send signals started, then waits for
// release (or its context) and returns err; later sends go to Sender.
type blockFirst struct {
	Sender
	started, release chan struct{}
	err              error
	once             sync.Once
}

func (s *blockFirst) Send(ctx context.Context, e *ent.Email) error {
	first := false
	s.once.Do(func() { first = true })
	if !first {
		return s.Sender.Send(ctx, e)
	}
	close(s.started)
	select {
	case <-s.release:
		return s.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Ensure a message whose claim ran out while its worker was busy with an
// earlier one of the batch is sent exactly once: worker A's first send is
// slow (the clock moves past A's lease, as SendTimeout < Lease would have
// ended that send with an error), worker B claims and delivers the batch,
// and A then neither records over B's outcome nor sends the rest again.
func TestWorkerLostClaimNotSentTwice(t *testing.T) {
	d := testdb.Open(t)
	srv := mailtest.Start(t)
	ids := enqueueN(t, d, 4)
	clk := &clock{now: time.Now().UTC().Add(2 * time.Second)}
	slow := &blockFirst{Sender: smtpSender(t, srv), started: make(chan struct{}), release: make(chan struct{}),
		err: errors.New("relay timed out")}
	a := NewWorker(WorkerConfig{DB: d, Sender: slow, Now: clk.Now})
	wd := d
	if d.IsPostgres() { // another process
		var err error
		if wd, err = db.Open(tenant.Unscoped(context.Background()), d.URL, ""); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { wd.Close() })
	}
	b := NewWorker(WorkerConfig{DB: wd, Sender: smtpSender(t, srv), Now: clk.Now})

	type result struct {
		n   int
		err error
	}
	doneA := make(chan result, 1)
	go func() {
		n, err := a.RunOnce(tenant.Unscoped(context.Background()))
		doneA <- result{n, err}
	}()
	<-slow.started
	clk.Add(a.cfg.Lease + time.Second)
	drain(t, b)
	close(slow.release)
	if r := <-doneA; r.err != nil || r.n != len(ids) {
		t.Fatalf("worker A: claimed %d, %v", r.n, r.err)
	}
	drain(t, a)
	drain(t, b)

	got := subjects(t, srv.Received())
	for i := range ids {
		if n := got[fmt.Sprintf("msg %d", i)]; n != 1 {
			t.Errorf("msg %d delivered %d times", i, n)
		}
	}
	for _, id := range ids {
		e := d.Client.Email.GetX(tenant.Unscoped(context.Background()), id)
		if e.Status != email.StatusSent || e.LastError != "" || e.ClaimedBy != "" || e.LockedUntil != nil {
			t.Errorf("email %d: status %s last_error %q claimed_by %q", id, e.Status, e.LastError, e.ClaimedBy)
		}
	}
}

// Ensure a claim whose lease ran out but that nobody took meanwhile is
// still delivered by its worker, once.
func TestWorkerExpiredClaimStillOwned(t *testing.T) {
	d := testdb.Open(t)
	srv := mailtest.Start(t)
	ids := enqueueN(t, d, 3)
	clk := &clock{now: time.Now().UTC().Add(2 * time.Second)}
	slow := &blockFirst{Sender: smtpSender(t, srv), started: make(chan struct{}), release: make(chan struct{})}
	w := NewWorker(WorkerConfig{DB: d, Sender: slow, Now: clk.Now})
	go func() { <-slow.started; clk.Add(w.cfg.Lease + time.Second); close(slow.release) }()
	if n, err := w.RunOnce(tenant.Unscoped(context.Background())); err != nil || n != len(ids) {
		t.Fatalf("claimed %d, %v", n, err)
	}
	// The first "send" returned nil without relaying; the other two went out.
	if got := len(srv.Received()); got != 2 {
		t.Fatalf("relayed %d, want 2", got)
	}
	if n := d.Client.Email.Query().Where(email.StatusEQ(email.StatusSent)).CountX(tenant.Unscoped(context.Background())); n != len(ids) {
		t.Fatalf("%d of %d marked sent", n, len(ids))
	}
}

// Ensure Stop with a context that has already ended still hands back the
// message in flight (queued, attempt not counted, no claim) instead of
// leaving it claimed until its lease runs out, and that it is delivered
// afterwards.
func TestWorkerStopHandsBackInFlight(t *testing.T) {
	d := testdb.Open(t)
	srv := mailtest.Start(t)
	ids := enqueueN(t, d, 2)
	slow := &blockFirst{Sender: smtpSender(t, srv), started: make(chan struct{}), release: make(chan struct{})}
	w := NewWorker(WorkerConfig{DB: d, Sender: slow, PollInterval: time.Hour})
	w.Start()
	w.Notify()
	<-slow.started
	ctx, cancel := context.WithCancel(tenant.Unscoped(context.Background()))
	cancel()
	if err := w.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for _, id := range ids {
		e := d.Client.Email.GetX(tenant.Unscoped(context.Background()), id)
		if e.Status != email.StatusQueued || e.Attempts != 0 || e.LockedUntil != nil || e.ClaimedBy != "" {
			t.Fatalf("email %d after stop: status %s attempts %d locked_until %v claimed_by %q",
				id, e.Status, e.Attempts, e.LockedUntil, e.ClaimedBy)
		}
	}
	drain(t, NewWorker(WorkerConfig{DB: d, Sender: smtpSender(t, srv)}))
	if got := subjects(t, srv.Received()); len(got) != 2 || got["msg 0"] != 1 || got["msg 1"] != 1 {
		t.Fatalf("delivered after restart: %v", got)
	}
}
