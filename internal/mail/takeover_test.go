package mail

import (
	"context"
	"fmt"
	"testing"
	"time"

	"businesstools/ent"
	"businesstools/ent/email"
	"businesstools/internal/db"
	"businesstools/internal/mail/mailtest"
	"businesstools/internal/proctest"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure mail claimed by a process killed with SIGKILL is delivered by
// another process within its lease, exactly once: process A claims the
// whole queue and hangs on a relay that never answers; process B, on the
// same database with a working relay, leaves A's claims alone while A lives
// (A's heartbeat renews them for more than two leases); A is killed; B
// delivers every message once within the lease plus its poll interval.
// The lease is 2 s here (BT_MAIL_LEASE); in production it is 30 s, so mail
// waits at most about 31 s after its process died.
func TestTakeoverAfterKill(t *testing.T) {
	pg := proctest.PostgresURL(t)
	bin := proctest.Build(t)
	const lease, n = 2 * time.Second, 6
	hung := mailtest.Start(t, mailtest.Stall())
	relay := mailtest.Start(t)
	env := append(proctest.Env(t, pg), "BT_MAIL_LEASE="+lease.String())
	a := proctest.Start(t, bin, append(env, "BT_SMTP_URL="+hung.URL)...)

	ctx := tenant.Unscoped(context.Background())
	d, err := db.Open(ctx, pg, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	acct := d.Client.Account.Query().FirstX(ctx)
	err = db.WithTx(ctx, d.Client, func(tx *ent.Tx) error { // one commit: A claims them all at once
		for i := range n {
			if _, err := Enqueue(ctx, tx.Client(), Message{AccountID: acct.ID, From: "App <noreply@example.com>",
				Recipients: Recipients{To: []string{fmt.Sprintf("r%d@example.com", i)}},
				Subject:    fmt.Sprintf("msg %d", i), Text: "hello"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	waitFor(t, 10*time.Second, "A to hang on its first send", func() bool { return hung.Stalled() == 1 })
	token := claimedBy(t, d)
	proctest.Start(t, bin, append(env, "BT_SMTP_URL="+relay.URL)...) // B
	time.Sleep(2 * lease)                                            // A lives: its heartbeat must keep every claim
	if got := len(relay.Received()); got != 0 || claimedBy(t, d) != token {
		t.Fatalf("B took over from a live process: %d delivered", got)
	}

	killed := time.Now()
	a.Kill(t)
	got := relay.WaitFor(n, 60*time.Second)
	tookOver := time.Since(killed)
	subjects := subjects(t, got)
	for i := range n {
		if c := subjects[fmt.Sprintf("msg %d", i)]; c != 1 {
			t.Errorf("msg %d delivered %d times", i, c)
		}
	}
	if len(got) != n || len(hung.Received()) != 0 {
		t.Fatalf("%d delivered by B, %d by the hung relay; want %d, 0", len(got), len(hung.Received()), n)
	}
	// Lease from A's last heartbeat, B's poll (1 s), six sends.
	t.Logf("all %d delivered by B %v after A was killed (lease %v)", n, tookOver.Round(time.Millisecond), lease)
	if tookOver > lease+4*time.Second {
		t.Fatalf("took %v after the kill; want within the lease (%v) and a poll", tookOver, lease)
	}
	waitFor(t, 5*time.Second, "every message marked sent", func() bool {
		return d.Client.Email.Query().Where(email.StatusEQ(email.StatusSent)).CountX(ctx) == n
	})
}

// claimedBy returns the one claim token every queued message carries.
func claimedBy(t *testing.T, d *db.DB) string {
	t.Helper()
	es := d.Client.Email.Query().AllX(tenant.Unscoped(context.Background()))
	for _, e := range es {
		if e.Status != email.StatusSending || e.ClaimedBy != es[0].ClaimedBy || e.LockedUntil == nil || e.LockedUntil.Before(time.Now()) {
			t.Fatalf("email %d: status %s claimed_by %q locked_until %v; want all claimed by one live worker",
				e.ID, e.Status, e.ClaimedBy, e.LockedUntil)
		}
	}
	return es[0].ClaimedBy
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Ensure a worker's heartbeat keeps its claims for as long as a send takes,
// well past the lease, so that no other worker sends them again; and that
// the claims end with the work (nothing is renewed after it).
func TestHeartbeatKeepsClaim(t *testing.T) {
	d := testdb.Open(t)
	srv := mailtest.Start(t)
	ids := enqueueN(t, d, 3)
	const lease = 300 * time.Millisecond
	slow := &blockFirst{Sender: smtpSender(t, srv), started: make(chan struct{}), release: make(chan struct{})}
	a := NewWorker(WorkerConfig{DB: d, Sender: slow, Lease: lease})
	b := NewWorker(WorkerConfig{DB: d, Sender: smtpSender(t, srv), Lease: lease})
	done := make(chan error, 1)
	go func() { _, err := a.RunOnce(context.Background()); done <- err }()
	<-slow.started
	for range 4 { // four leases
		time.Sleep(lease)
		if n, err := b.RunOnce(context.Background()); n != 0 || err != nil {
			t.Fatalf("another worker claimed %d messages of a live worker (%v)", n, err)
		}
	}
	close(slow.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The first "send" returned nil without relaying; the other two went out once.
	if got := subjects(t, srv.Received()); len(got) != 2 || got["msg 1"] != 1 || got["msg 2"] != 1 {
		t.Fatalf("relayed %v", got)
	}
	for _, id := range ids {
		if e := d.Client.Email.GetX(tenant.Unscoped(context.Background()), id); e.Status != email.StatusSent || e.ClaimedBy != "" || e.LockedUntil != nil {
			t.Fatalf("email %d: %s claimed_by %q locked_until %v", id, e.Status, e.ClaimedBy, e.LockedUntil)
		}
	}
}
