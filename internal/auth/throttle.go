package auth

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// Policy says when repeated failures are slowed and when they are locked out.
type Policy struct {
	SlowAfter int           // failures before each further try must wait (1 s, 2 s, 4 s …)
	LockAfter int           // failures that lock the subject out
	LockFor   time.Duration // how long a lock-out lasts (also how long failures are remembered)
}

// Throttle counts failures per subject (an email, an IP) in a bounded
// in-memory LRU, so a flood of distinct subjects cannot exhaust memory.
type Throttle struct {
	policy Policy
	now    func() time.Time
	mu     sync.Mutex
	seen   *expirable.LRU[string, *failures]
}

type failures struct {
	count        int
	blockedUntil time.Time
}

// NewThrottle returns a Throttle with the policy, remembering up to 100 000 subjects.
func NewThrottle(p Policy, now func() time.Time) *Throttle {
	return &Throttle{policy: p, now: now, seen: expirable.NewLRU[string, *failures](100_000, nil, p.LockFor)}
}

// Wait returns how long the subject must wait before its next try (0: go ahead).
func (t *Throttle) Wait(subject string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wait(subject)
}

func (t *Throttle) wait(subject string) time.Duration {
	f, ok := t.seen.Get(subject)
	if !ok {
		return 0
	}
	if d := f.blockedUntil.Sub(t.now()); d > 0 {
		return d
	}
	return 0
}

// Begin starts a try: it returns the wait when the subject is slowed or
// locked, and otherwise counts the try as a failure up front, so parallel
// guesses cannot all slip past the check before any of them has failed.
// A try that succeeds calls Reset.
func (t *Throttle) Begin(subject string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d := t.wait(subject); d > 0 {
		return d
	}
	t.fail(subject)
	return 0
}

func (t *Throttle) fail(subject string) {
	f, ok := t.seen.Get(subject)
	if !ok {
		f = &failures{}
	}
	f.count++
	switch {
	case f.count >= t.policy.LockAfter:
		f.blockedUntil = t.now().Add(t.policy.LockFor)
	case f.count >= t.policy.SlowAfter:
		f.blockedUntil = t.now().Add(time.Second << min(f.count-t.policy.SlowAfter, 10))
	}
	t.seen.Add(subject, f)
}

// Undo takes back the failure Begin counted for a try that succeeded,
// keeping the subject's earlier failures (an IP's, say, whose other guesses
// one good password must not wipe out).
func (t *Throttle) Undo(subject string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f, ok := t.seen.Get(subject); ok && f.count > 0 {
		f.count--
		t.seen.Add(subject, f)
	}
}

// Reset forgets a subject's failures after a success.
func (t *Throttle) Reset(subject string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen.Remove(subject)
}
