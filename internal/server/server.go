// Package server wires the services into one HTTP handler: GraphQL, the
// REST API, health checks, metrics and the embedded SPA.
package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/rs/cors"

	"businesstools/frontend"
	"businesstools/graph"
	"businesstools/internal/accesstoken"
	"businesstools/internal/apikey"
	"businesstools/internal/auth"
	"businesstools/internal/clientip"
	"businesstools/internal/config"
	"businesstools/internal/db"
	"businesstools/internal/keyjobs"
	"businesstools/internal/keysearch"
	"businesstools/internal/leaks"
	"businesstools/internal/mail"
	"businesstools/internal/metrics"
	"businesstools/internal/notify"
	"businesstools/internal/ratelimit"
	"businesstools/internal/requestid"
	"businesstools/internal/rest"
	"businesstools/internal/settings"
	"businesstools/internal/team"
	"businesstools/internal/tenant"
	"businesstools/internal/usage"
)

// MaxBodyBytes bounds request bodies (DESIGN.md section 5: 1 MiB).
const MaxBodyBytes = 1 << 20

// Server is a running businesstools instance's services and handler.
type Server struct {
	Config config.Config
	DB     *db.DB
	Keys   *apikey.Service
	Auth   *auth.Service
	Logger *slog.Logger
	// REST key verification, usage and metrics (see apikeys.go).
	Verifier *apikey.Verifier
	Usage    *usage.Recorder
	Metrics  *metrics.Metrics
	limiter  *ratelimit.Limiter
	Mail     *mail.Worker
	// Team and access tokens (see team.go).
	Team          *team.Service
	Tokens        *accesstoken.Service
	TokenVerifier *accesstoken.Verifier
	TokenLastUsed *accesstoken.LastUsed
	// Section 9: notification emails, account policies, leak endpoints, periodic key checks.
	Notifier *notify.Notifier
	Settings *settings.Service
	Leaks    *leaks.Service
	KeyJobs  *keyjobs.Runner

	mux     *http.ServeMux
	handler http.Handler
	life    lifecycle
}

// New builds the services on an open database and starts the workers. out
// receives the one-time first-start password (the terminal), never the
// structured log. Every step that can fail runs before any worker starts,
// each stop is registered before its start, and should New fail after all
// it stops what it set up (bounded by ctx and ShutdownTimeout).
func New(ctx context.Context, cfg config.Config, d *db.DB, logger *slog.Logger, out io.Writer) (_ *Server, err error) {
	ctx = tenant.Unscoped(ctx) // start-up reads and writes across accounts
	s := &Server{Config: cfg, DB: d, Logger: logger, mux: http.NewServeMux()}
	defer func() {
		if err != nil {
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
			defer cancel()
			if stopErr := s.Stop(stopCtx); stopErr != nil {
				logger.Error("start-up failed; stopping what started", "err", stopErr)
			}
		}
	}()
	var sealer *apikey.Sealer
	if cfg.AllowReveal {
		master, err := apikey.LoadMasterKey(cfg.MasterKey, cfg.DataDir)
		if err != nil {
			return nil, err
		}
		if sealer, err = apikey.NewSealer(master); err != nil {
			return nil, err
		}
	}
	cleared, err := apikey.PrepareStorage(ctx, d.Client, sealer, cfg.AllowReveal)
	if err != nil {
		return nil, err
	}
	if cleared > 0 {
		logger.Info("reveal is off: deleted the sealed copies of API keys", "keys", cleared)
	}
	s.Auth = auth.New(d.Client, auth.Config{SecureCookies: !cfg.Development(), Tokens: tokenVerifier{s}})
	s.Notifier, s.Settings = s.newNotifier(), settings.New(d)
	s.Keys = apikey.New(apikey.Config{Client: d.Client, Sealer: sealer, AllowReveal: cfg.AllowReveal, StepUp: s.Auth.StepUp,
		OnChangeTx: s.Notifier.OnKeyChange})
	if err := auth.EnsureOwner(ctx, d.Client, cfg.AdminEmail, cfg.AdminPassword, out); err != nil {
		return nil, fmt.Errorf("first admin: %w", err)
	}
	if err := s.setUpMail(); err != nil {
		return nil, err
	}
	if err := s.setUpTeam(); err != nil {
		return nil, err
	}
	if err := s.setUpAPIKeys(); err != nil {
		return nil, err
	}
	if err := s.setUpLeaks(); err != nil {
		return nil, err
	}
	s.routes()
	// Nothing below can fail.
	s.Mail.Start()
	s.Usage.Start()
	s.TokenLastUsed.Start()
	s.Leaks.Start()
	s.KeyJobs.Start()
	s.startHousekeeping()
	return s, nil
}

