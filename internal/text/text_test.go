package text

import (
	"strings"
	"testing"

	"businesstools/internal/apperr"
)

// Ensure Valid refuses NUL and invalid UTF-8 (a cut character, a lone
// surrogate's encoding) and accepts any valid text.
func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "plain": true, "Zoë 😀": true, strings.Repeat("😀", 100): true, "\uFFFD": true,
		"a\x00b": false, "\x00": false, "\xff": false, "caf\xc3": false, "\xed\xa0\x80": false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v", s, got)
		}
	}
	if err := Check("name", "a\x00"); apperr.CodeOf(err) != apperr.Invalid || err.(*apperr.Error).Field != "name" {
		t.Errorf("Check: %v", err)
	}
	if Len(strings.Repeat("😀", 100)) != 100 {
		t.Error("Len counts bytes")
	}
}
