package server

import (
	"context"
	"net/http"
	"strconv"

	"businesstools/internal/apikey"
	"businesstools/internal/metrics"
	"businesstools/internal/pgnotify"
	"businesstools/internal/ratelimit"
	"businesstools/internal/rest"
	"businesstools/internal/usage"
)

// KeyChangedChannel is the PostgreSQL NOTIFY channel on which every process
// announces a changed key (payload: the key id), so all of them drop it
// from their verification caches.
const KeyChangedChannel = "apikey_changed"

// setUpAPIKeys builds what the REST API's key check needs: metrics, the
// cached verifier (dropped on every key change, in this process and — on
// PostgreSQL — in every process through LISTEN/NOTIFY; emptied when that
// feed's connection drops and again when it is back, and serving nothing
// stale in between), the per-key rate limiter and the usage recorder,
// flushed every second once New starts it, and first of all on Stop.
func (s *Server) setUpAPIKeys() error {
	s.Metrics = metrics.New()
	lookups, err := s.DB.OpenLookupPool()
	if err != nil {
		return err
	}
	if lookups != nil {
		s.onStop("key lookup pool", func(context.Context) error { return lookups.Close() })
	}
	s.Verifier = apikey.NewVerifier(apikey.VerifierConfig{DB: s.DB, LookupDB: lookups, Observer: s.Metrics, Logger: s.Logger})
	s.Metrics.WatchVerifier(s.Verifier)
	s.Keys.OnChange(s.Verifier.Forget)
	if s.DB.IsPostgres() {
		// After commit; queued, so the request does not wait on it.
		pub := s.publisher(KeyChangedChannel)
		s.Keys.OnChange(func(keyID int) { pub.Publish(strconv.Itoa(keyID)) })
		// Until the listener is connected, changes made elsewhere go unnoticed:
		// the verifier serves nothing stale meanwhile (see Verifier.ChangeFeed).
		s.Verifier.ChangeFeed(false)
		l, err := pgnotify.Listen(s.DB.URL, KeyChangedChannel, func(payload string) {
			if id, err := strconv.Atoi(payload); err == nil {
				s.Verifier.Forget(id)
			}
		}, s.Verifier.ChangeFeed, s.Logger)
		if err != nil {
			return err
		}
		s.onStop("key change listener", func(context.Context) error { return l.Close() })
	}
	s.limiter = ratelimit.New(s.Config.RateLimit, 0)
	if s.Config.RedisURL != "" { // shared limits; without Redis each process has its own
		if err := s.limiter.UseRedis(s.Config.RedisURL, s.Logger); err != nil {
			return err
		}
		s.onStop("rate limiter", func(context.Context) error { return s.limiter.Close() })
	}
	s.Metrics.WatchRateLimit(s.limiter)
	s.Usage = usage.New(usage.Config{DB: s.DB, Logger: s.Logger})
	s.Metrics.WatchUsage(s.Usage)
	s.flushFirst("usage flush", s.Usage.Stop)
	return nil
}

// restAuthenticator is the key check in front of /v1.
func (s *Server) restAuthenticator() func(http.Handler) http.Handler {
	return rest.Authenticator(rest.AuthConfig{Verifier: s.Verifier, Limiter: s.limiter, Usage: s.Usage, Logger: s.Logger})
}
