package ratelimit

// For the server-level tests (package ratelimit_test).
var (
	RedisAddr  = redisAddr
	RedisURL   = redisURL
	StartProxy = startProxy
)

// Stop closes the proxy (Redis goes away); Restart brings it back.
func (p *proxy) Stop() { p.stop() }

// Addr is where the proxy listens.
func (p *proxy) Addr() string { return p.addr }
