package rest

import (
	"net/http"
	"time"

	"businesstools/ent"
	"businesstools/internal/page"
	"businesstools/internal/templates"
)

// templateBody is the body of POST, PUT and PATCH /v1/templates.
type templateBody struct {
	Name    *string `json:"name" null:"refuse"`
	Subject *string `json:"subject" null:"refuse"`
	HTML    *string `json:"html" null:"refuse"`
	Text    *string `json:"text" null:"refuse"`
}

// apply sets the template fields b holds; with replace (POST, PUT) the
// others become empty.
func (b templateBody) apply(f *templates.Fields, replace bool) {
	if replace {
		*f = templates.Fields{}
	}
	set(&f.Name, b.Name)
	set(&f.Subject, b.Subject)
	set(&f.HTML, b.HTML)
	set(&f.Text, b.Text)
}

// templateResource serves POST, PUT and PATCH /v1/templates.
var templateResource = resource[*ent.Template, templates.Fields, templateBody]{kind: templates.Kind, path: "/v1/templates/",
	id: func(t *ent.Template) int { return t.ID }, view: func(t *ent.Template) any { return viewTemplate(t) },
	load: templates.Get, remove: templates.Delete}

// templateView is a template as the API shows it.
type templateView struct {
	ID        int       `json:"id"`
	Name      string    `json:"name"`
	Subject   string    `json:"subject"`
	HTML      string    `json:"html"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func viewTemplate(t *ent.Template) templateView {
	return templateView{ID: t.ID, Name: t.Name, Subject: t.Subject, HTML: t.HTML, Text: t.Text,
		CreatedAt: apiTime(t.CreatedAt), UpdatedAt: apiTime(t.UpdatedAt)}
}

func (a *API) listTemplates(w http.ResponseWriter, r *http.Request) error {
	q, err := readQuery(r)
	if err != nil {
		return err
	}
	p, err := page.Parse(q)
	if err != nil {
		return err
	}
	res, err := templates.List(r.Context(), a.cfg.DB.Client, p)
	if err != nil {
		return err
	}
	templateResource.writeList(w, res)
	return nil
}

func (a *API) createTemplate(w http.ResponseWriter, r *http.Request) error {
	return templateResource.create(a, w, r)
}

func (a *API) getTemplate(w http.ResponseWriter, r *http.Request) error {
	return templateResource.get(a, w, r)
}

// replaceTemplate is PUT: absent fields become empty.
func (a *API) replaceTemplate(w http.ResponseWriter, r *http.Request) error {
	return templateResource.update(a, w, r, true)
}

// patchTemplate is PATCH: absent fields keep their value.
func (a *API) patchTemplate(w http.ResponseWriter, r *http.Request) error {
	return templateResource.update(a, w, r, false)
}

func (a *API) deleteTemplate(w http.ResponseWriter, r *http.Request) error {
	return templateResource.delete(a, w, r)
}
