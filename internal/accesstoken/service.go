package accesstoken

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"

	"businesstools/ent"
	"businesstools/ent/accesstoken"
	"businesstools/ent/admin"
	"businesstools/ent/auditevent"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/db"
	"businesstools/internal/text"
)

// Change says what a committed change touched: one token (TokenID), or every
// token of one admin (AdminID: the admin was removed or changed role).
// Verifiers drop the matching cache entries.
type Change struct {
	TokenID int
	AdminID int
}

// String renders the change as the payload of the cross-process feed:
// t:<token id> or a:<admin id>.
func (c Change) String() string {
	if c.TokenID != 0 {
		return "t:" + strconv.Itoa(c.TokenID)
	}
	return "a:" + strconv.Itoa(c.AdminID)
}

// ParseChange reads a payload written by Change.String.
func ParseChange(payload string) (Change, bool) {
	kind, num, ok := strings.Cut(payload, ":")
	id, err := strconv.Atoi(num)
	if !ok || err != nil || id <= 0 {
		return Change{}, false
	}
	switch kind {
	case "t":
		return Change{TokenID: id}, true
	case "a":
		return Change{AdminID: id}, true
	}
	return Change{}, false
}

// Config configures the Service.
type Config struct {
	Client *ent.Client
	Now    func() time.Time
}

// Service creates, lists and revokes access tokens. Every change writes its
// audit event in the same transaction and, after the commit, tells the
// OnChange listeners so that verification caches forget the token.
type Service struct {
	cfg       Config
	mu        sync.RWMutex
	listeners []func(Change)
}

// New returns the token service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// OnChange registers fn to run after every committed change.
func (s *Service) OnChange(fn func(Change)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listeners = append(s.listeners, fn)
}

// Changed tells the listeners about a change committed elsewhere (the team
// service removing an admin or changing a role).
func (s *Service) Changed(c Change) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, fn := range s.listeners {
		fn(c)
	}
}

// CreateInput is what createAccessToken takes.
type CreateInput struct {
	Name      string
	Scopes    []string
	ExpiresAt time.Time
}

// Create makes a token for the viewer's admin and returns it with its secret
// (shown once; only its SHA-256 is stored). Errors: Invalid (name, scopes,
// expiresAt); scopes beyond the admin's role are Invalid (scopes) and are
// written to the security log as a refused TOKEN_CREATED.
func (s *Service) Create(ctx context.Context, v *auth.Viewer, in CreateInput) (*ent.AccessToken, string, error) {
	name, scopes, err := s.validate(in)
	if err != nil {
		return nil, "", err
	}
	if !roleAllowsAll(v.Role, scopes) {
		detail := fmt.Sprintf("refused: scopes %s above role %s", strings.Join(scopes, ", "), v.Role)
		if err := auth.Record(ctx, s.cfg.Client, auth.ViewerEvent(ctx, v, auditevent.ActionTOKEN_CREATED, detail)); err != nil {
			return nil, "", err
		}
		return nil, "", apperr.Invalidf("scopes", "A token cannot hold more than its admin's role (%s) allows: %s.",
			v.Role, strings.Join(allowedFor(v.Role), ", "))
	}
	secret, err := Generate()
	if err != nil {
		return nil, "", apperr.Internalf(err, "generate token")
	}
	hash := sha256.Sum256([]byte(secret))
	var t *ent.AccessToken
	err = db.WithTx(ctx, s.cfg.Client, func(tx *ent.Tx) error {
		t, err = tx.AccessToken.Create().SetAccountID(v.AccountID).SetAdminID(v.AdminID).SetName(name).
			SetTokenHash(hash[:]).SetTokenStart(secret[:startLen]).SetTokenEnd(secret[len(secret)-4:]).
			SetScopes(scopes).SetExpiresAt(in.ExpiresAt).SetCreatedAt(s.cfg.Now()).Save(ctx)
		if err != nil {
			return apperr.Internalf(err, "create token")
		}
		detail := fmt.Sprintf("%q: %s, expires %s", name, strings.Join(scopes, ", "), in.ExpiresAt.UTC().Format(time.RFC3339))
		return auth.Record(ctx, tx.Client(), auth.ViewerEvent(ctx, v, auditevent.ActionTOKEN_CREATED, detail))
	})
	if err != nil {
		return nil, "", apperr.As(err)
	}
	return t.Unwrap(), secret, nil
}

