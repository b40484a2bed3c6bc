package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"businesstools/internal/pgnotify"
)

// ShutdownTimeout is the one deadline of a shutdown: draining requests and
// stopping the workers together, inside the usual 30 s a supervisor gives
// between SIGTERM and SIGKILL.
const ShutdownTimeout = 25 * time.Second

// DrainTimeout is the part of ShutdownTimeout requests may take to finish,
// so that the usage flush after it keeps at least 10 s.
const DrainTimeout = 15 * time.Second

// NotifyTimeout bounds one pg_notify statement announcing changes to the
// other processes (pgnotify.Publisher, off the request's path).
const NotifyTimeout = 2 * time.Second

// publisher starts channel's notice publisher, stopped (after sending what
// is queued) before the database closes.
func (s *Server) publisher(channel string) *pgnotify.Publisher {
	p := pgnotify.NewPublisher(pgnotify.PublisherConfig{DB: s.DB.SQL, Channel: channel, Timeout: NotifyTimeout, Logger: s.Logger})
	s.onStop(channel+" publisher", p.Close)
	return p
}

// stopper is one step of Stop.
type stopper struct {
	name string
	fn   func(context.Context) error
}

// lifecycle is what Stop runs: registered before anything starts, so
// whatever started — also when a later start-up step fails — is stopped.
type lifecycle struct {
	mu       sync.Mutex
	first    *stopper  // the usage flush: runs before every other step
	stoppers []stopper // run in reverse order of registration, after first
	once     sync.Once
	err      error
}

// OnStop registers fn to run on Stop, before what was registered earlier.
func (s *Server) OnStop(fn func(context.Context) error) { s.onStop("stop function", fn) }

func (s *Server) onStop(name string, fn func(context.Context) error) {
	s.life.mu.Lock()
	defer s.life.mu.Unlock()
	s.life.stoppers = append(s.life.stoppers, stopper{name, fn})
}

// flushFirst registers the step Stop runs before all others.
func (s *Server) flushFirst(name string, fn func(context.Context) error) {
	s.life.mu.Lock()
	defer s.life.mu.Unlock()
	s.life.first = &stopper{name, fn}
}

// stopOrder is the order Stop runs its steps in.
func (s *Server) stopOrder() []stopper {
	s.life.mu.Lock()
	defer s.life.mu.Unlock()
	var out []stopper
	if s.life.first != nil {
		out = append(out, *s.life.first)
	}
	for i := len(s.life.stoppers) - 1; i >= 0; i-- {
		out = append(out, s.life.stoppers[i])
	}
	return out
}

// Stop stops what New started — call it after the HTTP server has drained —
// once (later calls return the first result): first the usage flush, the
// step that can lose data, while the most time is left; then the workers,
// the last started first. Stop returns by ctx's deadline at the latest: a
// step still running then is left behind and named in the error.
func (s *Server) Stop(ctx context.Context) error {
	s.life.once.Do(func() { s.life.err = runStoppers(ctx, s.stopOrder(), s.Logger) })
	return s.life.err
}

func runStoppers(ctx context.Context, steps []stopper, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var errs []error
	for _, st := range steps {
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- st.fn(ctx) }()
		select {
		case err := <-done:
			log.Info("stopped", "step", st.name, "took", time.Since(start).Round(time.Millisecond), "err", err)
			if err != nil {
				errs = append(errs, fmt.Errorf("stop %s: %w", st.name, err))
			}
		case <-ctx.Done():
			log.Error("shutdown deadline reached; leaving a step unfinished", "step", st.name)
			return errors.Join(append(errs, fmt.Errorf("stop %s: not done by the shutdown deadline: %w", st.name, ctx.Err()))...)
		}
	}
	return errors.Join(errs...)
}
