package mail

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"businesstools/ent"
	"businesstools/ent/email"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// failingSender refuses every message with one fixed error, as an SMTP
// relay answering with a long reply would.
type failingSender struct{ err error }

func (failingSender) Name() string                             { return "smtp" }
func (s failingSender) Send(context.Context, *ent.Email) error { return s.err }

// Ensure an SMTP error longer than last_error holds, whose cut would fall
// inside a character (999 bytes then "é"), is stored cut at a character
// boundary: the message is queued again with its backoff and last error
// instead of staying "sending" because the database refused the update.
func TestWorkerLongErrorCutAtCharacter(t *testing.T) {
	d := testdb.Open(t)
	ids := enqueueN(t, d, 1)
	now := time.Now().UTC().Add(time.Second).Truncate(time.Second)
	sendErr := errors.New(strings.Repeat("x", 999) + "é and more after it")
	w := NewWorker(WorkerConfig{DB: d, Sender: failingSender{sendErr}, MaxAttempts: 5, BackoffBase: time.Minute,
		Now: func() time.Time { return now }})
	if _, err := w.RunOnce(tenant.Unscoped(context.Background())); err != nil {
		t.Fatalf("run: %v", err)
	}
	e := d.Client.Email.GetX(tenant.Unscoped(context.Background()), ids[0])
	if e.Status != email.StatusQueued || e.Attempts != 1 {
		t.Fatalf("status %s attempts %d, want queued after 1 attempt", e.Status, e.Attempts)
	}
	if got := e.NextAttemptAt.Sub(now); got != time.Minute {
		t.Fatalf("next attempt in %v, want the 1 min backoff", got)
	}
	if len(e.LastError) > 1000 || !utf8.ValidString(e.LastError) || !strings.HasPrefix(e.LastError, strings.Repeat("x", 990)) {
		t.Fatalf("last_error: %d bytes, valid UTF-8 %v", len(e.LastError), utf8.ValidString(e.LastError))
	}
}

// Ensure truncate keeps errors valid UTF-8 without NUL and within 1000 bytes.
func TestTruncate(t *testing.T) {
	for _, s := range []string{"", "short", strings.Repeat("é", 600), strings.Repeat("x", 999) + "é",
		strings.Repeat("x", 998) + "😀", "bad \xff byte\x00", strings.Repeat("\xff", 2000)} {
		got := truncate(s)
		if len(got) > 1000 || !utf8.ValidString(got) || strings.ContainsRune(got, 0) {
			t.Errorf("truncate(%.20q…) = %d bytes, valid %v", s, len(got), utf8.ValidString(got))
		}
		if len(s) <= 1000 && utf8.ValidString(s) && !strings.ContainsRune(s, 0) && got != s {
			t.Errorf("truncate changed a short valid error %q to %q", s, got)
		}
	}
}
