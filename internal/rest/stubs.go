package rest

import (
	"net/http"

	"businesstools/internal/apperr"
)

// Stubs: each is replaced by its real handler in its own file. Delete a stub
// when you implement it.

func notYet(w http.ResponseWriter, r *http.Request) error {
	return apperr.New(apperr.NotFound, "Not implemented yet.")
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

func (a *API) sendEmail(w http.ResponseWriter, r *http.Request) error { return notYet(w, r) }
func (a *API) getEmail(w http.ResponseWriter, r *http.Request) error  { return notYet(w, r) }

func (a *API) listTemplates(w http.ResponseWriter, r *http.Request) error   { return notYet(w, r) }
func (a *API) createTemplate(w http.ResponseWriter, r *http.Request) error  { return notYet(w, r) }
func (a *API) getTemplate(w http.ResponseWriter, r *http.Request) error     { return notYet(w, r) }
func (a *API) replaceTemplate(w http.ResponseWriter, r *http.Request) error { return notYet(w, r) }
func (a *API) patchTemplate(w http.ResponseWriter, r *http.Request) error   { return notYet(w, r) }
func (a *API) deleteTemplate(w http.ResponseWriter, r *http.Request) error  { return notYet(w, r) }

func (a *API) listLeads(w http.ResponseWriter, r *http.Request) error   { return notYet(w, r) }
func (a *API) getLead(w http.ResponseWriter, r *http.Request) error     { return notYet(w, r) }
func (a *API) createLead(w http.ResponseWriter, r *http.Request) error  { return notYet(w, r) }
func (a *API) replaceLead(w http.ResponseWriter, r *http.Request) error { return notYet(w, r) }
func (a *API) patchLead(w http.ResponseWriter, r *http.Request) error   { return notYet(w, r) }
func (a *API) deleteLead(w http.ResponseWriter, r *http.Request) error  { return notYet(w, r) }
