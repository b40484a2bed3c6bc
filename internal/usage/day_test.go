package usage

import (
	"testing"
	"time"
)

// Ensure dayOf is the UTC date, across midnight, back and forth, without
// allocating once the day is known.
func TestDayOf(t *testing.T) {
	base := time.Date(2026, 3, 31, 23, 59, 59, 900_000_000, time.UTC)
	for _, at := range []time.Time{base, base.Add(200 * time.Millisecond), base, base.AddDate(1, 0, 0), base.Add(-24 * time.Hour)} {
		if got, want := dayOf(at), at.Format(dayFormat); got != want {
			t.Fatalf("dayOf(%s) = %s, want %s", at, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { dayOf(base) }); n != 0 {
		t.Fatalf("dayOf allocates %.0f times per call", n)
	}
}
