// Package team runs an account's team (DESIGN.md section 10): owners invite
// admins by email, change their roles and remove them; an invited admin
// accepts with a password. An account always keeps one owner. Every change
// writes its audit event in the same transaction.
package team

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"businesstools/ent"
	entaccesstoken "businesstools/ent/accesstoken"
	"businesstools/ent/admin"
	"businesstools/ent/auditevent"
	"businesstools/ent/session"
	"businesstools/internal/accesstoken"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/db"
	"businesstools/internal/mail"
	"businesstools/internal/tenant"
	"businesstools/internal/text"
)

// InviteValidFor is how long an invite link works.
const InviteValidFor = 72 * time.Hour

// unusablePassword is a pending admin's password hash: it is no argon2id
// string, so no password ever matches it.
const unusablePassword = "!invite-pending"

// Config configures the Service.
type Config struct {
	Client    *ent.Client
	Tokens    *accesstoken.Service // told when an admin's tokens must be forgotten
	PublicURL string               // BT_PUBLIC_URL: where invite links point
	MailFrom  string               // BT_MAIL_FROM
	Notify    func()               // wakes the mail worker after an invite commits
	// Lock reads the account's owners FOR UPDATE (PostgreSQL) before the
	// last-owner check, so two owners demoting each other cannot both win.
	// SQLite needs none: its transactions hold the write lock from BEGIN.
	Lock bool
	Now  func() time.Time
}

// Service manages the team of the context's account.
type Service struct{ cfg Config }

// New returns the team service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Notify == nil {
		cfg.Notify = func() {}
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Service{cfg: cfg}
}

// List returns the account's admins, oldest first (pending invites included).
func (s *Service) List(ctx context.Context) ([]*ent.Admin, error) {
	as, err := s.cfg.Client.Admin.Query().Order(admin.ByCreatedAt(), admin.ByID()).All(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "list admins")
	}
	return as, nil
}

// Invite creates a pending admin with the role and emails a link
// <BT_PUBLIC_URL>/invite/<token>, valid for 72 h and once; only the token's
// SHA-256 is stored. For an email that is a pending invite of the viewer's
// account it re-sends the invite instead: a new token (the old link stops
// working), a new expiry, the new role and a new email. Errors: Invalid
// (email — also when an admin of any account, or another account's pending
// invite, has it, without saying which; role).
func (s *Service) Invite(ctx context.Context, v *auth.Viewer, email string, role admin.Role) (*ent.Admin, error) {
	email = auth.NormalizeEmail(email)
	if err := checkInvitee(email); err != nil {
		return nil, err
	}
	if err := checkRole(role); err != nil {
		return nil, err
	}
	if email == v.Email {
		return nil, apperr.Invalidf("email", "You are already on the team.")
	}
	token, hash, err := newInviteToken()
	if err != nil {
		return nil, err
	}
	acc, err := s.cfg.Client.Account.Get(ctx, v.AccountID)
	if err != nil {
		return nil, apperr.Internalf(err, "get account")
	}
	expires := s.cfg.Now().Add(InviteValidFor)
	msg := inviteMessage(s.cfg.PublicURL+"/invite/"+token, v.Email, acc.Name, role, expires)
	msg.AccountID, msg.From, msg.Recipients.To = v.AccountID, s.cfg.MailFrom, []string{email}
	var a *ent.Admin
	err = db.WithTx(ctx, s.cfg.Client, func(tx *ent.Tx) error {
		var resent bool
		a, resent, err = saveInvite(ctx, tx, v.AccountID, email, role, hash, expires)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("%s as %s", email, role)
		if resent {
			detail += " (re-sent)"
		}
		if err := auth.Record(ctx, tx.Client(), auth.ViewerEvent(ctx, v, auditevent.ActionADMIN_INVITED, detail)); err != nil {
			return err
		}
		_, err = mail.Enqueue(ctx, tx.Client(), msg)
		return err
	})
	if err != nil {
		return nil, apperr.As(err)
	}
	s.cfg.Notify()
	return a.Unwrap(), nil
}

