package apikey

import (
	"hash/crc32"
	"testing"
)

// Ensure the allocation-free CRC32 is the standard one.
func TestCRC32IEEE(t *testing.T) {
	for _, s := range []string{"", "a", "bt_0123456789abcdefghijABCDEFGHIJ0123456789abc", string(make([]byte, 300))} {
		if got, want := crc32IEEE(s), crc32.ChecksumIEEE([]byte(s)); got != want {
			t.Fatalf("crc32IEEE(%q) = %08x, want %08x", s, got, want)
		}
	}
}

// Ensure Parse allocates nothing, for a good key and a bad checksum alike:
// it runs on every request, the attacker's included.
func TestParse_NoAllocations(t *testing.T) {
	good, _ := Generate()
	bad := []byte(good)
	bad[5] ^= 1
	for _, k := range []string{good, string(bad)} {
		if n := testing.AllocsPerRun(100, func() { _ = Parse(k) }); n != 0 {
			t.Fatalf("Parse allocates %.0f times", n)
		}
	}
}
