package recency

import (
	"testing"
	"time"
)

// Ensure a mark is due on the first hit and then once per Every.
func TestDue(t *testing.T) {
	var m Mark
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Duration
		want bool
	}{{0, true}, {0, false}, {Every - 1, false}, {Every, true}, {Every + Every/2, false}, {2 * Every, true}} {
		if got := m.Due(t0.Add(c.at)); got != c.want {
			t.Fatalf("Due at +%s = %v, want %v", c.at, got, c.want)
		}
	}
}
