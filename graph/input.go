package graph

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Every string a client sends must be valid UTF-8 without NUL (DESIGN.md
// section 7). encoding/json would silently turn invalid bytes and lone
// UTF-16 surrogates (\ud800) into U+FFFD, so they are looked for in the raw
// body; NUL survives decoding and is looked for in the decoded values
// (checkVariables). The
// GraphQL string literals of the document are checked while it is lexed
// (see checkDocument).

// badUTF8 reports whether body holds invalid UTF-8 or a lone surrogate
// escape, and the name of the JSON member holding it.
func badUTF8(body []byte) (field string, bad bool) {
	off := invalidUTF8At(body)
	if off < 0 {
		off = loneSurrogateAt(body, false)
	}
	if off < 0 {
		return "", false
	}
	return memberAt(body, off), true
}

// invalidUTF8At returns the offset of the first invalid UTF-8 byte, or -1.
func invalidUTF8At(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// loneSurrogateAt returns the offset of the first \uXXXX escape that names
// half of a UTF-16 surrogate pair without its other half, or -1. braced
// also reads GraphQL's \u{…} escapes.
func loneSurrogateAt[T ~string | ~[]byte](s T, braced bool) int {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			continue
		}
		if s[i+1] != 'u' {
			i++ // skip the escaped character (it may be a backslash)
			continue
		}
		if braced && i+2 < len(s) && s[i+2] == '{' {
			end := i + 3
			for end < len(s) && s[end] != '}' && end-i < 12 {
				end++
			}
			if r, ok := unhex(s[i+3 : end]); ok && isSurrogate(r) {
				return i
			}
			i = end
			continue
		}
		r, ok := rune(0), false
		if i+6 <= len(s) {
			r, ok = unhex(s[i+2 : i+6])
		}
		switch {
		case !ok:
			i++
		case r >= 0xD800 && r < 0xDC00:
			if i+12 <= len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
				if r2, ok := unhex(s[i+8 : i+12]); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
					i += 11
					continue
				}
			}
			return i
		case isSurrogate(r):
			return i
		default:
			i += 5
		}
	}
	return -1
}

func isSurrogate(r rune) bool { return r >= 0xD800 && r <= 0xDFFF }

func unhex[T ~string | ~[]byte](s T) (rune, bool) {
	if len(s) == 0 || len(s) > 8 {
		return 0, false
	}
	var r rune
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// memberAt returns the name of the innermost JSON object member whose value
// covers byte offset off of body ("" when there is none).
func memberAt(body []byte, off int) string {
	type frame struct {
		object    bool
		key       string
		expectKey bool
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []frame
	innermost := func() string {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].object && stack[i].key != "" {
				return stack[i].key
			}
		}
		return ""
	}
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return innermost()
		}
		past := int(dec.InputOffset()) > off
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, frame{object: t == '{', expectKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				stack[n-1].key, stack[n-1].expectKey = t, false
				if past {
					return t
				}
				continue
			}
			if past {
				return innermost()
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// Bounds on variables, checked before gqlgen coerces them: no input of the
// schema nests deeper than a dozen levels or lists more than a few hundred
// values, and coercing a 5,000-level filter or 100,000 ids is work enough
// to refuse before it starts.
const (
	MaxVariableDepth = 32
	MaxVariableList  = 1000
)

// checkVariables walks the decoded variables once: every string without
// NUL, nesting and lists within bounds. It returns the error naming the
// member at fault, or nil.
func checkVariables(v any) *gqlerror.Error {
	return walkVariables(v, "variables", 0)
}

func walkVariables(v any, field string, depth int) *gqlerror.Error {
	if depth > MaxVariableDepth {
		return refuse(field, "%s nests more than %d levels deep.", field, MaxVariableDepth)
	}
	switch v := v.(type) {
	case string:
		if containsNUL(v) {
			return refuse(field, "%s contains a NUL character.", field)
		}
	case map[string]any:
		for k, x := range v {
			if containsNUL(k) {
				return refuse(field, "%s has a member name with a NUL character.", field)
			}
			if err := walkVariables(x, k, depth+1); err != nil {
				return err
			}
		}
	case []any:
		if len(v) > MaxVariableList {
			return refuse(field, "%s lists %d values; the limit is %d.", field, len(v), MaxVariableList)
		}
		for _, x := range v {
			if err := walkVariables(x, field, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func containsNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }
