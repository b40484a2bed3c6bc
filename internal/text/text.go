// Package text checks the strings businesstools accepts from outside:
// valid UTF-8 without NUL (DESIGN.md section 7). PostgreSQL refuses both in
// text columns, so a string that passes here can be stored on either
// database; lengths are counted in characters, as the database's columns
// are sized (varchar(n) holds n characters).
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"businesstools/internal/apperr"
)

// Valid reports whether s is valid UTF-8 without NUL.
func Valid(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// Check returns nil when s is valid text, else Invalid naming field.
func Check(field, s string) error {
	if Valid(s) {
		return nil
	}
	return apperr.Invalidf(field, "The %s must be valid UTF-8 text without NUL characters.", field)
}

// Len is the length of s in characters, as limits count it.
func Len(s string) int { return utf8.RuneCountInString(s) }

// CheckName returns nil when s is a usable name: valid text without control
// characters (line breaks, tabs, escapes), since names are shown on one line
// in the SPA, in lists and in notification emails; else Invalid naming field.
func CheckName(field, s string) error {
	if err := Check(field, s); err != nil {
		return err
	}
	if !OneLine(s) {
		return apperr.Invalidf(field, "The %s must not contain control characters such as line breaks or tabs.", field)
	}
	return nil
}

// OneLine reports whether s is valid text (Valid) without control
// characters: what names, and fields that end up in a log line, an audit
// event or an email, may hold.
func OneLine(s string) bool {
	return Valid(s) && !strings.ContainsFunc(s, unicode.IsControl)
}
