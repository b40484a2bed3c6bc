// Package settings reads and changes an account's key policies (DESIGN.md
// section 9): maxKeyLifetimeDays, unusedKeyDays, deactivateUnusedKeys,
// leakedKeyAction and notifyOnKeyChanges. Changes are patches, validated
// whole before anything is written, and audited SETTINGS_CHANGED with what
// changed. Who may change them (owners) is decided in the GraphQL layer.
package settings

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/auditevent"
	"businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
)

// Day counts are 1 … MaxDays; null turns the policy off.
const (
	MinDays = 1
	MaxDays = 3650
)

// CacheFor is how long Cached trusts an account's policies: the key list's
// warnings read them once per page, not once per key. Update refreshes
// this process's copy at once; other processes see a change within this.
const CacheFor = 5 * time.Second

// Patch changes some policies; nil (or Set…=false) keeps one.
type Patch struct {
	SetMaxKeyLifetimeDays bool
	MaxKeyLifetimeDays    *int // with SetMaxKeyLifetimeDays; nil removes the limit
	SetUnusedKeyDays      bool
	UnusedKeyDays         *int // with SetUnusedKeyDays; nil turns the check off
	DeactivateUnusedKeys  *bool
	LeakedKeyAction       *account.LeakedKeyAction
	NotifyOnKeyChanges    *bool
}

// Service reads and changes account policies.
type Service struct {
	client *ent.Client
	lock   bool // read the account FOR UPDATE (PostgreSQL; SQLite locks at BEGIN)

	mu    sync.Mutex
	cache map[int]cached
	now   func() time.Time
}

type cached struct {
	acc *ent.Account
	at  time.Time
}

// New returns the settings service.
func New(d *db.DB) *Service {
	return &Service{client: d.Client, lock: d.IsPostgres(), cache: map[int]cached{}, now: time.Now}
}

// Get returns the account's policies. Errors: NotFound.
func (s *Service) Get(ctx context.Context, accountID int) (*ent.Account, error) {
	acc, err := s.client.Account.Query().Where(account.ID(accountID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("No such account.")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "get account settings")
	}
	s.remember(acc)
	return acc, nil
}

// Cached is Get, answered from memory for up to CacheFor.
func (s *Service) Cached(ctx context.Context, accountID int) (*ent.Account, error) {
	s.mu.Lock()
	c, ok := s.cache[accountID]
	s.mu.Unlock()
	if ok && s.now().Sub(c.at) < CacheFor {
		return c.acc, nil
	}
	return s.Get(ctx, accountID)
}

func (s *Service) remember(acc *ent.Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache[acc.ID] = cached{acc: acc, at: s.now()}
}

// Update applies p to the actor's account and audits what changed (nothing
// changed, nothing audited). Errors: Invalid naming the field
// (maxKeyLifetimeDays, unusedKeyDays), with nothing changed.
func (s *Service) Update(ctx context.Context, a apikey.Actor, p Patch) (*ent.Account, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	var out *ent.Account
	err := db.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		q := tx.Account.Query().Where(account.ID(a.AccountID))
		if s.lock { // the audit's "from → to" must see the value it replaces
			q = q.ForUpdate()
		}
		acc, err := q.Only(ctx)
		if err != nil {
			return apperr.Internalf(err, "load account settings")
		}
		upd, changes := p.apply(acc, tx.Account.UpdateOne(acc))
		if len(changes) == 0 {
			out = acc
			return nil
		}
		if out, err = upd.Save(ctx); err != nil {
			return apperr.Internalf(err, "save account settings")
		}
		c := tx.AuditEvent.Create().SetAccountID(a.AccountID).SetAction(auditevent.ActionSETTINGS_CHANGED).
			SetActorEmail(a.Email).SetClientIP(a.IP).SetDetail(strings.Join(changes, "; "))
		if a.AdminID != 0 {
			c.SetActorID(a.AdminID)
		}
		if err := c.Exec(ctx); err != nil {
			return apperr.Internalf(err, "audit settings change")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.remember(out)
	return out, nil
}

func (p Patch) validate() error {
	for _, d := range []struct {
		field string
		set   bool
		v     *int
	}{{"maxKeyLifetimeDays", p.SetMaxKeyLifetimeDays, p.MaxKeyLifetimeDays}, {"unusedKeyDays", p.SetUnusedKeyDays, p.UnusedKeyDays}} {
		if d.set && d.v != nil && (*d.v < MinDays || *d.v > MaxDays) {
			return apperr.Invalidf(d.field, "%s must be between %d and %d days, or null for none.", d.field, MinDays, MaxDays)
		}
	}
	if p.LeakedKeyAction != nil {
		if err := account.LeakedKeyActionValidator(*p.LeakedKeyAction); err != nil {
			return apperr.Invalidf("leakedKeyAction", "leakedKeyAction must be DEACTIVATE or NOTIFY.")
		}
	}
	return nil
}

// apply sets on upd what p changes in acc and describes each change.
func (p Patch) apply(acc *ent.Account, upd *ent.AccountUpdateOne) (*ent.AccountUpdateOne, []string) {
	var changes []string
	if p.SetMaxKeyLifetimeDays && !sameDays(acc.MaxKeyLifetimeDays, p.MaxKeyLifetimeDays) {
		upd.SetNillableMaxKeyLifetimeDays(p.MaxKeyLifetimeDays)
		if p.MaxKeyLifetimeDays == nil {
			upd.ClearMaxKeyLifetimeDays()
		}
		changes = append(changes, fmt.Sprintf("maxKeyLifetimeDays: %s → %s", days(acc.MaxKeyLifetimeDays), days(p.MaxKeyLifetimeDays)))
	}
	if p.SetUnusedKeyDays && !sameDays(acc.UnusedKeyDays, p.UnusedKeyDays) {
		upd.SetNillableUnusedKeyDays(p.UnusedKeyDays)
		if p.UnusedKeyDays == nil {
			upd.ClearUnusedKeyDays()
		}
		changes = append(changes, fmt.Sprintf("unusedKeyDays: %s → %s", days(acc.UnusedKeyDays), days(p.UnusedKeyDays)))
	}
	if p.DeactivateUnusedKeys != nil && *p.DeactivateUnusedKeys != acc.DeactivateUnusedKeys {
		upd.SetDeactivateUnusedKeys(*p.DeactivateUnusedKeys)
		changes = append(changes, fmt.Sprintf("deactivateUnusedKeys: %t → %t", acc.DeactivateUnusedKeys, *p.DeactivateUnusedKeys))
	}
	if p.LeakedKeyAction != nil && *p.LeakedKeyAction != acc.LeakedKeyAction {
		upd.SetLeakedKeyAction(*p.LeakedKeyAction)
		changes = append(changes, fmt.Sprintf("leakedKeyAction: %s → %s", acc.LeakedKeyAction, *p.LeakedKeyAction))
	}
	if p.NotifyOnKeyChanges != nil && *p.NotifyOnKeyChanges != acc.NotifyOnKeyChanges {
		upd.SetNotifyOnKeyChanges(*p.NotifyOnKeyChanges)
		changes = append(changes, fmt.Sprintf("notifyOnKeyChanges: %t → %t", acc.NotifyOnKeyChanges, *p.NotifyOnKeyChanges))
	}
	return upd, changes
}

func sameDays(a, b *int) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func days(d *int) string {
	if d == nil {
		return "none"
	}
	return fmt.Sprintf("%d days", *d)
}
