package page

import (
	"net/url"
	"testing"
)

// Ensure cursors round-trip and anything else is refused naming the parameter.
func TestParse(t *testing.T) {
	r, err := Parse(url.Values{"limit": {"7"}, "cursor": {Cursor(42)}})
	if err != nil || r.Limit != 7 || r.Before != 42 {
		t.Fatalf("got %+v, %v", r, err)
	}
	if r, _ := Parse(url.Values{}); r.Limit != DefaultLimit || r.Before != 0 {
		t.Fatalf("defaults %+v", r)
	}
	for _, q := range []string{"limit=0", "limit=201", "limit=x", "limit=", "cursor=", "cursor=abc", "cursor=YzE6MA", "cursor=YzE6LTE"} {
		v, _ := url.ParseQuery(q)
		if _, err := Parse(v); err == nil {
			t.Errorf("%s accepted", q)
		}
	}
}
