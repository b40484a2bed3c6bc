package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"businesstools/ent"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
	"businesstools/internal/idempotency"
)

// readBody returns the raw JSON body under the same rules as Decode
// (application/json, at most MaxBodyBytes).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if err := checkContentType(r); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &apperr.Error{Code: apperr.TooLarge, Message: fmt.Sprintf("The body is larger than %d bytes.", MaxBodyBytes)}
	}
	if err != nil {
		return nil, apperr.Invalidf("", "The body could not be read.")
	}
	return raw, nil
}

// created is what a creating handler answers.
type created struct {
	status   int
	body     any
	location string
}

// prepareFunc does a creation's request work from the raw body — decode,
// validate, read what it needs, render — before any transaction, and returns
// the write to run inside one. Keeping that work out of the transaction
// keeps SQLite's write lock, which BEGIN takes, short.
type prepareFunc func(ctx context.Context, body []byte) (writeFunc, error)

// writeFunc does a creation's writes with tx and returns the answer.
type writeFunc func(ctx context.Context, tx *ent.Tx) (created, error)

// create prepares the creation from the body, runs its write in one
// transaction and answers with what it returns. With an Idempotency-Key
// header the answer is saved in that transaction, and a repeat of the same
// request within 24 h is answered from it (with `Idempotent-Replayed:
// true`); the key reused for another request is 409. after, if set, runs
// once the transaction has committed.
func (a *API) create(w http.ResponseWriter, r *http.Request, prepare prepareFunc, after func()) error {
	ctx := r.Context()
	raw, err := readBody(w, r)
	if err != nil {
		return err
	}
	var idem *idempotency.Request
	if key, ok := r.Header[http.CanonicalHeaderKey(idempotency.Header)]; ok {
		p := PrincipalFrom(ctx)
		req, err := idempotency.NewRequest(p.AccountID, p.KeyID, key[0], r.Method, r.URL.Path, raw)
		if err != nil {
			return err
		}
		idem = &req
		if done, err := a.replay(w, r, req); done || err != nil {
			return err
		}
	}
	write, err := prepare(ctx, raw)
	if err != nil {
		return err
	}
	res, body, err := a.createTx(ctx, write, idem)
	if errors.Is(err, idempotency.ErrRace) {
		if done, err := a.replay(w, r, *idem); done || err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	if after != nil {
		after()
	}
	writeRaw(w, res.status, res.location, body, false)
	return nil
}

// createTx runs write and, with idem, saves its answer, in one transaction.
func (a *API) createTx(ctx context.Context, write writeFunc, idem *idempotency.Request) (res created, body []byte, err error) {
	err = db.WithTx(ctx, a.cfg.DB.Client, func(tx *ent.Tx) error {
		if res, err = write(ctx, tx); err != nil {
			return err
		}
		if body, err = json.Marshal(res.body); err != nil {
			return apperr.Internalf(err, "encode answer")
		}
		if idem == nil {
			return nil
		}
		return idempotency.Save(ctx, tx.Client(), *idem,
			idempotency.Response{Status: res.status, Body: body, Location: res.location}, time.Now())
	})
	var ae *apperr.Error
	if err != nil && !errors.Is(err, idempotency.ErrRace) && !errors.As(err, &ae) {
		err = apperr.Internalf(err, "create")
	}
	return res, body, err
}

// replay answers from a remembered response; done reports whether it did.
func (a *API) replay(w http.ResponseWriter, r *http.Request, req idempotency.Request) (done bool, err error) {
	prev, err := idempotency.Lookup(r.Context(), a.cfg.DB.Client, req, time.Now())
	if err != nil || prev == nil {
		return false, err
	}
	writeRaw(w, prev.Status, prev.Location, prev.Body, true)
	return true, nil
}

func writeRaw(w http.ResponseWriter, status int, location string, body []byte, replayed bool) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if location != "" {
		h.Set("Location", location)
	}
	if replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	_, _ = w.Write([]byte("\n"))
}

// decodeBody decodes a raw body strictly (see DecodeJSON).
func decodeBody(raw []byte, dst any) error { return DecodeJSON(bytes.NewReader(raw), dst) }

// list is the shape of every list answer.
type list[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// timeOrNil renders an optional time.
func timeOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := apiTime(*t)
	return &u
}

// apiTime is t as the API shows it: UTC, in microseconds — what PostgreSQL
// keeps, so a creation's answer and a later read agree.
func apiTime(t time.Time) time.Time { return t.UTC().Round(time.Microsecond) }
