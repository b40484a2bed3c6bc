package usage

// OnExec makes r call f with the SQL text of every statement a flush sends
// to the database (tests count them).
func OnExec(r *Recorder, f func(query string)) { r.onExec.Store(&f) }

// SetChunkRows sets r's rows per statement (tests under the race detector,
// where the pure-Go SQLite runs some fifty times slower).
func SetChunkRows(r *Recorder, n int) {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	r.chunkRows, r.maxChunkRows = n, n
}
