package db

import (
	"errors"
	"slices"
	"strings"

	"github.com/lib/pq"
)

// IsUniqueViolation reports whether err (from ent or the driver, wrapped or
// not) is a unique-constraint violation whose columns include column, on
// PostgreSQL or SQLite. Services use it to answer a race the way the
// sequential case is answered (a duplicate name is the client's error, not
// an internal one), and only for the constraint they mean: a foreign-key or
// another unique violation stays internal.
func IsUniqueViolation(err error, column string) bool {
	return slices.Contains(uniqueColumns(err), column)
}

// uniqueColumns returns the columns of the unique constraint err violates,
// or nil when err is no unique violation.
func uniqueColumns(err error) []string {
	if err == nil {
		return nil
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		// Detail: Key (account_id, name)=(1, x) already exists.
		if pqErr.Code != "23505" {
			return nil
		}
		list, ok := between(pqErr.Detail, "Key (", ")=")
		if !ok {
			return nil
		}
		return splitTrim(list, "")
	}
	// SQLite: UNIQUE constraint failed: api_keys.account_id, api_keys.name (2067)
	msg := err.Error()
	i := strings.Index(msg, "UNIQUE constraint failed: ")
	if i < 0 {
		return nil
	}
	list := msg[i+len("UNIQUE constraint failed: "):]
	if j := strings.Index(list, " ("); j >= 0 {
		list = list[:j]
	}
	return splitTrim(list, ".")
}

// between returns the text of s between the first open and the next close.
func between(s, open, close string) (string, bool) {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return "", false
	}
	inner, _, ok := strings.Cut(rest, close)
	return inner, ok
}

// splitTrim splits a comma-separated column list, dropping each entry's
// table prefix (up to the last sep) when sep is set.
func splitTrim(list, sep string) []string {
	var out []string
	for _, c := range strings.Split(list, ",") {
		c = strings.TrimSpace(c)
		if sep != "" {
			if k := strings.LastIndex(c, sep); k >= 0 {
				c = c[k+len(sep):]
			}
		}
		out = append(out, strings.Trim(c, `"`))
	}
	return out
}
