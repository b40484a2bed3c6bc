package leaks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"mime"
	"net/http"
	"time"

	keys "businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/notify"
	"businesstools/internal/rest"
	"businesstools/internal/text"
)

// Limits of POST /v1/credentials/revoke.
const (
	MaxCredentials   = 1000
	MaxCredentialLen = 256 // characters; a key is keys.Len
)

// RevokeRequest is the body of POST /v1/credentials/revoke.
type RevokeRequest struct {
	Credentials *[]string `json:"credentials"`
}

// RevokeResponse is its answer.
type RevokeResponse struct {
	Received int `json:"received"`
}

// revocation is one accepted request, processed in the background.
type revocation struct {
	reports []report
}

// queueSize bounds accepted requests waiting for the background worker; a
// full queue makes the next request wait, which tells nothing about keys.
const queueSize = 64

// revoke is POST /v1/credentials/revoke. It answers 202 {"received": n}
// whatever the credentials are — real keys, unknown ones, garbage — after
// the same work for each (a hash), and hands them to the background
// worker: the answer takes the same time whether keys exist or not, and
// says nothing about them. Limited per client address (429).
func (s *Service) revoke(w http.ResponseWriter, r *http.Request) error {
	ip := s.cfg.ClientIP(r)
	if ok, retry := s.limiter.allow(ip); !ok {
		return &apperr.Error{Code: apperr.RateLimited, RetryAfter: retry,
			Message: fmt.Sprintf("At most %d revocation requests per %s from one address; retry later.", s.cfg.RevokeLimit, s.cfg.RevokeWindow)}
	}
	req, err := decodeRevoke(w, r)
	if err != nil {
		return err
	}
	creds, err := checkCredentials(req)
	if err != nil {
		return err
	}
	rv := revocation{reports: make([]report, 0, len(creds))}
	for _, c := range creds {
		sum := sha256.Sum256([]byte(c))
		masked := ""
		if len(c) == keys.Len {
			masked = keys.Mask(keys.Start(c), keys.End(c))
		}
		rv.reports = append(rv.reports, report{kind: notify.RevokedPublicly, hash: sum[:], masked: masked, ip: ip})
	}
	if err := s.enqueue(r.Context(), rv); err != nil {
		return err
	}
	rest.WriteJSON(w, http.StatusAccepted, RevokeResponse{Received: len(creds)})
	return nil
}

// decodeRevoke reads the body: JSON (415 otherwise), at most MaxBodyBytes
// (413), one object without unknown fields whose strings are valid text
// (400 naming the field, "credentials[3]": rest.DecodeJSON checks the raw
// bytes, which the JSON decoder would quietly replace).
func decodeRevoke(w http.ResponseWriter, r *http.Request) (RevokeRequest, error) {
	var req RevokeRequest
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return req, &apperr.Error{Code: apperr.UnsupportedMediaType,
				Message: "The body must be JSON, sent with Content-Type: application/json."}
		}
	}
	body, err := readBody(w, r)
	if err != nil {
		return req, err
	}
	return req, rest.DecodeJSON(bytes.NewReader(body), &req)
}

// checkCredentials applies the limits: the field is required, at most
// MaxCredentials strings of at most MaxCredentialLen characters of text on
// one line (text.OneLine, as a report's token). Nothing of a credential but
// its hash is kept, yet a control character in one is a mistake to tell
// its sender about, not a key to look for.
func checkCredentials(req RevokeRequest) ([]string, error) {
	if req.Credentials == nil {
		return nil, apperr.Invalidf("credentials", `The body must be {"credentials": ["bt_…", …]}.`)
	}
	creds := *req.Credentials
	if len(creds) > MaxCredentials {
		return nil, apperr.Invalidf("credentials", "At most %d credentials per request; this one has %d.", MaxCredentials, len(creds))
	}
	for i, c := range creds {
		if text.Len(c) > MaxCredentialLen || !text.OneLine(c) {
			return nil, apperr.Invalidf(fmt.Sprintf("credentials[%d]", i),
				"A credential is at most %d characters of UTF-8 text, without control characters (NUL, line breaks, tabs).", MaxCredentialLen)
		}
	}
	return creds, nil
}

// enqueue hands rv to the worker, waiting while the queue is full.
func (s *Service) enqueue(ctx context.Context, rv revocation) error {
	s.pending.Add(1)
	select {
	case s.queue <- rv:
		return nil
	case <-ctx.Done():
		s.pending.Add(-1)
		return apperr.New(apperr.Internal, "The request ended before it was accepted.")
	case <-s.stop:
		s.pending.Add(-1)
		return apperr.New(apperr.Internal, "The server is shutting down; send the request again.")
	}
}

// Start runs the revocation worker until Stop.
func (s *Service) Start() { go s.work() }

// Stop lets the worker finish the accepted revocations (until ctx ends).
func (s *Service) Stop(ctx context.Context) error {
	s.once.Do(func() { close(s.stop) })
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("leaks: %d revocation requests left unprocessed", s.pending.Load())
	}
}

// Idle waits until every accepted revocation is processed (tests, shutdown).
func (s *Service) Idle(ctx context.Context) error {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for s.pending.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

func (s *Service) work() {
	defer close(s.done)
	for {
		select {
		case rv := <-s.queue:
			s.process(rv)
		case <-s.stop:
			for { // drain what was accepted
				select {
				case rv := <-s.queue:
					s.process(rv)
				default:
					return
				}
			}
		}
	}
}

// process looks the secrets up in one query and acts on the real keys.
func (s *Service) process(rv revocation) {
	defer s.pending.Add(-1)
	ctx := context.Background()
	hs := make([][]byte, len(rv.reports))
	for i, r := range rv.reports {
		hs[i] = r.hash
	}
	matches, err := s.lookup(ctx, hs)
	if err != nil {
		s.cfg.Logger.Error("public revocation: look up keys", "err", err)
		return
	}
	// A key that failed is logged by actAll; there is no one to tell
	// besides: the 202 was answered before the lookup, by design.
	if n, _ := s.actAll(ctx, rv.reports, matches); n > 0 {
		s.cfg.Logger.Info("public revocation: keys deactivated", "count", n)
	}
}
