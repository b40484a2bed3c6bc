package apikey_test

import (
	"strings"
	"testing"

	"businesstools/internal/apikey"
)

// FuzzParse checks the key parser never panics and accepts exactly the
// strings Generate could produce: prefix, base62 body and the checksum of
// what precedes it, so any single-character change to an accepted key is
// refused. `go test` runs the seeds; `go test -fuzz FuzzParse ./internal/apikey` explores.
func FuzzParse(f *testing.F) {
	for range 4 {
		k, err := apikey.Generate()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(k)
		f.Add(k[:len(k)-1])
		f.Add(k + "0")
		f.Add(strings.ToUpper(k))
		f.Add(k[:10] + "é" + k[12:])
	}
	for _, s := range []string{"", "bt_", "bt_" + strings.Repeat("0", apikey.BodyLen+apikey.ChecksumLen),
		"Bearer bt_x", "\x00\xff", strings.Repeat("z", apikey.Len)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if apikey.Parse(s) != nil {
			return
		}
		if len(s) != apikey.Len || !strings.HasPrefix(s, apikey.Prefix) {
			t.Fatalf("accepted %q of the wrong shape", s)
		}
		for i := len(apikey.Prefix); i < len(s); i++ {
			c := s[i]
			if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
				t.Fatalf("accepted %q with a non-base62 character at %d", s, i)
			}
		}
		// CRC32 catches every single-character change, in the body or the checksum.
		for i := len(apikey.Prefix); i < len(s); i++ {
			b := []byte(s)
			if b[i] == 'a' {
				b[i] = 'b'
			} else {
				b[i] = 'a'
			}
			if apikey.Parse(string(b)) == nil {
				t.Fatalf("accepted %q and also its one-character change %q", s, b)
			}
		}
	})
}
