package graph

import "businesstools/internal/apperr"

// MaxPageSize bounds first/last so one query cannot read a whole table.
const MaxPageSize = 200

func checkPage(first, last *int) error {
	for name, n := range map[string]*int{"first": first, "last": last} {
		if n != nil && (*n < 0 || *n > MaxPageSize) {
			return apperr.Invalidf(name, "%s must be between 0 and %d.", name, MaxPageSize)
		}
	}
	return nil
}
