package leaks

import (
	"net/http"

	"businesstools/internal/rest"
)

// Routes the Service serves (without an API key).
const (
	PathSecretScanning = "/v1/secret-scanning"
	PathRevoke         = "/v1/credentials/revoke"
)

// Handler serves both routes; register it for each path, before the key
// check of the rest of /v1. Other methods answer 405 with Allow: POST.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(PathSecretScanning, s.post(s.secretScanning))
	mux.Handle(PathRevoke, s.post(s.revoke))
	return mux
}

// post runs h for POST requests and writes its error as problem+json.
func (s *Service) post(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			rest.WriteProblem(w, rest.Problem{Type: rest.ProblemTypeBase + "method_not_allowed",
				Title: http.StatusText(http.StatusMethodNotAllowed), Status: http.StatusMethodNotAllowed,
				Instance: r.URL.Path, Detail: r.URL.Path + " takes POST only."})
			return
		}
		if err := h(w, r); err != nil {
			rest.WriteError(w, r, s.cfg.Logger, err)
		}
	})
}
