package requestid_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"businesstools/internal/requestid"
)

// Ensure every request gets a fresh id in its context and the response
// header, and a client's own X-Request-Id is ignored.
func TestMiddleware(t *testing.T) {
	var seen []string
	h := requestid.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, requestid.From(r.Context()))
	}))
	var headers []string
	for range 2 {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set(requestid.Header, "forged-by-client")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		headers = append(headers, rec.Header().Get(requestid.Header))
	}
	for i := range 2 {
		if len(seen[i]) < 14 || seen[i] != headers[i] || seen[i] == "forged-by-client" {
			t.Fatalf("request %d: context id %q, header %q", i, seen[i], headers[i])
		}
	}
	if seen[0] == seen[1] {
		t.Fatal("two requests share an id")
	}
	if got := requestid.From(httptest.NewRequest(http.MethodGet, "/", nil).Context()); got != "" {
		t.Fatalf("id outside the middleware = %q", got)
	}
}
