package ratelimit

import (
	"testing"
	"time"
)

// Ensure the bucket holds Burst requests, refills at the rate, and a key's
// own limit overrides the default (the clock is fake: nothing here waits).
func TestLimiter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := New(5, 10)
	l.now = func() time.Time { return now }

	for i := range Burst(5) {
		if d := l.Allow(1, 0); !d.Allowed || d.Limit != 10 || d.Remaining != 10-i-1 {
			t.Fatalf("request %d: %+v", i+1, d)
		}
	}
	d := l.Allow(1, 0)
	if d.Allowed || d.RetryAfter != 200*time.Millisecond || d.Remaining != 0 || d.Reset != 2*time.Second {
		t.Fatalf("over the limit: %+v", d)
	}
	now = now.Add(time.Second) // earns 5 back
	if d := l.Allow(1, 0); !d.Allowed || d.Remaining != 4 {
		t.Fatalf("a second later: %+v", d)
	}
	// Another key has its own bucket; an override changes the size.
	if d := l.Allow(2, 100); !d.Allowed || d.Limit != 200 || d.Remaining != 199 {
		t.Fatalf("key with its own limit: %+v", d)
	}
	// A changed limit starts a fresh bucket.
	if d := l.Allow(1, 1); !d.Allowed || d.Limit != 2 || d.Remaining != 1 {
		t.Fatalf("after the key's limit changed: %+v", d)
	}
}
