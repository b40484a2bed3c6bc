package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"businesstools/ent"
	"businesstools/ent/admin"
	"businesstools/ent/session"
	"businesstools/internal/apperr"
	"businesstools/internal/tenant"
	"businesstools/internal/text"
)

// Config tunes sessions and throttling; zero values take the defaults.
type Config struct {
	IdleTimeout     time.Duration // default 12 h
	AbsoluteTimeout time.Duration // default 7 days
	EmailPolicy     Policy        // default slow after 3, lock after 10 for 15 min
	IPPolicy        Policy        // default slow after 20, lock after 100 for 15 min
	// RevealPolicy throttles wrong step-up passwords (reveal), counted per
	// signed-in admin only (default: EmailPolicy's default).
	RevealPolicy Policy
	Now          func() time.Time
	// SecureCookies marks the session cookie Secure on every answer
	// (BT_ENV=production); otherwise only on requests that came over TLS.
	SecureCookies bool
}

// Service signs admins in and out and checks sessions.
type Service struct {
	client  *ent.Client
	cfg     Config
	byEmail *Throttle
	byIP    *Throttle
	// byAdmin counts wrong step-up passwords per admin id: apart from the
	// login counters, so failing reveals on one's own session cannot lock
	// anyone's login, nor a login flood anyone's reveals.
	byAdmin *Throttle
}

// New returns the auth service.
func New(client *ent.Client, cfg Config) *Service {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 12 * time.Hour
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = 7 * 24 * time.Hour
	}
	if cfg.EmailPolicy.LockAfter == 0 {
		cfg.EmailPolicy = Policy{SlowAfter: 3, LockAfter: 10, LockFor: 15 * time.Minute}
	}
	if cfg.IPPolicy.LockAfter == 0 {
		cfg.IPPolicy = Policy{SlowAfter: 20, LockAfter: 100, LockFor: 15 * time.Minute}
	}
	if cfg.RevealPolicy.LockAfter == 0 {
		cfg.RevealPolicy = Policy{SlowAfter: 3, LockAfter: 10, LockFor: 15 * time.Minute}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{client: client, cfg: cfg, byEmail: NewThrottle(cfg.EmailPolicy, cfg.Now),
		byIP: NewThrottle(cfg.IPPolicy, cfg.Now), byAdmin: NewThrottle(cfg.RevealPolicy, cfg.Now)}
}

var errBadLogin = apperr.New(apperr.Unauthenticated, "The email or password is incorrect.")

