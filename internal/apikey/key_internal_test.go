package apikey

import (
	"hash/crc32"
	"testing"
)

// Ensure the checksum is the documented one (secret scanners rely on it):
// the CRC32 (IEEE) of everything before it, in 6 base62 digits.
func TestChecksum_Format(t *testing.T) {
	body := "bt_0123456789abcdefghijABCDEFGHIJ0123456789abc"
	v := crc32.ChecksumIEEE([]byte(body))
	want := make([]byte, ChecksumLen)
	for i := ChecksumLen - 1; i >= 0; i-- {
		want[i] = alphabet[v%62]
		v /= 62
	}
	if got := checksum(body); got != string(want) {
		t.Fatalf("checksum = %s, want %s", got, want)
	}
	if Parse(body+string(want)) != nil {
		t.Fatal("Parse refuses a key with the right checksum")
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
