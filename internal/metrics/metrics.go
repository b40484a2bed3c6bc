// Package metrics exposes the server's Prometheus metrics at /metrics:
// HTTP requests by route pattern and status, API key verification outcomes
// and cache results, database lookups, and usage flushes. Each server has
// its own registry, so several test servers in one process do not collide.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"businesstools/internal/apikey"
	"businesstools/internal/ratelimit"
	"businesstools/internal/reqstate"
	"businesstools/internal/usage"
)

// Metrics is one server's registry and instruments.
type Metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	verifications *prometheus.CounterVec
	cache         *prometheus.CounterVec

	// The counters of every outcome and cache result, looked up once.
	outcomes, cacheResults map[string]prometheus.Counter

	mu      sync.RWMutex
	byRoute map[seriesKey]*routeSeries
}

// New returns a registry with the Go runtime and process collectors and
// businesstools' own instruments.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		verifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apikey_verifications_total",
			Help: "API key verifications by outcome: ok, missing, malformed, unknown, inactive, expired, grace_ended, ip_denied.",
		}, []string{"outcome"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apikey_cache_lookups_total", Help: "Key cache lookups of well-formed keys: hit, negative_hit, miss.",
		}, []string{"result"}),
	}
	m.outcomes = counters(m.verifications, apikey.Outcomes...)
	m.cacheResults = counters(m.cache, apikey.CacheResults...)
	m.byRoute = map[seriesKey]*routeSeries{}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.verifications, m.cache)
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Verified counts a verification outcome (apikey.VerifyObserver).
func (m *Metrics) Verified(outcome string) { count(m.outcomes, m.verifications, outcome) }

// CacheLookup counts a cache result (apikey.VerifyObserver).
func (m *Metrics) CacheLookup(result string) { count(m.cacheResults, m.cache, result) }

// count increments the counter of label, looked up once in New for every
// label the verifier reports.
func count(known map[string]prometheus.Counter, vec *prometheus.CounterVec, label string) {
	if c, ok := known[label]; ok {
		c.Inc()
		return
	}
	vec.WithLabelValues(label).Inc()
}

// counters looks up vec's counter for each label.
func counters(vec *prometheus.CounterVec, labels ...string) map[string]prometheus.Counter {
	out := make(map[string]prometheus.Counter, len(labels))
	for _, l := range labels {
		out[l] = vec.WithLabelValues(l)
	}
	return out
}

var _ apikey.VerifyObserver = (*Metrics)(nil)

// WatchVerifier exports the verifier's database lookups.
func (m *Metrics) WatchVerifier(v *apikey.Verifier) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "apikey_db_lookups_total", Help: "Database lookups made by the key verifier (cache misses).",
	}, func() float64 { return float64(v.Lookups()) }))
}

// WatchUsage exports the usage recorder's counters.
func (m *Metrics) WatchUsage(r *usage.Recorder) {
	counter := func(name, help string, get func(usage.Stats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(get(r.Stats())) })
	}
	m.reg.MustRegister(
		counter("usage_requests_recorded_total", "Requests recorded for usage.", func(s usage.Stats) int64 { return s.Recorded }),
		counter("usage_flushes_total", "Usage flushes committed.", func(s usage.Stats) int64 { return s.Flushes }),
		counter("usage_flush_failures_total", "Usage flushes rolled back (retried later).", func(s usage.Stats) int64 { return s.FailedFlushes }),
		counter("usage_last_used_writes_total", "api_keys.last_used_at updates.", func(s usage.Stats) int64 { return s.LastUsedWrites }),
		counter("usage_day_rows_total", "key_usages rows upserted.", func(s usage.Stats) int64 { return s.UsageRows }),
	)
}

// WatchRateLimit exports whether rate limits are shared through Redis right
// now (with BT_REDIS_URL only) and the decisions made locally while not.
func (m *Metrics) WatchRateLimit(l *ratelimit.Limiter) {
	if !l.Stats().Shared {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ratelimit_redis_up",
			Help: "1 while rate limits (per key, and per address on POST /v1/credentials/revoke) are shared through Redis, 0 while each process applies its own."},
			func() float64 {
				if l.Stats().RedisUp {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ratelimit_local_fallbacks_total",
			Help: "Rate limit decisions made by the process's own buckets because Redis was unreachable."},
			func() float64 { return float64(l.Stats().Fallbacks) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ratelimit_redis_round_trips_total",
			Help: "Round trips to the shared limits in Redis (batches of a key's requests, single revocation requests)."},
			func() float64 { return float64(l.Stats().RoundTrips) }),
	)
}

// Middleware measures every request by the route pattern the router
// matched (never the raw path, which would let clients create series). It
// reads the status from the request's state (see reqstate; clientip's
// middleware, outside this one, starts it) and finds the request's series
// in its own map, not through WithLabelValues' hashing and variadic slices.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := reqstate.From(r.Context())
		if st == nil { // mounted without clientip's middleware
			w, r, st = reqstate.New(w, r)
		}
		st.Start = start // the request's one reading of the clock before it is answered
		next.ServeHTTP(w, r)
		// The router sets r.Pattern on this same request as it matches it.
		s := m.series(r.Pattern, methodLabel(r.Method), st.Status())
		s.requests.Inc()
		s.duration.Observe(time.Since(start).Seconds())
	})
}

// routeSeries is one route, method and status's instruments.
type routeSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

type seriesKey struct {
	route, method string
	code          int
}

// series returns the instruments of a route, method and status, creating
// them the first time. Routes are patterns and methods a fixed list, so the
// map stays small.
func (m *Metrics) series(route, method string, code int) *routeSeries {
	if route == "" {
		route = "unmatched"
	}
	k := seriesKey{route, method, code}
	m.mu.RLock()
	s := m.byRoute[k]
	m.mu.RUnlock()
	if s != nil {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s = m.byRoute[k]; s == nil {
		s = &routeSeries{requests: m.requests.WithLabelValues(route, method, strconv.Itoa(code)),
			duration: m.duration.WithLabelValues(route, method)}
		m.byRoute[k] = s
	}
	return s
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodHead, http.MethodOptions:
		return m
	}
	return "OTHER"
}
