package rest

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"businesstools/ent"
	"businesstools/internal/page"
	"businesstools/internal/templates"
)

// templateBody is the body of POST, PUT and PATCH /v1/templates.
type templateBody struct {
	Name    *string `json:"name"`
	Subject *string `json:"subject"`
	HTML    *string `json:"html"`
	Text    *string `json:"text"`
}

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
	out := list[templateView]{Data: make([]templateView, 0, len(res.Items)), NextCursor: res.NextCursor}
	for _, t := range res.Items {
		out.Data = append(out.Data, viewTemplate(t))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createTemplate(w http.ResponseWriter, r *http.Request) error {
	return a.create(w, r, func(ctx context.Context, c *ent.Client, raw []byte) (created, error) {
		var in templateBody
		if err := decodeBody(raw, &in); err != nil {
			return created{}, err
		}
		t, err := templates.Create(ctx, c, PrincipalFrom(ctx).AccountID, templates.Fields{Name: deref(in.Name),
			Subject: deref(in.Subject), HTML: deref(in.HTML), Text: deref(in.Text)})
		if err != nil {
			return created{}, err
		}
		return created{status: http.StatusCreated, body: viewTemplate(t), location: "/v1/templates/" + strconv.Itoa(t.ID)}, nil
	}, nil)
}

func (a *API) getTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "template")
	if err != nil {
		return err
	}
	t, err := templates.Get(r.Context(), a.cfg.DB.Client, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewTemplate(t))
	return nil
}

func (a *API) replaceTemplate(w http.ResponseWriter, r *http.Request) error {
	return a.updateTemplate(w, r, true)
}

func (a *API) patchTemplate(w http.ResponseWriter, r *http.Request) error {
	return a.updateTemplate(w, r, false)
}

// updateTemplate is PUT (replace: absent fields become empty) and PATCH
// (absent fields keep their value).
func (a *API) updateTemplate(w http.ResponseWriter, r *http.Request, replace bool) error {
	id, err := pathID(r, "template")
	if err != nil {
		return err
	}
	var in templateBody
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	p := templates.Patch{Name: in.Name, Subject: in.Subject, HTML: in.HTML, Text: in.Text}
	if replace {
		empty := func(s *string) *string {
			if s == nil {
				return new(string)
			}
			return s
		}
		p = templates.Patch{Name: empty(in.Name), Subject: empty(in.Subject), HTML: empty(in.HTML), Text: empty(in.Text)}
	}
	var t *ent.Template
	err = a.inTx(r.Context(), func(c *ent.Client) error {
		t, err = templates.Update(r.Context(), c, id, p, a.cfg.DB.IsPostgres())
		return err
	})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, viewTemplate(t))
	return nil
}

func (a *API) deleteTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "template")
	if err != nil {
		return err
	}
	if err := templates.Delete(r.Context(), a.cfg.DB.Client, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// inTx runs fn in a transaction (read-then-write updates).
func (a *API) inTx(ctx context.Context, fn func(c *ent.Client) error) error {
	tx, err := a.cfg.DB.Client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
