package rest

import "net/http"

// meResponse is GET /v1/me's answer.
type meResponse struct {
	ID      int       `json:"id"`
	Name    string    `json:"name"`
	Account meAccount `json:"account"`
	Scopes  []string  `json:"scopes"`
}

type meAccount struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// me answers which key is calling, from the verified key's cached facts: no
// database work.
func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	scopes := p.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	WriteJSON(w, http.StatusOK, meResponse{ID: p.KeyID, Name: p.Name,
		Account: meAccount{ID: p.AccountID, Name: p.AccountName}, Scopes: scopes})
	return nil
}
