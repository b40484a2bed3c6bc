package apikey

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"businesstools/ent"
	"businesstools/ent/auditevent"
	"businesstools/ent/keyusage"
	"businesstools/ent/permission"
	"businesstools/internal/apperr"
)

// CreateInput is what an admin chooses for a new key.
type CreateInput struct {
	Name        string
	Permissions []permission.Key
	ExpiresAt   *time.Time
	IPAllowlist []string
	RateLimit   *int // requests/s; nil or 0 = the server default
}

// Create issues a new key and returns it with its secret, which is not
// retrievable again except through Reveal. Errors: Invalid (name,
// permissions, expiresAt, ipAllowlist).
func (s *Service) Create(ctx context.Context, a Actor, in CreateInput) (*ent.ApiKey, string, error) {
	name, err := validName(in.Name)
	if err != nil {
		return nil, "", err
	}
	if err := validExpiry(in.ExpiresAt, s.cfg.Now()); err != nil {
		return nil, "", err
	}
	cidrs, err := validAllowlist(in.IPAllowlist)
	if err != nil {
		return nil, "", err
	}
	rateLimit, err := validRateLimit(in.RateLimit)
	if err != nil {
		return nil, "", err
	}
	acc, err := s.accountPolicy(ctx, s.cfg.Client, a.AccountID)
	if err != nil {
		return nil, "", err
	}
	if err := checkLifetime(acc, in.ExpiresAt, s.cfg.Now()); err != nil {
		return nil, "", err
	}
	secret, err := Generate()
	if err != nil {
		return nil, "", apperr.Internalf(err, "generate key")
	}
	var k *ent.ApiKey
	err = s.withTx(ctx, func(tx *ent.Tx) error {
		if err := nameFree(ctx, tx, name, 0); err != nil {
			return err
		}
		permIDs, err := permissionIDs(ctx, tx, in.Permissions)
		if err != nil {
			return err
		}
		k, err = tx.ApiKey.Create().
			SetAccountID(a.AccountID).SetName(name).SetCreatedAt(s.cfg.Now()).
			SetKeyHash(Hash(secret)).SetKeyStart(Start(secret)).SetKeyEnd(End(secret)).
			SetNillableExpiresAt(in.ExpiresAt).SetIPAllowlist(cidrs).SetRateLimit(rateLimit).
			SetNillableCreatedByID(nonZero(a.AdminID)).AddPermissionIDs(permIDs...).
			Save(ctx)
		if err != nil {
			return saveError(err, name, "create key")
		}
		if k, err = s.seal(ctx, tx, k, secret); err != nil {
			return err
		}
		if err := record(ctx, tx, a, auditevent.ActionCREATED, k, "permissions: "+joinKeys(in.Permissions)); err != nil {
			return err
		}
		return s.hook(ctx, tx, ChangeCreated, a, k)
	})
	if err != nil {
		return nil, "", err
	}
	return k.Unwrap(), secret, nil
}

// seal stores the sealed secret when reveal is allowed. It runs after the
// insert because the row id is the ciphertext's associated data.
func (s *Service) seal(ctx context.Context, tx *ent.Tx, k *ent.ApiKey, secret string) (*ent.ApiKey, error) {
	if !s.cfg.AllowReveal {
		return k, nil
	}
	sealed, err := s.cfg.Sealer.Seal(k.ID, secret)
	if err != nil {
		return nil, apperr.Internalf(err, "seal key")
	}
	k, err = tx.ApiKey.UpdateOne(k).SetKeyCiphertext(sealed).Save(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "store sealed key")
	}
	return k, nil
}

// UpdateInput changes some fields of a key; nil (or Set…=false) keeps a field.
type UpdateInput struct {
	Name           *string
	Permissions    []permission.Key // nil keeps them; empty is an error
	SetExpiresAt   bool
	ExpiresAt      *time.Time // with SetExpiresAt; nil removes the expiry
	SetIPAllowlist bool
	IPAllowlist    []string // with SetIPAllowlist; empty removes the allow-list
	RateLimit      *int     // nil keeps it; 0 returns to the server default
}

