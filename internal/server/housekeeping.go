package server

import (
	"context"
	"time"

	"businesstools/internal/idempotency"
	"businesstools/internal/retention"
	"businesstools/internal/tenant"
)

// HousekeepingInterval is how often expired sessions, idempotency records,
// access tokens and invites are deleted.
const HousekeepingInterval = time.Hour

// startHousekeeping deletes what can no longer be used — ended sessions,
// Idempotency-Key answers older than 24 h, access tokens and invites 30
// days after they expired (internal/retention) — once at start and then
// hourly, until Stop.
func (s *Server) startHousekeeping() {
	prune := retention.New(retention.Config{DB: s.DB})
	ctx, cancel := context.WithCancel(tenant.Unscoped(context.Background())) // every account's records
	done := make(chan struct{})
	s.onStop("housekeeping", func(context.Context) error {
		cancel()
		<-done
		return nil
	})
	go func() {
		defer close(done)
		t := time.NewTicker(HousekeepingInterval)
		defer t.Stop()
		for {
			s.housekeep(ctx, prune)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

func (s *Server) housekeep(ctx context.Context, prune *retention.Pruner) {
	if n, err := s.Auth.PruneSessions(ctx); err != nil && ctx.Err() == nil {
		s.Logger.Warn("prune sessions", "err", err)
	} else if n > 0 {
		s.Logger.Info("pruned sessions", "count", n)
	}
	if n, err := idempotency.Prune(ctx, s.DB.Client, time.Now()); err != nil && ctx.Err() == nil {
		s.Logger.Warn("prune idempotency records", "err", err)
	} else if n > 0 {
		s.Logger.Info("pruned idempotency records", "count", n)
	}
	if res, err := prune.RunOnce(ctx); err != nil && ctx.Err() == nil {
		s.Logger.Warn("prune expired access tokens and invites", "err", err)
	} else if res.AccessTokens+res.Invites > 0 {
		s.Logger.Info("pruned expired access tokens and invites", "access_tokens", res.AccessTokens, "invites", res.Invites)
	}
}
