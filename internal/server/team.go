package server

import (
	"context"

	"businesstools/internal/accesstoken"
	"businesstools/internal/auth"
	"businesstools/internal/pgnotify"
	"businesstools/internal/team"
)

// TokenChangedChannel is the PostgreSQL NOTIFY channel on which every
// process announces a revoked token or an admin whose tokens changed
// (payload t:<token id> or a:<admin id>, see accesstoken.Change), so all of
// them drop it from their verification caches.
const TokenChangedChannel = "accesstoken_changed"

// setUpTeam builds the access-token service, its cached verifier (emptied
// on every change, in this process and — on PostgreSQL — in every process
// through LISTEN/NOTIFY, and whenever that feed's connection changes), the
// last-used recorder (flushed every second once New starts it, and on Stop),
// and the team service, whose invites go through the mail outbox.
func (s *Server) setUpTeam() error {
	s.Tokens = accesstoken.New(accesstoken.Config{Client: s.DB.Client})
	s.TokenLastUsed = accesstoken.NewLastUsed(s.DB.Client, 0, s.Logger)
	s.TokenVerifier = accesstoken.NewVerifier(accesstoken.VerifierConfig{Client: s.DB.Client, LastUsed: s.TokenLastUsed, Logger: s.Logger})
	s.Tokens.OnChange(s.TokenVerifier.Forget)
	if s.DB.IsPostgres() {
		pub := s.publisher(TokenChangedChannel) // queued: the request does not wait on it
		s.Tokens.OnChange(func(c accesstoken.Change) { pub.Publish(c.String()) })
		l, err := pgnotify.Listen(s.DB.URL, TokenChangedChannel, func(payload string) {
			if c, ok := accesstoken.ParseChange(payload); ok {
				s.TokenVerifier.Forget(c)
			}
		}, func(bool) { s.TokenVerifier.ForgetAll() }, s.Logger) // notices may have been lost: drop all
		if err != nil {
			return err
		}
		s.onStop("access token change listener", func(context.Context) error { return l.Close() })
	}
	s.onStop("access token last-used flush", s.TokenLastUsed.Stop)
	s.Team = team.New(team.Config{Client: s.DB.Client, Tokens: s.Tokens, PublicURL: s.Config.PublicURL,
		MailFrom: s.Config.MailFrom, Notify: s.Mail.Notify, Lock: s.DB.IsPostgres()})
	return nil
}

// tokenVerifier lets the auth middleware, built early in New, reach the
// verifier setUpTeam builds later (no request arrives before New returns).
type tokenVerifier struct{ s *Server }

func (t tokenVerifier) VerifyToken(ctx context.Context, raw string) (*auth.Viewer, error) {
	return t.s.TokenVerifier.VerifyToken(ctx, raw)
}
