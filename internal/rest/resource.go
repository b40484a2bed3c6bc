package rest

import (
	"context"
	"net/http"
	"strconv"

	"businesstools/ent"
	"businesstools/internal/page"
	"businesstools/internal/record"
)

// body is a request body of a record with fields F: apply sets the fields
// it holds on f (PATCH); with replace, absent ones become empty first (POST,
// PUT).
type body[F any] interface {
	apply(f *F, replace bool)
}

// resource serves one kind of record (leads, templates): POST, PUT and
// PATCH through the shared record path, GET and DELETE of one, and the
// answer of a list. E is the ent entity, F its fields, B its request body.
type resource[E any, F any, B body[F]] struct {
	kind   *record.Kind[E, F]
	path   string      // "/v1/leads/": the Location prefix
	id     func(E) int // the record's id
	view   func(E) any // the record as the API shows it
	load   func(ctx context.Context, c *ent.Client, id int) (E, error)
	remove func(ctx context.Context, c *ent.Client, id int) error
}

// get is GET of one record.
func (rs resource[E, F, B]) get(a *API, w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, rs.kind.Name)
	if err != nil {
		return err
	}
	e, err := rs.load(r.Context(), a.cfg.DB.Client, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rs.view(e))
	return nil
}

// delete is DELETE of one record: 204.
func (rs resource[E, F, B]) delete(a *API, w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, rs.kind.Name)
	if err != nil {
		return err
	}
	if err := rs.remove(r.Context(), a.cfg.DB.Client, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeList answers a page of records.
func (rs resource[E, F, B]) writeList(w http.ResponseWriter, res page.Result[E]) {
	out := list[any]{Data: make([]any, 0, len(res.Items)), NextCursor: res.NextCursor}
	for _, e := range res.Items {
		out.Data = append(out.Data, rs.view(e))
	}
	WriteJSON(w, http.StatusOK, out)
}

// create is POST: decode and validate before the transaction, insert in it.
func (rs resource[E, F, B]) create(a *API, w http.ResponseWriter, r *http.Request) error {
	return a.create(w, r, func(_ context.Context, raw []byte) (writeFunc, error) {
		var in B
		if err := decodeBody(raw, &in); err != nil {
			return nil, err
		}
		var f F
		in.apply(&f, true)
		v, err := rs.kind.Check(f)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, tx *ent.Tx) (created, error) {
			e, err := rs.kind.Create(ctx, tx.Client(), PrincipalFrom(ctx).AccountID, v)
			if err != nil {
				return created{}, err
			}
			return created{status: http.StatusCreated, body: rs.view(e), location: rs.path + strconv.Itoa(rs.id(e))}, nil
		}, nil
	}, nil)
}

// update is PUT (replace) and PATCH: read → merge → validate → save in one
// transaction (record.Kind.Update).
func (rs resource[E, F, B]) update(a *API, w http.ResponseWriter, r *http.Request, replace bool) error {
	id, err := pathID(r, rs.kind.Name)
	if err != nil {
		return err
	}
	raw, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in B
	if err := decodeBody(raw, &in); err != nil {
		return err
	}
	e, err := rs.kind.Update(r.Context(), a.cfg.DB.Client, id, func(f *F) { in.apply(f, replace) })
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rs.view(e))
	return nil
}

// set copies *v to *dst when v is set.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
