//go:build race

package usage_test

// raceEnabled: the race detector slows the database drivers (and the
// pure-Go SQLite most, some fifty times), so the tests scale their volumes
// down; `make test` also runs the throughput test without it.
const raceEnabled = true
