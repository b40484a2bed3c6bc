package server

import (
	"businesstools/internal/auth"
	"businesstools/internal/keyjobs"
	"businesstools/internal/leaks"
	"businesstools/internal/notify"
)

// newNotifier builds the admins' notification emails (internal/notify); it
// wakes the mail worker once that exists.
func (s *Server) newNotifier() *notify.Notifier {
	return notify.New(notify.Config{From: s.Config.MailFrom, PublicURL: s.Config.PublicURL, Wake: func() {
		if s.Mail != nil {
			s.Mail.Notify()
		}
	}})
}

// setUpLeaks builds what DESIGN.md section 9 runs on its own: the leak
// endpoints' revocation worker and the periodic key checks (expiry
// warnings, disuse). Each stop is registered here; New starts them once
// nothing can fail any more.
func (s *Server) setUpLeaks() error {
	var err error
	s.Leaks, err = leaks.New(leaks.Config{DB: s.DB, Keys: s.Keys, Notifier: s.Notifier, Logger: s.Logger,
		PublicKeysPath: s.Config.SecretScanningKeys, ClientIP: auth.RemoteIP, RateLimits: s.limiter})
	if err != nil {
		return err
	}
	s.onStop("leak revocations", s.Leaks.Stop)
	s.KeyJobs = keyjobs.New(keyjobs.Config{DB: s.DB, Keys: s.Keys, Notifier: s.Notifier, Logger: s.Logger})
	s.onStop("key checks", s.KeyJobs.Stop)
	return nil
}
