package rest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"businesstools/ent"
	"businesstools/internal/leads"
	"businesstools/internal/leads/custom"
	"businesstools/internal/page"
)

// leadBody is the body of POST, PUT and PATCH /v1/leads.
type leadBody struct {
	Email     *string        `json:"email"`
	FirstName *string        `json:"first_name"`
	LastName  *string        `json:"last_name"`
	Company   *string        `json:"company"`
	Phone     *string        `json:"phone"`
	Status    *string        `json:"status"`
	Source    *string        `json:"source"`
	Custom    *custom.Object `json:"custom"`
}

// decodeLead reads a lead body strictly (fuzzed by FuzzDecodeLead).
func decodeLead(body io.Reader) (leadBody, error) {
	var in leadBody
	err := DecodeJSON(body, &in)
	return in, err
}

// fields is the body as a whole lead (POST, PUT): absent fields are empty.
func (b leadBody) fields() leads.Fields {
	f := leads.Fields{Email: deref(b.Email), FirstName: deref(b.FirstName), LastName: deref(b.LastName),
		Company: deref(b.Company), Phone: deref(b.Phone), Status: deref(b.Status), Source: deref(b.Source)}
	if b.Custom != nil {
		f.Custom = *b.Custom
	}
	return f
}

// leadView is a lead as the API shows it.
type leadView struct {
	ID        int           `json:"id"`
	Email     string        `json:"email"`
	FirstName string        `json:"first_name"`
	LastName  string        `json:"last_name"`
	Company   string        `json:"company"`
	Phone     string        `json:"phone"`
	Status    string        `json:"status"`
	Source    string        `json:"source"`
	Custom    custom.Object `json:"custom"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

func viewLead(l *ent.Lead) leadView {
	v := leadView{ID: l.ID, Email: l.Email, FirstName: l.FirstName, LastName: l.LastName, Company: l.Company,
		Phone: l.Phone, Status: string(l.Status), Source: l.Source, Custom: l.Custom,
		CreatedAt: apiTime(l.CreatedAt), UpdatedAt: apiTime(l.UpdatedAt)}
	if v.Custom == nil {
		v.Custom = custom.Object{}
	}
	return v
}

func (a *API) listLeads(w http.ResponseWriter, r *http.Request) error {
	q, err := readQuery(r)
	if err != nil {
		return err
	}
	p, err := page.Parse(q)
	if err != nil {
		return err
	}
	res, err := leads.List(r.Context(), a.cfg.DB.Client,
		leads.Filter{Status: q.Get("status"), Email: q.Get("email"), Q: q.Get("q")}, p)
	if err != nil {
		return err
	}
	out := list[leadView]{Data: make([]leadView, 0, len(res.Items)), NextCursor: res.NextCursor}
	for _, l := range res.Items {
		out.Data = append(out.Data, viewLead(l))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createLead(w http.ResponseWriter, r *http.Request) error {
	return a.create(w, r, func(ctx context.Context, c *ent.Client, raw []byte) (created, error) {
		in, err := decodeLead(bytes.NewReader(raw))
		if err != nil {
			return created{}, err
		}
		l, err := leads.Create(ctx, c, PrincipalFrom(ctx).AccountID, in.fields())
		if err != nil {
			return created{}, err
		}
		return created{status: http.StatusCreated, body: viewLead(l), location: "/v1/leads/" + strconv.Itoa(l.ID)}, nil
	}, nil)
}

func (a *API) getLead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "lead")
	if err != nil {
		return err
	}
	l, err := leads.Get(r.Context(), a.cfg.DB.Client, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewLead(l))
	return nil
}

func (a *API) replaceLead(w http.ResponseWriter, r *http.Request) error {
	return a.updateLead(w, r, true)
}
func (a *API) patchLead(w http.ResponseWriter, r *http.Request) error {
	return a.updateLead(w, r, false)
}

// updateLead is PUT (replace: absent fields become empty, status new, custom
// {}) and PATCH (absent fields keep their value; custom is replaced whole).
func (a *API) updateLead(w http.ResponseWriter, r *http.Request, replace bool) error {
	id, err := pathID(r, "lead")
	if err != nil {
		return err
	}
	raw, err := readBody(w, r)
	if err != nil {
		return err
	}
	in, err := decodeLead(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	p := leads.Patch{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, Company: in.Company,
		Phone: in.Phone, Status: in.Status, Source: in.Source, Custom: in.Custom}
	if replace {
		f := in.fields()
		p = leads.Patch{Email: &f.Email, FirstName: &f.FirstName, LastName: &f.LastName, Company: &f.Company,
			Phone: &f.Phone, Status: &f.Status, Source: &f.Source, Custom: &f.Custom}
	}
	var l *ent.Lead
	err = a.inTx(r.Context(), func(c *ent.Client) error {
		l, err = leads.Update(r.Context(), c, id, p, a.cfg.DB.IsPostgres())
		return err
	})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewLead(l))
	return nil
}

func (a *API) deleteLead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "lead")
	if err != nil {
		return err
	}
	if err := leads.Delete(r.Context(), a.cfg.DB.Client, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