// Login checks the credentials and opens a session. It returns the session
// token (shown to the caller once, stored only as a hash). Errors:
// Invalid (email or password is not valid text), Unauthenticated (never
// saying whether the email exists), RateLimited.
func (s *Service) Login(ctx context.Context, email, password, ip string) (string, *ent.Admin, time.Time, error) {
	// Checked before ToLower, which would turn invalid UTF-8 into U+FFFD.
	if err := text.Check("email", email); err != nil {
		return "", nil, time.Time{}, err
	}
	if err := text.Check("password", password); err != nil {
		return "", nil, time.Time{}, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.begin(email, ip); err != nil {
		return "", nil, time.Time{}, err
	}
	// Admins are looked up across accounts: a request may still carry another
	// account's session (switching users in one browser).
	ctx = tenant.Unscoped(ctx)
	a, err := s.client.Admin.Query().Where(admin.Email(email)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return "", nil, time.Time{}, apperr.Internalf(err, "find admin")
	}
	hash := dummyHash
	if a != nil {
		hash = a.PasswordHash
	}
	if !CheckPassword(hash, password) || a == nil {
		return "", nil, time.Time{}, errBadLogin
	}
	s.byEmail.Reset(email)
	s.byIP.Undo(ip)
	token, expires, err := s.openSession(ctx, a, ip)
	if err != nil {
		return "", nil, time.Time{}, err
	}
	return token, a, expires, nil
}

// begin starts a password try for the email from the IP: refused while
// either is slowed or locked, otherwise counted as failed until it succeeds.
func (s *Service) begin(email, ip string) error {
	wait := s.byIP.Wait(ip)
	if wait == 0 {
		wait = s.byEmail.Begin(email)
	}
	if wait == 0 {
		wait = s.byIP.Begin(ip)
	}
	return tooMany(wait)
}

// tooMany is the RateLimited error for a wait, or nil for none.
func tooMany(wait time.Duration) error {
	if wait > 0 {
		return &apperr.Error{Code: apperr.RateLimited, RetryAfter: wait,
			Message: "Too many failed attempts. Try again in " + wait.Round(time.Second).String() + "."}
	}
	return nil
}

func (s *Service) openSession(ctx context.Context, a *ent.Admin, ip string) (string, time.Time, error) {
	raw := make([]byte, 32) // 256 bits
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, apperr.Internalf(err, "session token")
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.cfg.Now()
	expires := now.Add(s.cfg.AbsoluteTimeout)
	err := s.client.Session.Create().
		SetTokenHash(hashToken(token)).SetAdminID(a.ID).SetCreatedAt(now).
		SetLastSeenAt(now).SetExpiresAt(expires).SetClientIP(ip).Exec(ctx)
	if err != nil {
		return "", time.Time{}, apperr.Internalf(err, "create session")
	}
	return token, expires, nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Authenticate returns the admin a session token belongs to. Errors:
// Unauthenticated for unknown, revoked, idle or expired sessions.
func (s *Service) Authenticate(ctx context.Context, token string) (*Viewer, error) {
	// A session is found by its token's hash, whatever its account; the
	// viewer returned then scopes the request.
	ctx = tenant.Unscoped(ctx)
	sess, err := s.client.Session.Query().Where(session.TokenHash(hashToken(token))).WithAdmin().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.Unauthenticated, "Your session has ended. Sign in again.")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "find session")
	}
	now := s.cfg.Now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.cfg.IdleTimeout {
		_ = s.client.Session.DeleteOneID(sess.ID).Exec(ctx)
		return nil, apperr.New(apperr.Unauthenticated, "Your session has ended. Sign in again.")
	}
	// Touch at most once a minute: the idle clock does not need finer steps.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		_ = s.client.Session.UpdateOneID(sess.ID).SetLastSeenAt(now).Exec(ctx)
	}
	a := sess.Edges.Admin
	return &Viewer{AdminID: a.ID, AccountID: a.AccountID, Email: a.Email, SessionID: sess.ID}, nil
}

// Logout revokes the session.
func (s *Service) Logout(ctx context.Context, sessionID int) error {
	err := s.client.Session.DeleteOneID(sessionID).Exec(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return apperr.Internalf(err, "delete session")
	}
	return nil
}

// StepUp checks the signed-in admin's password again before a sensitive
// action (reveal). Failures are counted for that admin alone — not for the
// email or IP logins are counted by, which anyone could otherwise lock by
// failing reveals on their own session. email and ip are the admin's and
// the request's (kept for callers; the counter is the admin id).
// Errors: Invalid (field "password"), RateLimited.
func (s *Service) StepUp(ctx context.Context, adminID int, email, password, ip string) error {
	subject := strconv.Itoa(adminID)
	if err := tooMany(s.byAdmin.Begin(subject)); err != nil {
		return err
	}
	a, err := s.client.Admin.Get(ctx, adminID)
	if err != nil {
		return apperr.Internalf(err, "find admin")
	}
	if !CheckPassword(a.PasswordHash, password) {
		return apperr.Invalidf("password", "The password is incorrect.")
	}
	s.byAdmin.Reset(subject)
	return nil
}

// PruneSessions deletes sessions past their absolute or idle expiry, so the
// table holds only sessions that could still be used.
func (s *Service) PruneSessions(ctx context.Context) (int, error) {
	now := s.cfg.Now()
	n, err := s.client.Session.Delete().Where(session.Or(
		session.ExpiresAtLT(now), session.LastSeenAtLT(now.Add(-s.cfg.IdleTimeout)))).Exec(ctx)
	if err != nil {
		return 0, apperr.Internalf(err, "prune sessions")
	}
	return n, nil
}
