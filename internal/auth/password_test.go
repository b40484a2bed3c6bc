package auth_test

import (
	"strings"
	"testing"

	"businesstools/internal/auth"
)

// Ensure password length is counted in characters: multi-byte characters
// neither pass a short password nor refuse a long one.
func TestValidatePassword_CountsCharacters(t *testing.T) {
	for pw, ok := range map[string]bool{
		strings.Repeat("a", auth.MinPasswordLen-1): false,
		strings.Repeat("a", auth.MinPasswordLen):   true,
		strings.Repeat("😀", auth.MinPasswordLen-1): false, // 28 bytes, 7 characters
		strings.Repeat("é", auth.MinPasswordLen):   true,
		strings.Repeat("é", 1024):                  true, // 2048 bytes
		strings.Repeat("a", 1025):                  false,
	} {
		if err := auth.ValidatePassword(pw); (err == nil) != ok {
			t.Errorf("ValidatePassword(%d characters, %d bytes) = %v, want ok=%v", len([]rune(pw)), len(pw), err, ok)
		}
	}
}
