// Command businesstools serves the API-key admin app, its GraphQL API and the
// REST API the keys unlock. `businesstools admin create` adds admins.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"businesstools/internal/auth"
	"businesstools/internal/config"
	"businesstools/internal/db"
	"businesstools/internal/server"
	"businesstools/internal/tenant"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "businesstools:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stderr io.Writer) error {
	if len(args) >= 2 && args[0] == "admin" && args[1] == "create" {
		return adminCreate(args[2:], stdin, stderr)
	}
	cfg, err := config.Load(args, os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage text is the answer
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	return serve(ctx, cfg, logger, stderr)
}

func serve(ctx context.Context, cfg config.Config, logger *slog.Logger, terminal io.Writer) error {
	d, err := db.Open(tenant.Unscoped(ctx), cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	srv, err := server.New(ctx, cfg, d, logger, terminal)
	if err != nil {
		return err
	}
	httpSrv := server.HTTPServer(cfg.Addr, srv.Handler(), server.DefaultTimeouts)
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.ListenAndServe() }()
	logger.Info("listening", "addr", cfg.Addr, "database", d.Dialect, "env", cfg.Env)
	select {
	case err := <-errc:
		stopCtx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
		defer cancel()
		return errors.Join(err, srv.Stop(stopCtx))
	case <-ctx.Done():
	}
	// SIGTERM: stop accepting and drain requests, then flush usage and stop
	// the workers — all within one deadline (server.ShutdownTimeout), of
	// which draining may take at most server.DrainTimeout.
	logger.Info("shutting down")
	stopCtx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
	defer cancel()
	drainCtx, cancelDrain := context.WithTimeout(stopCtx, server.DrainTimeout)
	defer cancelDrain()
	if err := httpSrv.Shutdown(drainCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("drain", "err", err)
	}
	return srv.Stop(stopCtx)
}

// adminCreate implements `admin create --account NAME --email EMAIL`, reading
// the password from stdin so it never appears in shell history or ps.
func adminCreate(args []string, stdin io.Reader, out io.Writer) error {
	var account, email string
	var rest []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--account" && i+1 < len(args):
			account, i = args[i+1], i+1
		case args[i] == "--email" && i+1 < len(args):
			email, i = args[i+1], i+1
		default:
			rest = append(rest, args[i])
		}
	}
	if account == "" || email == "" {
		return errors.New("usage: businesstools admin create --account NAME --email EMAIL < password")
	}
	cfg, err := config.Load(rest, os.Getenv)
	if err != nil {
		return err
	}
	pw, err := io.ReadAll(io.LimitReader(stdin, 4096))
	if err != nil {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	a, err := auth.CreateAdmin(ctx, d.Client, account, email, strings.TrimRight(string(pw), "\r\n"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created admin %s (id %d) in account %q\n", a.Email, a.ID, account)
	return nil
}
