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

// Ensure CheckName refuses control characters (C0, DEL, C1) and what Check
// refuses, naming the field, and accepts any other text.
func TestCheckName(t *testing.T) {
	for s, ok := range map[string]bool{
		"Billing worker": true, "Zoë 😀 — prod": true, "a\u200bb": true, // zero-width space is not a control character
		"a\nb": false, "a\rb": false, "a\tb": false, "\u0001": false, "a\x7fb": false, "a\u0085b": false, "a\x00b": false, "\xff": false,
	} {
		err := CheckName("name", s)
		if (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", s, err, ok)
		}
		if err != nil && (apperr.CodeOf(err) != apperr.Invalid || err.(*apperr.Error).Field != "name") {
			t.Errorf("CheckName(%q): %v, want Invalid naming name", s, err)
		}
	}
}