// validate checks everything of the input that does not depend on who asks,
// and returns the trimmed name and the scopes in canonical order.
func (s *Service) validate(in CreateInput) (string, []string, error) {
	if err := text.CheckName("name", in.Name); err != nil {
		return "", nil, err
	}
	name := strings.TrimSpace(in.Name)
	if n := text.Len(name); n < 1 || n > 100 {
		return "", nil, apperr.Invalidf("name", "The name must be 1 to 100 characters of text.")
	}
	if len(in.Scopes) == 0 {
		return "", nil, apperr.Invalidf("scopes", "Choose at least one scope.")
	}
	var scopes []string
	for _, sc := range Scopes { // canonical order, duplicates folded
		if slices.Contains(in.Scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	for _, sc := range in.Scopes {
		if !slices.Contains(Scopes, sc) {
			return "", nil, apperr.Invalidf("scopes", "%q is not a scope; use %s.", sc, strings.Join(Scopes, ", "))
		}
	}
	now := s.cfg.Now()
	switch {
	case in.ExpiresAt.IsZero():
		return "", nil, apperr.Invalidf("expiresAt", "An expiry is required.")
	case !in.ExpiresAt.After(now):
		return "", nil, apperr.Invalidf("expiresAt", "The expiry must be in the future.")
	case in.ExpiresAt.Sub(now) > MaxLifetime:
		return "", nil, apperr.Invalidf("expiresAt", "The expiry must be at most 366 days away.")
	}
	return name, scopes, nil
}

func allowedFor(role admin.Role) []string {
	var out []string
	for _, sc := range Scopes {
		if RoleAllows(role, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// List returns the viewer's own tokens, or for an owner every token of the
// account, newest first, with their admins.
func (s *Service) List(ctx context.Context, v *auth.Viewer) ([]*ent.AccessToken, error) {
	q := s.cfg.Client.AccessToken.Query().WithAdmin().
		Order(accesstoken.ByCreatedAt(sql.OrderDesc()), accesstoken.ByID(sql.OrderDesc()))
	if v.Role != admin.RoleOWNER {
		q.Where(accesstoken.AdminID(v.AdminID))
	}
	ts, err := q.All(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "list tokens")
	}
	return ts, nil
}

// Revoke deletes a token at once: one's own, or as an owner anyone's.
// Errors: NotFound; Forbidden for another admin's token (audited as a
// refused TOKEN_REVOKED).
func (s *Service) Revoke(ctx context.Context, v *auth.Viewer, id int) error {
	t, err := s.cfg.Client.AccessToken.Query().Where(accesstoken.ID(id)).WithAdmin().Only(ctx)
	if ent.IsNotFound(err) {
		return apperr.NotFoundf("No access token with this id exists.")
	}
	if err != nil {
		return apperr.Internalf(err, "get token")
	}
	detail := fmt.Sprintf("%q of %s", t.Name, t.Edges.Admin.Email)
	if t.AdminID != v.AdminID && v.Role != admin.RoleOWNER {
		if err := auth.Record(ctx, s.cfg.Client, auth.ViewerEvent(ctx, v, auditevent.ActionTOKEN_REVOKED, "refused: "+detail)); err != nil {
			return err
		}
		return apperr.New(apperr.Forbidden, "Only owners may revoke another admin's access token.")
	}
	err = db.WithTx(ctx, s.cfg.Client, func(tx *ent.Tx) error {
		if err := tx.AccessToken.DeleteOneID(id).Exec(ctx); err != nil && !ent.IsNotFound(err) {
			return apperr.Internalf(err, "delete token")
		}
		return auth.Record(ctx, tx.Client(), auth.ViewerEvent(ctx, v, auditevent.ActionTOKEN_REVOKED, detail))
	})
	if err != nil {
		return apperr.As(err)
	}
	s.Changed(Change{TokenID: id})
	return nil
}

// DeleteAboveRole deletes, inside the caller's transaction, the admin's
// tokens holding a scope the role no longer allows, and returns their names
// for the audit trail. The caller calls Changed(Change{AdminID}) after the commit.
func DeleteAboveRole(ctx context.Context, tx *ent.Tx, adminID int, role admin.Role) ([]string, error) {
	ts, err := tx.AccessToken.Query().Where(accesstoken.AdminID(adminID)).All(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "list tokens")
	}
	var ids []int
	var names []string
	for _, t := range ts {
		if !roleAllowsAll(role, t.Scopes) {
			ids, names = append(ids, t.ID), append(names, t.Name)
		}
	}
	if len(ids) > 0 {
		if _, err := tx.AccessToken.Delete().Where(accesstoken.IDIn(ids...)).Exec(ctx); err != nil {
			return nil, apperr.Internalf(err, "delete tokens")
		}
	}
	return names, nil
}