// saveInvite creates the pending admin, or renews the account's pending
// invite of the email (resent). Emails are unique across accounts (sign-in
// takes only email and password), so any other admin with it is errTaken.
func saveInvite(ctx context.Context, tx *ent.Tx, accountID int, email string, role admin.Role,
	hash []byte, expires time.Time) (a *ent.Admin, resent bool, err error) {
	prev, err := tx.Admin.Query().Where(admin.Email(email)).Only(tenant.Unscoped(ctx))
	switch {
	case ent.IsNotFound(err):
		a, err = tx.Admin.Create().SetAccountID(accountID).SetEmail(email).SetPasswordHash(unusablePassword).
			SetRole(role).SetInvitePending(true).SetInviteTokenHash(hash).SetInviteExpiresAt(expires).Save(ctx)
		if ent.IsConstraintError(err) { // invited elsewhere meanwhile
			return nil, false, errTaken
		}
		if err != nil {
			return nil, false, apperr.Internalf(err, "create admin")
		}
		return a, false, nil
	case err != nil:
		return nil, false, apperr.Internalf(err, "find admin")
	case prev.AccountID != accountID || !prev.InvitePending:
		return nil, false, errTaken
	}
	// Conditional on the invite still pending: an accept racing the resend
	// either wins (the resend is refused) or finds its token replaced.
	a, err = tx.Admin.UpdateOneID(prev.ID).Where(admin.AccountID(accountID), admin.InvitePending(true)).
		SetRole(role).SetInviteTokenHash(hash).SetInviteExpiresAt(expires).Save(ctx)
	if ent.IsNotFound(err) { // accepted or removed meanwhile
		return nil, false, errTaken
	}
	if err != nil {
		return nil, false, apperr.Internalf(err, "renew invite")
	}
	return a, true, nil
}

var errTaken = apperr.Invalidf("email", "This email cannot be invited: it already belongs to an admin.")

func checkInvitee(email string) error {
	if err := auth.ValidateEmail(email); err != nil {
		return err
	}
	if _, ok := mail.CheckAddress(email); !ok { // the invite must be deliverable
		return apperr.Invalidf("email", "%q is not a valid email address.", email)
	}
	return nil
}

func checkRole(role admin.Role) error {
	if admin.RoleValidator(role) != nil {
		return apperr.Invalidf("role", "The role must be OWNER, ADMIN or VIEWER.")
	}
	return nil
}

