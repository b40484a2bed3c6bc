// Package metrics exposes the server's Prometheus metrics at /metrics:
// HTTP requests by route pattern and status, API key verification outcomes
// and cache results, database lookups, and usage flushes. Each server has
// its own registry, so several test servers in one process do not collide.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"businesstools/internal/apikey"
	"businesstools/internal/ratelimit"
	"businesstools/internal/usage"
)

// Metrics is one server's registry and instruments.
type Metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	verifications *prometheus.CounterVec
	cache         *prometheus.CounterVec
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
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.verifications, m.cache)
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Verified counts a verification outcome (apikey.VerifyObserver).
func (m *Metrics) Verified(outcome string) { m.verifications.WithLabelValues(outcome).Inc() }

// CacheLookup counts a cache result (apikey.VerifyObserver).
func (m *Metrics) CacheLookup(result string) { m.cache.WithLabelValues(result).Inc() }

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
			Help: "1 while per-key rate limits are shared through Redis, 0 while each process applies its own."},
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
			Help: "Batches of requests reserved from the shared limits in Redis."},
			func() float64 { return float64(l.Stats().RoundTrips) }),
	)
}

// Middleware measures every request by the route pattern the router
// matched (never the raw path, which would let clients create series).
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		// The routers set r.Pattern on this same request as they match it.
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		method := methodLabel(r.Method)
		m.requests.WithLabelValues(route, method, strconv.Itoa(sw.status)).Inc()
		m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	})
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodHead, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (Flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
