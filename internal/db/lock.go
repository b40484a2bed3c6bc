package db

import (
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// LockForUpdate makes q lock the rows it reads until its transaction ends
// (SELECT … FOR UPDATE) on PostgreSQL, so that a read → merge → write in
// one transaction cannot lose a concurrent write. On SQLite it changes
// nothing: a transaction there holds the database's write lock from BEGIN
// (_txlock=immediate), and SQLite has no FOR UPDATE. The dialect is the
// query's own, so callers need not know it. Use it on queries that return
// rows (Only, All), not on counts.
func LockForUpdate[Q interface{ Where(...P) Q }, P ~func(*sql.Selector)](q Q) Q {
	return q.Where(func(s *sql.Selector) {
		if s.Dialect() == dialect.Postgres {
			s.ForUpdate()
		}
	})
}
