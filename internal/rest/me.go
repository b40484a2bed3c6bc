package rest

import (
	"encoding/json"
	"net/http"

	"businesstools/internal/apikey"
)

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

// Shared header values of JSON answers: assigned, never modified.
var (
	jsonContentType = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// me answers which key is calling, from the verified key's cached facts: no
// database work, and the body encoded once per loaded key.
func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	body := p.me
	if body == nil {
		body = encodeMe(p)
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Cache-Control"] = noStore
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

// encodeMe is GET /v1/me's body for p, as WriteJSON would write it.
func encodeMe(p *Principal) []byte {
	scopes := p.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	b, err := json.Marshal(meResponse{ID: p.KeyID, Name: p.Name,
		Account: meAccount{ID: p.AccountID, Name: p.AccountName}, Scopes: scopes})
	if err != nil {
		panic(err) // strings, ints and a slice of strings always encode
	}
	return append(b, '\n')
}

// principalOf returns the key's Principal, built once per loaded key and
// kept with its cached facts (apikey.Facts.View): the hot path allocates
// neither the principal nor the /v1/me body.
func principalOf(f *apikey.Facts) *Principal {
	return f.View(newPrincipal).(*Principal)
}

func newPrincipal(f *apikey.Facts) any {
	p := &Principal{KeyID: f.KeyID, AccountID: f.AccountID, AccountName: f.AccountName,
		Name: f.Name, Scopes: f.Scopes, RateLimit: f.RateLimit}
	p.me = encodeMe(p)
	return p
}
