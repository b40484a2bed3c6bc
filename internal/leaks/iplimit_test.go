package leaks

import (
	"testing"
	"time"
)

// Ensure an address gets limit requests, then waits for a token (Retry-After
// is the wait); others are unaffected, and one IPv6 /64 counts as one client.
func TestIPLimiter(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newIPLimiter(60, time.Hour, func() time.Time { return now })
	for i := range 60 {
		if ok, _ := l.allow("192.0.2.1"); !ok {
			t.Fatalf("request %d refused", i+1)
		}
	}
	ok, retry := l.allow("192.0.2.1")
	if ok || retry <= 0 || retry > time.Minute {
		t.Fatalf("request 61: %v, retry %v", ok, retry)
	}
	if ok, _ := l.allow("192.0.2.2"); !ok {
		t.Fatal("another address refused")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.allow("192.0.2.1"); !ok {
		t.Fatal("no token after a minute")
	}
	if ok, _ := l.allow("192.0.2.1"); ok {
		t.Fatal("two tokens after a minute")
	}
	for i := range 60 {
		l.allow("2001:db8::" + string(rune('a'+i%6)))
	}
	if ok, _ := l.allow("2001:db8::ffff"); ok {
		t.Fatal("a /64 got more than the limit")
	}
	now = now.Add(2 * time.Hour)
	l.prune(now)
	if len(l.buckets) != 0 {
		t.Fatalf("%d full buckets kept", len(l.buckets))
	}
}
