package graph

import "businesstools/internal/apperr"

// Page sizes: MaxPageSize bounds first/last so one query cannot read a
// whole table; DefaultPageSize applies when neither is given.
const (
	MaxPageSize     = 200
	DefaultPageSize = 50
	MaxNodes        = 100
)

// pageSize is the number of rows a connection query returns at most.
func pageSize(first, last *int) int {
	switch {
	case first != nil:
		return *first
	case last != nil:
		return *last
	}
	return DefaultPageSize
}

// defaultPage fills in first when the client gave neither first nor last.
func defaultPage(first, last *int) *int {
	if first == nil && last == nil {
		n := DefaultPageSize
		return &n
	}
	return first
}

func checkPage(first, last *int) error {
	for name, n := range map[string]*int{"first": first, "last": last} {
		if n != nil && (*n < 0 || *n > MaxPageSize) {
			return apperr.Invalidf(name, "%s must be between 0 and %d.", name, MaxPageSize)
		}
	}
	return nil
}
