// Package idempotency remembers the first successful response to a request
// made with an `Idempotency-Key` header, per API key, for 24 hours. The same
// key with the same method, path and body gets that response again; with
// anything else it is a Conflict. Bodies are compared as JSON values, not
// bytes: whitespace, key order and string escapes do not matter. The response is saved in the transaction
// that made it, so a request that failed is not remembered and may be retried.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"time"

	"businesstools/ent"
	"businesstools/ent/idempotencyrecord"
	"businesstools/internal/apperr"
)

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// MaxKeyLen is the longest key accepted.
const MaxKeyLen = 255

// Response is a remembered answer.
type Response struct {
	Status   int
	Body     []byte
	Location string
}

// Request identifies one idempotent request.
type Request struct {
	AccountID int
	APIKeyID  int
	Key       string
	Hash      []byte
}

// NewRequest checks key (1…255 visible ASCII characters; Invalid naming the
// header otherwise) and hashes what must match on a replay.
func NewRequest(accountID, apiKeyID int, key, method, path string, body []byte) (Request, error) {
	if len(key) == 0 || len(key) > MaxKeyLen {
		return Request{}, apperr.Invalidf(Header, "The Idempotency-Key must be 1 to %d characters.", MaxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return Request{}, apperr.Invalidf(Header, "The Idempotency-Key may hold visible ASCII characters only.")
		}
	}
	h := sha256.New()
	h.Write([]byte(method + " " + path + "\n"))
	h.Write(Canonical(body))
	return Request{AccountID: accountID, APIKeyID: apiKeyID, Key: key, Hash: h.Sum(nil)}, nil
}

// Canonical returns body in a canonical form, so that JSON bodies that mean
// the same hash the same: decoded (numbers kept as written) and encoded
// again, which drops insignificant whitespace, sorts object keys and
// normalises string escapes. Numbers are compared as written (1 and 1.0
// differ). A body that is not one JSON value is returned as it is; such a
// request fails validation and is never remembered.
func Canonical(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return body
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return body // trailing data
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// Lookup returns the remembered response to req, nil if there is none (an
// expired one is forgotten), or a Conflict naming the header when the key
// was used for a different request.
func Lookup(ctx context.Context, c *ent.Client, req Request, now time.Time) (*Response, error) {
	rec, err := c.IdempotencyRecord.Query().Where(idempotencyrecord.APIKeyID(req.APIKeyID),
		idempotencyrecord.Key(req.Key)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Internalf(err, "look up idempotency key")
	}
	if now.Sub(rec.CreatedAt) > TTL {
		if err := c.IdempotencyRecord.DeleteOne(rec).Exec(ctx); err != nil && !ent.IsNotFound(err) {
			return nil, apperr.Internalf(err, "forget idempotency key")
		}
		return nil, nil
	}
	if !bytes.Equal(rec.RequestHash, req.Hash) {
		return nil, &apperr.Error{Code: apperr.Conflict, Field: Header,
			Message: "This Idempotency-Key was already used with a different request; use a new key."}
	}
	return &Response{Status: rec.StatusCode, Body: rec.ResponseBody, Location: rec.Location}, nil
}

// Save remembers resp for req with c (the request's transaction). It
// returns ErrRace when a concurrent request with the same key saved first:
// roll back and Lookup again.
func Save(ctx context.Context, c *ent.Client, req Request, resp Response, now time.Time) error {
	err := c.IdempotencyRecord.Create().SetAccountID(req.AccountID).SetAPIKeyID(req.APIKeyID).
		SetKey(req.Key).SetRequestHash(req.Hash).SetStatusCode(resp.Status).SetResponseBody(resp.Body).
		SetLocation(resp.Location).SetCreatedAt(now).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case ent.IsConstraintError(err):
		return ErrRace
	default:
		return apperr.Internalf(err, "save idempotency key")
	}
}

// ErrRace means another request with the same key was saved first.
var ErrRace = &apperr.Error{Code: apperr.Conflict, Field: Header,
	Message: "A request with this Idempotency-Key is being processed; retry shortly."}

// Prune forgets records older than TTL (of every account) and returns how many.
func Prune(ctx context.Context, c *ent.Client, now time.Time) (int, error) {
	return c.IdempotencyRecord.Delete().Where(idempotencyrecord.CreatedAtLT(now.Add(-TTL))).Exec(ctx)
}
