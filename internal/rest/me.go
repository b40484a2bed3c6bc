package rest

import "net/http"

// meResponse is GET /v1/me's answer.
type meResponse struct {
	ID        int      `json:"id"`
	Name      string   `json:"name"`
	AccountID int      `json:"account_id"`
	Scopes    []string `json:"scopes"`
}

// me answers which key is calling.
func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	scopes := p.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	WriteJSON(w, http.StatusOK, meResponse{ID: p.KeyID, Name: p.Name, AccountID: p.AccountID, Scopes: scopes})
	return nil
}