func newInviteToken() (token string, hash []byte, err error) {
	raw := make([]byte, 32) // 256 bits
	if _, err := rand.Read(raw); err != nil {
		return "", nil, apperr.Internalf(err, "invite token")
	}
	token = base64.RawURLEncoding.EncodeToString(raw)
	return token, hashToken(token), nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Accept sets the invited admin's password (the same rules as every
// password) and ends the invite: the link works once. The caller signs the
// admin in. Errors: Invalid (token: unknown, used or expired; password).
func (s *Service) Accept(ctx context.Context, token, password string) (*ent.Admin, error) {
	for _, f := range []struct{ name, v string }{{"token", token}, {"password", password}} {
		if err := text.Check(f.name, f.v); err != nil {
			return nil, err
		}
	}
	// The token says which account: the lookup crosses accounts by design.
	ctx = tenant.Unscoped(ctx)
	hash := hashToken(token)
	a, err := s.cfg.Client.Admin.Query().Where(admin.InviteTokenHash(hash)).Only(ctx)
	if ent.IsNotFound(err) || (err == nil && !a.InvitePending) {
		return nil, errBadInvite
	}
	if err != nil {
		return nil, apperr.Internalf(err, "find invite")
	}
	if a.InviteExpiresAt == nil || !s.cfg.Now().Before(*a.InviteExpiresAt) {
		return nil, apperr.Invalidf("token", "This invite has expired. Ask an owner to invite you again.")
	}
	if err := auth.ValidatePassword(password); err != nil {
		return nil, apperr.Invalidf("password", "The %s.", err)
	}
	pw, err := auth.HashPassword(password)
	if err != nil {
		return nil, apperr.Internalf(err, "hash password")
	}
	ctx = tenant.WithAccount(ctx, a.AccountID)
	err = db.WithTx(ctx, s.cfg.Client, func(tx *ent.Tx) error {
		// Conditional on the token still being there: of two racing accepts
		// of one link, only one sets a password.
		n, err := tx.Admin.Update().Where(admin.ID(a.ID), admin.InviteTokenHash(hash)).
			SetPasswordHash(pw).SetInvitePending(false).ClearInviteTokenHash().ClearInviteExpiresAt().Save(ctx)
		if err != nil {
			return apperr.Internalf(err, "accept invite")
		}
		if n == 0 {
			return errBadInvite
		}
		return auth.Record(ctx, tx.Client(), auth.Event{AccountID: a.AccountID, Action: auditevent.ActionADMIN_JOINED,
			ActorID: a.ID, Actor: a.Email, IP: auth.ClientIP(ctx), Detail: fmt.Sprintf("%s as %s", a.Email, a.Role)})
	})
	if err != nil {
		return nil, apperr.As(err)
	}
	a.InvitePending, a.InviteTokenHash, a.InviteExpiresAt, a.PasswordHash = false, nil, nil, pw
	return a, nil
}

var errBadInvite = apperr.Invalidf("token", "This invite link is not valid: it may have been used already.")

// UpdateRole changes an admin's role. Tokens holding scopes the new role
// does not allow are deleted with it; sessions see the new role on their
// next request. Errors: NotFound, Invalid (role: unknown, or the last owner
// would lose OWNER).
func (s *Service) UpdateRole(ctx context.Context, v *auth.Viewer, id int, role admin.Role) (*ent.Admin, error) {
	if err := checkRole(role); err != nil {
		return nil, err
	}
	var out *ent.Admin
	changed := false
	err := db.WithTx(ctx, s.cfg.Client, func(tx *ent.Tx) error {
		a, err := s.get(ctx, tx, id)
		if err != nil || a.Role == role {
			out = a
			return err
		}
		if err := s.keepOwner(ctx, tx, a); err == errLastOwner {
			return apperr.Invalidf("role", "The account must keep an owner: make another admin OWNER first.")
		} else if err != nil {
			return err
		}
		if out, err = tx.Admin.UpdateOne(a).SetRole(role).Save(ctx); err != nil {
			return apperr.Internalf(err, "update role")
		}
		revoked, err := accesstoken.DeleteAboveRole(ctx, tx, a.ID, role)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("%s: %s → %s", a.Email, a.Role, role)
		if len(revoked) > 0 {
			detail += "; access tokens revoked: " + strings.Join(revoked, ", ")
		}
		changed = true
		return auth.Record(ctx, tx.Client(), auth.ViewerEvent(ctx, v, auditevent.ActionADMIN_ROLE_CHANGED, detail))
	})
	if err != nil {
		return nil, apperr.As(err)
	}
	if changed {
		s.tokensChanged(id)
	}
	return out.Unwrap(), nil
}

// Remove deletes an admin with their sessions and access tokens, which stop
// working at once. Keys they created stay (without a creator); the audit
// trail keeps their email. Errors: NotFound, Invalid (id: the last owner).
func (s *Service) Remove(ctx context.Context, v *auth.Viewer, id int) error {
	err := db.WithTx(ctx, s.cfg.Client, func(tx *ent.Tx) error {
		a, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.keepOwner(ctx, tx, a); err == errLastOwner {
			return apperr.Invalidf("id", "The last owner cannot be removed: make another admin OWNER first.")
		} else if err != nil {
			return err
		}
		if _, err := tx.Session.Delete().Where(session.AdminID(a.ID)).Exec(ctx); err != nil {
			return apperr.Internalf(err, "delete sessions")
		}
		if _, err := tx.AccessToken.Delete().Where(entaccesstoken.AdminID(a.ID)).Exec(ctx); err != nil {
			return apperr.Internalf(err, "delete access tokens")
		}
		if err := tx.Admin.DeleteOne(a).Exec(ctx); err != nil {
			return apperr.Internalf(err, "delete admin")
		}
		return auth.Record(ctx, tx.Client(), auth.ViewerEvent(ctx, v, auditevent.ActionADMIN_REMOVED,
			fmt.Sprintf("%s (%s)", a.Email, a.Role)))
	})
	if err != nil {
		return apperr.As(err)
	}
	s.tokensChanged(id)
	return nil
}

func (s *Service) get(ctx context.Context, tx *ent.Tx, id int) (*ent.Admin, error) {
	a, err := tx.Admin.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("No admin with this id exists.")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "get admin")
	}
	return a, nil
}

// errLastOwner is keepOwner's refusal; callers name their own field.
var errLastOwner = apperr.New(apperr.Invalid, "last owner")

// keepOwner refuses a change that takes OWNER away from a (demotion or
// removal) when a is the account's only owner who can sign in.
func (s *Service) keepOwner(ctx context.Context, tx *ent.Tx, a *ent.Admin) error {
	if a.Role != admin.RoleOWNER || a.InvitePending {
		return nil
	}
	q := tx.Admin.Query().Where(admin.AccountID(a.AccountID), admin.RoleEQ(admin.RoleOWNER), admin.InvitePending(false))
	if s.cfg.Lock {
		q.ForUpdate()
	}
	ids, err := q.IDs(ctx)
	if err != nil {
		return apperr.Internalf(err, "count owners")
	}
	if len(ids) <= 1 {
		return errLastOwner
	}
	return nil
}

func (s *Service) tokensChanged(adminID int) {
	if s.cfg.Tokens != nil {
		s.cfg.Tokens.Changed(accesstoken.Change{AdminID: adminID})
	}
}
