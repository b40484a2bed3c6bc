package scalar

import (
	"encoding/json"
	"strings"
	"testing"
)

// Ensure IDs are read from decimal strings and integers, and anything else
// is refused with a message that neither quotes the value nor speaks Go.
func TestUnmarshalID(t *testing.T) {
	for _, ok := range []struct {
		in   any
		want int
	}{{"42", 42}, {"8589934593", 8589934593}, {json.Number("7"), 7}, {int64(9), 9}, {3, 3}} {
		got, err := UnmarshalID(ok.in)
		if err != nil || got != ok.want {
			t.Errorf("UnmarshalID(%#v) = %d, %v; want %d", ok.in, got, err, ok.want)
		}
	}
	for _, bad := range []any{"xyz", "12.5", json.Number("12.5"), 12.5, true, nil, "", "99999999999999999999", []any{"1"}} {
		_, err := UnmarshalID(bad)
		if err == nil || strings.Contains(err.Error(), "strconv") {
			t.Errorf("UnmarshalID(%#v): %v, want errID", bad, err)
		}
	}
}

// Ensure String input accepts strings only (the specification's coercion),
// naming what was sent instead.
func TestUnmarshalString(t *testing.T) {
	if s, err := UnmarshalString("five"); err != nil || s != "five" {
		t.Fatalf("UnmarshalString(five) = %q, %v", s, err)
	}
	for in, kind := range map[any]string{5: "a number", int64(5): "a number", 1.5: "a number", json.Number("5"): "a number", true: "a boolean"} {
		if _, err := UnmarshalString(in); err == nil || !strings.HasSuffix(err.Error(), kind) {
			t.Errorf("UnmarshalString(%#v): %v, want 'must be a string, not %s'", in, err, kind)
		}
	}
	if _, err := UnmarshalString(map[string]any{}); err == nil || !strings.HasSuffix(err.Error(), "an object") {
		t.Errorf("object: %v", err)
	}
}
