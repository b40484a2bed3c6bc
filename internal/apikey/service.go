package apikey

import (
	"context"
	"errors"
	"sync"
	"time"

	"businesstools/ent"
	"businesstools/ent/apikey"
	"businesstools/ent/permission"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
)

// Actor is who performs a lifecycle action, for the audit trail.
type Actor struct {
	AdminID   int
	AccountID int
	Email     string
	IP        string
}

// StepUpFunc checks an admin's password again (see auth.Service.StepUp).
type StepUpFunc func(ctx context.Context, adminID int, email, password, ip string) error

// Config configures the Service.
type Config struct {
	Client      *ent.Client
	Sealer      *Sealer // required when AllowReveal
	AllowReveal bool    // false: no ciphertext is stored and reveal is refused
	StepUp      StepUpFunc
	Now         func() time.Time
	// OnChangeTx, if set, runs in the transaction of every creation, deletion
	// and roll (see ChangeHook).
	OnChangeTx ChangeHook
}

// Service runs the key lifecycle: create, update, (de)activate, reveal, roll,
// delete. Every change writes its audit event in the same transaction and,
// after commit, tells the OnChange listeners so caches drop the key.
type Service struct {
	cfg       Config
	mu        sync.RWMutex
	listeners []func(keyID int)
}

// New returns the key service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// AllowReveal reports whether keys are stored for reveal.
func (s *Service) AllowReveal() bool { return s.cfg.AllowReveal }

// OnChange registers fn to run after any change to a key commits.
func (s *Service) OnChange(fn func(keyID int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listeners = append(s.listeners, fn)
}

func (s *Service) changed(keyID int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, fn := range s.listeners {
		fn(keyID)
	}
}

// Get returns a key of the context's account. Errors: NotFound.
func (s *Service) Get(ctx context.Context, id int) (*ent.ApiKey, error) {
	return get(ctx, s.cfg.Client, id)
}

func get(ctx context.Context, c *ent.Client, id int) (*ent.ApiKey, error) {
	k, err := c.ApiKey.Query().Where(apikey.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("No API key with this id exists.")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "get key %d", id)
	}
	return k, nil
}

// Permissions returns every permission in the order admins see them.
func (s *Service) Permissions(ctx context.Context) ([]*ent.Permission, error) {
	ps, err := s.cfg.Client.Permission.Query().Order(permission.ByID()).All(ctx)
	if err != nil {
		return nil, apperr.Internalf(err, "list permissions")
	}
	return ps, nil
}

// Status is what an admin sees: ACTIVE, INACTIVE or EXPIRED. An expired key
// shows EXPIRED whether or not it was also switched off.
func Status(k *ent.ApiKey, now time.Time) string {
	switch {
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return "EXPIRED"
	case !k.Active:
		return "INACTIVE"
	default:
		return "ACTIVE"
	}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Now() }

// withTx runs fn in one transaction (db.WithTx); a failure to begin or
// commit is internal.
func (s *Service) withTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	err := db.WithTx(ctx, s.cfg.Client, fn)
	var ae *apperr.Error
	if err != nil && !errors.As(err, &ae) {
		return apperr.Internalf(err, "transaction")
	}
	return err
}