// Update changes a key's name, permissions, expiry or allow-list, auditing
// each kind of change. Errors: NotFound, Invalid.
func (s *Service) Update(ctx context.Context, a Actor, id int, in UpdateInput) (*ent.ApiKey, error) {
	var out *ent.ApiKey
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		k, err := get(ctx, tx.Client(), id)
		if err != nil {
			return err
		}
		upd := tx.ApiKey.UpdateOne(k)
		var events []func() error
		if in.Name != nil {
			name, err := validName(*in.Name)
			if err != nil {
				return err
			}
			if name != k.Name {
				if err := nameFree(ctx, tx, name, k.ID); err != nil {
					return err
				}
				upd.SetName(name)
				old := k.Name
				events = append(events, func() error {
					return record(ctx, tx, a, auditevent.ActionRENAMED, out, fmt.Sprintf("from %q to %q", old, name))
				})
			}
		}
		if in.Permissions != nil {
			ids, err := permissionIDs(ctx, tx, in.Permissions)
			if err != nil {
				return err
			}
			upd.ClearPermissions().AddPermissionIDs(ids...)
			events = append(events, func() error {
				return record(ctx, tx, a, auditevent.ActionPERMISSIONS_CHANGED, out, "permissions: "+joinKeys(in.Permissions))
			})
		}
		if err := s.checkUpdatedLifetime(ctx, tx, k, in); err != nil {
			return err
		}
		if in.SetExpiresAt {
			if err := validExpiry(in.ExpiresAt, s.cfg.Now()); err != nil {
				return err
			}
			if in.ExpiresAt == nil {
				upd.ClearExpiresAt()
			} else {
				upd.SetExpiresAt(*in.ExpiresAt)
			}
			events = append(events, func() error { return record(ctx, tx, a, auditevent.ActionUPDATED, out, "expiry changed") })
		}
		if in.SetIPAllowlist {
			cidrs, err := validAllowlist(in.IPAllowlist)
			if err != nil {
				return err
			}
			upd.SetIPAllowlist(cidrs)
			events = append(events, func() error {
				return record(ctx, tx, a, auditevent.ActionUPDATED, out, "IP allow-list: "+strings.Join(cidrs, ", "))
			})
		}
		if in.RateLimit != nil {
			n, err := validRateLimit(in.RateLimit)
			if err != nil {
				return err
			}
			upd.SetRateLimit(n)
			events = append(events, func() error {
				return record(ctx, tx, a, auditevent.ActionUPDATED, out, fmt.Sprintf("rate limit: %d requests/s (0 = default)", n))
			})
		}
		if out, err = upd.Save(ctx); err != nil {
			return saveError(err, deref(in.Name), "update key")
		}
		for _, ev := range events {
			if err := ev(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.changed(id)
	return out.Unwrap(), nil
}

// SetActive activates or deactivates a key; an inactive key is refused by
// the REST API from the next request on. Errors: NotFound.
func (s *Service) SetActive(ctx context.Context, a Actor, id int, active bool) (*ent.ApiKey, error) {
	var out *ent.ApiKey
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		k, err := get(ctx, tx.Client(), id)
		if err != nil {
			return err
		}
		if k.Active == active {
			out = k
			return nil
		}
		if out, err = tx.ApiKey.UpdateOne(k).SetActive(active).Save(ctx); err != nil {
			return apperr.Internalf(err, "set active")
		}
		action := auditevent.ActionDEACTIVATED
		if active {
			action = auditevent.ActionACTIVATED
		}
		return record(ctx, tx, a, action, out, "")
	})
	if err != nil {
		return nil, err
	}
	s.changed(id)
	return out.Unwrap(), nil
}

// Reveal returns a key's secret after checking the admin's password again.
// A wrong password is audited (REVEAL_FAILED) and throttled. Errors:
// NotFound, RevealDisabled, Invalid (field password), RateLimited.
func (s *Service) Reveal(ctx context.Context, a Actor, id int, password string) (string, error) {
	k, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	secret, err := s.reveal(ctx, a, k, password)
	action, detail := auditevent.ActionREVEALED, ""
	if err != nil {
		// Every refused attempt on an existing key is on the trail, throttled
		// ones included, so a brute force shows however it ends.
		action, detail = auditevent.ActionREVEAL_FAILED, revealFailure(err)
	}
	if auditErr := s.withTx(ctx, func(tx *ent.Tx) error { return record(ctx, tx, a, action, k, detail) }); auditErr != nil {
		return "", auditErr
	}
	return secret, err
}

func (s *Service) reveal(ctx context.Context, a Actor, k *ent.ApiKey, password string) (string, error) {
	if !s.cfg.AllowReveal {
		return "", apperr.New(apperr.RevealDisabled, "Revealing keys is turned off on this server (BT_ALLOW_REVEAL=false).")
	}
	if k.KeyCiphertext == nil || len(*k.KeyCiphertext) == 0 {
		return "", apperr.New(apperr.RevealDisabled, "This key was created while revealing was turned off; roll it to get a new secret.")
	}
	if err := s.cfg.StepUp(ctx, a.AdminID, a.Email, password, a.IP); err != nil {
		return "", err
	}
	secret, err := s.cfg.Sealer.Open(k.ID, *k.KeyCiphertext)
	if err != nil {
		return "", apperr.Internalf(err, "open sealed key %d (was BT_MASTER_KEY changed?)", k.ID)
	}
	return secret, nil
}

