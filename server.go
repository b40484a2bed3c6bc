// Command businesstools serves the API-key admin app, its GraphQL API and the
// REST API the keys unlock. `businesstools admin create` adds admins;
// `businesstools seed` fills an account with realistic keys for load tests.
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"businesstools/ent/admin"
	"businesstools/internal/auth"
	"businesstools/internal/config"
	"businesstools/internal/db"
	"businesstools/internal/seed"
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
	if len(args) >= 1 && args[0] == "seed" {
		return seedKeys(args[1:], stderr)
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

// adminCreate implements `admin create --account NAME --email EMAIL [--role
// OWNER|ADMIN|VIEWER]` (default OWNER), reading the password from stdin so
// it never appears in shell history or ps.
func adminCreate(args []string, stdin io.Reader, out io.Writer) error {
	var account, email string
	role := admin.RoleOWNER
	var rest []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--account" && i+1 < len(args):
			account, i = args[i+1], i+1
		case args[i] == "--email" && i+1 < len(args):
			email, i = args[i+1], i+1
		case args[i] == "--role" && i+1 < len(args):
			role, i = admin.Role(strings.ToUpper(args[i+1])), i+1
		default:
			rest = append(rest, args[i])
		}
	}
	if account == "" || email == "" {
		return errors.New(adminCreateUsage)
	}
	if admin.RoleValidator(role) != nil {
		return fmt.Errorf("unknown role %q; %s", role, adminCreateUsage)
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
	a, err := auth.CreateAdminAs(ctx, d.Client, account, email, strings.TrimRight(string(pw), "\r\n"), role)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created admin %s (id %d, %s) in account %q\n", a.Email, a.ID, a.Role, account)
	return nil
}

const adminCreateUsage = "usage: businesstools admin create --account NAME --email EMAIL [--role OWNER|ADMIN|VIEWER] < password"

// seedKeys implements `seed --account NAME --keys N` (internal/seed): N
// realistic keys for load tests and demos. It prints counts, never a secret.
func seedKeys(args []string, out io.Writer) error {
	var opts seed.Options
	var rest []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--account" && i+1 < len(args):
			opts.Account, i = args[i+1], i+1
		case args[i] == "--keys" && i+1 < len(args):
			n, err := strconv.Atoi(args[i+1])
			if err != nil {
				return errors.New("--keys must be a number")
			}
			opts.Keys, i = n, i+1
		default:
			rest = append(rest, args[i])
		}
	}
	if opts.Account == "" || opts.Keys == 0 {
		return errors.New("usage: businesstools seed --account NAME --keys N")
	}
	cfg, err := config.Load(rest, os.Getenv)
	if err != nil {
		return err
	}
	// A system path: it writes for the account it names.
	ctx, stop := signal.NotifyContext(tenant.Unscoped(context.Background()), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	opts.Progress = func(done int) { fmt.Fprintf(out, "\rseeded %d of %d keys", done, opts.Keys) }
	res, err := seed.Run(ctx, d, opts)
	fmt.Fprintln(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "account %q (id %d): %d keys in %s — %d inactive, %d used, %d expiring, %d expired, %d permission grants\n",
		opts.Account, res.AccountID, res.Keys, res.Elapsed.Round(time.Millisecond),
		res.Inactive, res.Used, res.Expiring, res.Expired, res.PermissionRows)
	return nil
}
