package idempotency

import (
	"bytes"
	"testing"
)

// Ensure bodies that mean the same JSON hash the same, and others do not.
func TestCanonical(t *testing.T) {
	base := `{"a":1,"b":{"c":[1,"x"],"d":null}}`
	for _, same := range []string{
		" {\n\t\"b\": {\"d\": null, \"c\": [1, \"\\u0078\"]},\r\n \"a\": 1 } ",
		`{"b":{"c":[1,"x"],"d":null},"a":1}`,
	} {
		if !bytes.Equal(Canonical([]byte(same)), Canonical([]byte(base))) {
			t.Errorf("%s: %s != %s", same, Canonical([]byte(same)), Canonical([]byte(base)))
		}
	}
	for _, different := range []string{
		`{"a":1.0,"b":{"c":[1,"x"],"d":null}}`, // numbers as written
		`{"a":1,"b":{"c":["x",1],"d":null}}`,
		`{"a":1,"b":{"c":[1,"x"]}}`,
		`{"a":1,"b":{"c":[1,"x"],"d":null}} {}`, // trailing data: compared raw
		`{"a":1,"b":{"c":[1,"x"],"d":null}} ]`,
		`[` + base + `]`,
	} {
		if bytes.Equal(Canonical([]byte(different)), Canonical([]byte(base))) {
			t.Errorf("%s hashes as %s", different, base)
		}
	}
	if got := Canonical(nil); len(got) != 0 {
		t.Errorf("empty body: %q", got)
	}
	a, _ := NewRequest(1, 2, "k", "POST", "/v1/leads", []byte(`{"x":1, "y":2}`))
	b, _ := NewRequest(1, 2, "k", "POST", "/v1/leads", []byte(`{"y":2,"x":1}`))
	c, _ := NewRequest(1, 2, "k", "POST", "/v1/emails", []byte(`{"y":2,"x":1}`))
	if !bytes.Equal(a.Hash, b.Hash) || bytes.Equal(b.Hash, c.Hash) {
		t.Error("request hashes")
	}
}
