package syncbuf_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"businesstools/internal/syncbuf"
)

// Ensure concurrent writers lose nothing (run with -race).
func TestBufferConcurrentWrites(t *testing.T) {
	var b syncbuf.Buffer
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 100 {
				fmt.Fprintf(&b, "w%d-%d\n", w, i)
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "\n"); n != 800 {
		t.Fatalf("%d lines, want 800", n)
	}
}
