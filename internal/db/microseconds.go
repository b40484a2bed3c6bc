package db

import (
	"context"
	"time"

	"businesstools/ent"
)

// microseconds truncates every time a mutation writes to whole
// microseconds. PostgreSQL keeps microseconds (rounding the rest) and
// SQLite whatever it is given, so the same write read back differed
// between the two (GraphQL showed nanoseconds on SQLite only), and a
// client's expiresAt with nanoseconds was rounded up on one and kept on the
// other. Writes outside ent (the usage flush, seed) truncate likewise.
func microseconds(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		for _, name := range m.Fields() {
			v, _ := m.Field(name)
			if t, ok := v.(time.Time); ok && t.Nanosecond()%1000 != 0 {
				if err := m.SetField(name, t.Truncate(time.Microsecond)); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}
