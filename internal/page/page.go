// Package page is the cursor pagination of the REST lists: newest first,
// `limit` (1…MaxLimit, default DefaultLimit) and an opaque `cursor` that
// continues after the last item of the previous page.
package page

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"businesstools/internal/apperr"
)

// Limits of a page.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Request is one page's position and size.
type Request struct {
	Limit  int
	Before int // 0 = from the newest; otherwise items with a smaller id
}

const cursorPrefix = "c1:"

// Parse reads `limit` and `cursor` from a query. Errors are Invalid naming
// "limit" or "cursor".
func Parse(q url.Values) (Request, error) {
	r := Request{Limit: DefaultLimit}
	if v := q.Get("limit"); v != "" || q.Has("limit") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return r, apperr.Invalidf("limit", "The limit must be a whole number from 1 to %d.", MaxLimit)
		}
		r.Limit = n
	}
	if c := q.Get("cursor"); c != "" || q.Has("cursor") {
		id, ok := decode(c)
		if !ok {
			return r, apperr.Invalidf("cursor", "The cursor is not one this API returned.")
		}
		r.Before = id
	}
	return r, nil
}

// Cursor returns the opaque cursor continuing after the item with id.
func Cursor(id int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(id)))
}

func decode(c string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return 0, false
	}
	id, err := strconv.Atoi(string(raw[len(cursorPrefix):]))
	if err != nil || id < 1 {
		return 0, false
	}
	return id, true
}

// Result is one page of items and the cursor to the next (nil at the end).
type Result[T any] struct {
	Items      []T
	NextCursor *string
}

// Cut trims items fetched with Limit+1 to Limit and sets the next cursor
// from the last kept item's id.
func Cut[T any](items []T, limit int, id func(T) int) Result[T] {
	if len(items) <= limit {
		return Result[T]{Items: items}
	}
	items = items[:limit]
	c := Cursor(id(items[len(items)-1]))
	return Result[T]{Items: items, NextCursor: &c}
}
