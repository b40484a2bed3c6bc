package usage

// OnExec makes r call f with the SQL text of every statement a flush sends
// to the database (tests count them).
func OnExec(r *Recorder, f func(query string)) { r.onExec.Store(&f) }