func (s *Server) routes() {
	gql := graph.NewHandler(&graph.Resolver{Client: s.DB.Client, Keys: s.Keys, Auth: s.Auth, Settings: s.Settings,
		Team: s.Team, Tokens: s.Tokens, DefaultRateLimit: s.Config.RateLimit, KeySearch: keysearch.New(s.DB)},
		graph.HandlerConfig{Development: s.Config.Development(), Logger: s.Logger})
	s.mux.Handle("POST /graphql", s.Auth.Middleware(limitBody(gql)))
	s.mux.HandleFunc("/graphql", graphqlPostOnly)
	if s.Config.Development() {
		s.mux.Handle("GET /playground", documentHeaders(playground.Handler("businesstools GraphQL", "/graphql")))
	}
	// Leak endpoints: no API key (DESIGN.md section 9), so outside rest's key check.
	leakRoutes := s.Leaks.Handler()
	s.mux.Handle(leaks.PathSecretScanning, leakRoutes)
	s.mux.Handle(leaks.PathRevoke, leakRoutes)
	rest.New(rest.Config{Mux: s.mux, DB: s.DB, Keys: s.Keys, Logger: s.Logger, // registers /v1 on s.mux
		Authenticate: s.restAuthenticator(), MailFrom: s.Config.MailFrom, MailNotify: s.Mail.Notify})
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", s.Metrics.Handler())
	s.mux.Handle("/", frontend.Handler())
	s.handler = clientip.New(s.Config.TrustedProxies).Middleware(requestid.Middleware(s.Metrics.Middleware(s.withCORS(securityHeaders(s.mux, !s.Config.Development())))))
}

// setUpMail builds the outbox worker — SMTP when BT_SMTP_URL is set, the
// capture sink otherwise — and registers its stop; New starts it. The relay
// is logged without its password.
func (s *Server) setUpMail() error {
	var sender mail.Sender = mail.CaptureSender{}
	if s.Config.SMTPURL != "" {
		smtp, err := mail.NewSMTPSender(s.Config.SMTPURL)
		if err != nil {
			return err
		}
		sender = smtp
		s.Logger.Info("mail: relaying over SMTP", "relay", smtp.String())
	} else {
		s.Logger.Info("mail: no BT_SMTP_URL; emails are captured in the database")
	}
	s.Mail = mail.NewWorker(mail.WorkerConfig{DB: s.DB, Sender: sender, Logger: s.Logger,
		MaxAttempts: s.Config.MailMaxAttempts, BackoffBase: s.Config.MailBackoff, Lease: s.Config.MailLease})
	s.onStop("mail worker", s.Mail.Stop)
	return nil
}

// Handler is the whole HTTP API.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	if err := s.DB.Ping(ctx); err != nil {
		s.Logger.Warn("readyz: database not reachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"status":"unavailable","database":"down"}`)
		return
	}
	_, _ = io.WriteString(w, `{"status":"ok","database":"up"}`)
}

// withCORS allows the configured origins only; with none configured nothing
// cross-origin is allowed (rs/cors would otherwise default to "*").
func (s *Server) withCORS(h http.Handler) http.Handler {
	if len(s.Config.CORSOrigins) == 0 {
		return h
	}
	return cors.New(cors.Options{
		AllowedOrigins:   s.Config.CORSOrigins,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "X-API-Key", "Idempotency-Key"},
		ExposedHeaders:   []string{"Location", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"},
		AllowCredentials: true,
		MaxAge:           600,
	}).Handler(h)
}

func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		h.ServeHTTP(w, r)
	})
}

// HSTS is the Strict-Transport-Security value sent in production: browsers
// use HTTPS only for this host for two years (ignored over plain HTTP).
const HSTS = "max-age=63072000; includeSubDomains"

// securityHeaders puts on every answer what protects every answer: nosniff,
// so that no JSON or text is ever run as a script or page, and HSTS in
// production. The headers that only mean something for a page a browser
// shows (Content-Security-Policy, X-Frame-Options, Referrer-Policy) are set
// by the document handlers themselves (frontend.Handler, documentHeaders):
// API answers cannot be framed with their credentials (keys and tokens
// travel in headers a frame cannot send; GraphQL takes POST only) and link
// to nothing, and three fewer header fields keep the key path's header map
// small (net/http copies it on every answer; see BenchmarkHotPath).
func securityHeaders(h http.Handler, production bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Canonical keys and shared values: no allocation per answer
		// (net/http only reads these slices).
		hd := w.Header()
		hd["X-Content-Type-Options"] = nosniff
		if production {
			hd["Strict-Transport-Security"] = hsts
		}
		h.ServeHTTP(w, r)
	})
}

// documentHeaders adds the page-only protections to an HTML handler that is
// not the SPA (the development playground).
func documentHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd["Referrer-Policy"] = noReferrer
		hd["X-Frame-Options"] = frameDeny
		h.ServeHTTP(w, r)
	})
}

var (
	nosniff    = []string{"nosniff"}
	noReferrer = []string{"no-referrer"}
	frameDeny  = []string{"DENY"}
	hsts       = []string{HSTS}
)

// graphqlPostOnly answers another method on /graphql as GraphQL clients
// read errors: a JSON body with errors[].
func graphqlPostOnly(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Allow", http.MethodPost)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusMethodNotAllowed)
	_, _ = w.Write(postOnlyBody)
}

var postOnlyBody = []byte(`{"errors":[{"message":"GraphQL takes POST with a JSON body only.","extensions":{"code":"METHOD_NOT_ALLOWED"}}]}` + "\n")
