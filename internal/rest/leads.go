package rest

import (
	"io"
	"net/http"
	"time"

	"businesstools/ent"
	"businesstools/internal/leads"
	"businesstools/internal/leads/custom"
	"businesstools/internal/page"
)

// leadBody is the body of POST, PUT and PATCH /v1/leads.
type leadBody struct {
	Email     *string        `json:"email,omitempty" null:"refuse"`
	FirstName *string        `json:"first_name,omitempty" null:"refuse"`
	LastName  *string        `json:"last_name,omitempty" null:"refuse"`
	Company   *string        `json:"company,omitempty" null:"refuse"`
	Phone     *string        `json:"phone,omitempty" null:"refuse"`
	Status    *string        `json:"status,omitempty" null:"refuse"`
	Source    *string        `json:"source,omitempty" null:"refuse"`
	Custom    *custom.Object `json:"custom,omitempty"`
}

// decodeLead reads a lead body strictly (fuzzed by FuzzDecodeLead).
func decodeLead(body io.Reader) (leadBody, error) {
	var in leadBody
	err := DecodeJSON(body, &in)
	return in, err
}

// apply sets the lead fields b holds; with replace (POST, PUT) the others
// become empty (status new, custom {} once validated).
func (b leadBody) apply(f *leads.Fields, replace bool) {
	if replace {
		*f = leads.Fields{}
	}
	set(&f.Email, b.Email)
	set(&f.FirstName, b.FirstName)
	set(&f.LastName, b.LastName)
	set(&f.Company, b.Company)
	set(&f.Phone, b.Phone)
	set(&f.Status, b.Status)
	set(&f.Source, b.Source)
	set(&f.Custom, b.Custom)
}

// leadResource serves POST, PUT and PATCH /v1/leads.
var leadResource = resource[*ent.Lead, leads.Fields, leadBody]{kind: leads.Kind, path: "/v1/leads/",
	id: func(l *ent.Lead) int { return l.ID }, view: func(l *ent.Lead) any { return viewLead(l) },
	load: leads.Get, remove: leads.Delete}

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
	leadResource.writeList(w, res)
	return nil
}

func (a *API) createLead(w http.ResponseWriter, r *http.Request) error {
	return leadResource.create(a, w, r)
}

func (a *API) getLead(w http.ResponseWriter, r *http.Request) error {
	return leadResource.get(a, w, r)
}

// replaceLead is PUT: absent fields become empty, status new, custom {}.
func (a *API) replaceLead(w http.ResponseWriter, r *http.Request) error {
	return leadResource.update(a, w, r, true)
}

// patchLead is PATCH: absent fields keep their value; custom is replaced whole.
func (a *API) patchLead(w http.ResponseWriter, r *http.Request) error {
	return leadResource.update(a, w, r, false)
}

func (a *API) deleteLead(w http.ResponseWriter, r *http.Request) error {
	return leadResource.delete(a, w, r)
}
