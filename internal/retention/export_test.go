package retention

// SetLockID makes p take another advisory lock, so that two Pruners on one
// PostgreSQL database prune at the same time, as they would should a lock's
// connection be lost mid-run.
func (p *Pruner) SetLockID(id int64) { p.lock = id }
