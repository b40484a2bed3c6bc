package rest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"businesstools/internal/apperr"
	"businesstools/internal/text"
)

// Every string a request carries — JSON values and object keys at any
// depth, query parameters, path parameters — must be valid UTF-8 without
// NUL (DESIGN.md section 7). It is checked here, once, before any handler
// sees the input: PostgreSQL refuses both in text columns, and
// encoding/json would silently turn invalid UTF-8 into U+FFFD.

// checkJSONText refuses a JSON document holding a string that is not valid
// UTF-8, holds NUL (raw or as \u0000) or a lone surrogate escape; the error
// is Invalid naming the field ("custom.a[2]"). Malformed JSON passes: the
// decoder reports it.
func checkJSONText(raw []byte) error {
	if allStringsValid(raw) {
		return nil
	}
	return findInvalidString(raw)
}

// allStringsValid scans raw's string literals (values and keys alike) in
// one pass without allocating and reports whether all are valid text: the
// common case, where no walk is needed to name a field.
func allStringsValid(raw []byte) bool {
	if utf8.Valid(raw) && !bytes.Contains(raw, []byte(`\u`)) {
		return true // no escape, valid bytes: nothing to find
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if raw[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(raw) {
			return true // unterminated: the decoder reports it
		}
		if !validJSONString(raw[i : j+1]) {
			return false
		}
		i = j
	}
	return true
}

// findInvalidString walks raw token by token to name the field whose
// string is not valid text (slower; only run when there is one).
func findInvalidString(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var stack []*frame
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		end := dec.InputOffset()
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &frame{path: top.childPath(), object: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].next()
				}
			}
		case string:
			quoted := raw[prev:end]
			quoted = quoted[bytes.IndexByte(quoted, '"'):]
			isKey := top != nil && top.object && top.key == nil
			if !validJSONString(quoted) {
				if isKey {
					return apperr.Invalidf(top.path, "A key in %s must be valid UTF-8 text without NUL characters.", orBody(top.path))
				}
				field := top.childPath()
				return apperr.Invalidf(field, "The field %q must be valid UTF-8 text without NUL characters.", field)
			}
			if isKey {
				top.key = &t
			} else if top != nil {
				top.next()
			}
		default:
			if top != nil {
				top.next()
			}
		}
		prev = end
	}
}

// frame is an object or array being walked: its path and the key or index
// of the value read next.
type frame struct {
	path   string
	object bool
	key    *string // in an object: the key just read, nil when a key comes next
	index  int     // in an array
}

// childPath is the path of the value f reads next ("" for the document).
func (f *frame) childPath() string {
	switch {
	case f == nil:
		return ""
	case f.object && f.key != nil && f.path == "":
		return *f.key
	case f.object && f.key != nil:
		return f.path + "." + *f.key
	case f.object:
		return f.path
	default:
		return f.path + "[" + strconv.Itoa(f.index) + "]"
	}
}

// next moves f past the value just read.
func (f *frame) next() {
	if f.object {
		f.key = nil
	} else {
		f.index++
	}
}

func orBody(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}

// validJSONString reports whether a quoted JSON string decodes to valid
// UTF-8 without NUL: its bytes are valid UTF-8 and its escapes are neither
// \u0000 nor half of a surrogate pair.
func validJSONString(quoted []byte) bool {
	if !utf8.Valid(quoted) {
		return false
	}
	for i := 0; i < len(quoted); i++ {
		if quoted[i] != '\\' {
			continue
		}
		i++
		if i >= len(quoted) || quoted[i] != 'u' {
			continue // \" \\ \n …; i now skips the escaped character
		}
		r, ok := hex4(quoted[i+1:])
		if !ok {
			return true // malformed: the decoder reports it
		}
		i += 4
		switch {
		case r == 0:
			return false
		case r >= 0xDC00 && r <= 0xDFFF: // low half without a high one
			return false
		case r >= 0xD800 && r <= 0xDBFF:
			if i+6 >= len(quoted) || quoted[i+1] != '\\' || quoted[i+2] != 'u' {
				return false
			}
			lo, ok := hex4(quoted[i+3:])
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 6
		}
	}
	return true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// readQuery returns r's query parameters after checking that the query is
// well formed and every name and value is valid text. Errors: Invalid
// naming the parameter ("query" when the name itself is at fault).
func readQuery(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, apperr.Invalidf("query", "The query string is malformed.")
	}
	for name, vs := range q {
		if !text.Valid(name) {
			return nil, apperr.Invalidf("query", "A query parameter name must be valid UTF-8 text without NUL characters.")
		}
		for _, v := range vs {
			if !text.Valid(v) {
				return nil, apperr.Invalidf(name, "The query parameter %q must be valid UTF-8 text without NUL characters.", name)
			}
		}
	}
	return q, nil
}

// pathID returns the {id} path value in its one canonical form — a positive
// decimal integer without sign or leading zeros; anything else ("+7", "07",
// "7.0", text) names no record: NotFound, without echoing it.
func pathID(r *http.Request, what string) (int, error) {
	s := r.PathValue("id")
	if err := text.Check("id", s); err != nil { // NUL or broken UTF-8 is bad input, not an unknown id
		return 0, err
	}
	id, err := strconv.Atoi(s)
	if err != nil || id < 1 || strconv.Itoa(id) != s {
		return 0, apperr.NotFoundf("There is no %s with this id.", what)
	}
	return id, nil
}