func revealFailure(err error) string {
	switch apperr.CodeOf(err) {
	case apperr.Invalid:
		return "wrong password"
	case apperr.RateLimited:
		return "too many attempts"
	case apperr.RevealDisabled:
		return "reveal disabled"
	default:
		return "error"
	}
}

// Roll gives the key a new secret. The old one keeps working for grace
// (0 … 7 days), never past the key's own expiry; a secret replaced by an
// earlier roll stops at once. Errors: NotFound, Invalid (oldSecretValidFor).
func (s *Service) Roll(ctx context.Context, a Actor, id int, grace time.Duration) (*ent.ApiKey, string, error) {
	if grace < 0 || grace > MaxGracePeriod {
		return nil, "", apperr.Invalidf("oldSecretValidFor", "The grace period must be between 0 and %d seconds.", int(MaxGracePeriod.Seconds()))
	}
	secret, err := Generate()
	if err != nil {
		return nil, "", apperr.Internalf(err, "generate key")
	}
	var out *ent.ApiKey
	err = s.withTx(ctx, func(tx *ent.Tx) error {
		k, err := get(ctx, tx.Client(), id)
		if err != nil {
			return err
		}
		acc, err := s.accountPolicy(ctx, tx.Client(), k.AccountID)
		if err != nil {
			return err
		}
		if err := checkGrace(acc, grace); err != nil {
			return err
		}
		// A new secret ends the LEAKED warning: the leaked one is gone (or
		// going, with the grace period).
		upd := tx.ApiKey.UpdateOne(k).
			SetKeyHash(Hash(secret)).SetKeyStart(Start(secret)).SetKeyEnd(End(secret)).ClearKeyCiphertext().ClearLeakedAt()
		until := s.cfg.Now().Add(grace)
		if k.ExpiresAt != nil && until.After(*k.ExpiresAt) {
			until = *k.ExpiresAt
		}
		if grace > 0 && until.After(s.cfg.Now()) {
			upd.SetPreviousKeyHash(k.KeyHash).SetPreviousValidUntil(until)
		} else {
			upd.ClearPreviousKeyHash().ClearPreviousValidUntil()
		}
		if out, err = upd.Save(ctx); err != nil {
			return apperr.Internalf(err, "roll key")
		}
		if out, err = s.seal(ctx, tx, out, secret); err != nil {
			return err
		}
		if err := record(ctx, tx, a, auditevent.ActionROLLED, out, fmt.Sprintf("old secret valid for %d s", int(grace.Seconds()))); err != nil {
			return err
		}
		return s.hook(ctx, tx, ChangeRolled, a, out)
	})
	if err != nil {
		return nil, "", err
	}
	s.changed(id)
	return out.Unwrap(), secret, nil
}

// Delete removes a key and its usage counters for good; its audit trail
// stays. Errors: NotFound.
func (s *Service) Delete(ctx context.Context, a Actor, id int) error {
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		k, err := get(ctx, tx.Client(), id)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, a, auditevent.ActionDELETED, k, ""); err != nil {
			return err
		}
		if err := s.hook(ctx, tx, ChangeDeleted, a, k); err != nil {
			return err
		}
		// The key row goes first: its row lock orders this delete against a
		// concurrent usage flush (which locks the same row), so the usage
		// delete below also sees rows that flush wrote (see usage.Flush).
		if err := tx.ApiKey.DeleteOne(k).Exec(ctx); err != nil {
			return apperr.Internalf(err, "delete key")
		}
		if _, err := tx.KeyUsage.Delete().Where(keyusage.APIKeyID(k.ID)).Exec(ctx); err != nil {
			return apperr.Internalf(err, "delete usage")
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed(id)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// checkUpdatedLifetime applies maxKeyLifetimeDays to the expiry k will have
// after the update: an updated key, like a new one, must comply.
func (s *Service) checkUpdatedLifetime(ctx context.Context, tx *ent.Tx, k *ent.ApiKey, in UpdateInput) error {
	acc, err := s.accountPolicy(ctx, tx.Client(), k.AccountID)
	if err != nil {
		return err
	}
	expires := k.ExpiresAt
	if in.SetExpiresAt {
		expires = in.ExpiresAt
	}
	return checkLifetime(acc, expires, s.cfg.Now())
}

func nonZero(id int) *int {
	if id == 0 {
		return nil
	}
	return &id
}

func joinKeys(keys []permission.Key) string {
	ss := make([]string, len(keys))
	for i, k := range keys {
		ss[i] = string(k)
	}
	slices.Sort(ss)
	return strings.Join(slices.Compact(ss), ", ")
}
