package reqstate_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"businesstools/internal/reqstate"
)

type otherKey struct{}

// Ensure the state is found through the request's context (values and
// cancellation of the parent still reach through it), that the layers below
// see one shared state, and that it records the answer's status.
func TestState(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "kept"))
	req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(parent)
	rec := httptest.NewRecorder()
	w, r, st := reqstate.New(rec, req)
	st.ClientIP = netip.MustParseAddr("192.0.2.7")
	if got := reqstate.From(r.Context()); got != st || got.ClientIP != st.ClientIP {
		t.Fatalf("From = %p, want %p", got, st)
	}
	if r.Context().Value(otherKey{}) != "kept" {
		t.Fatal("the parent's values are hidden")
	}
	child, stop := context.WithCancel(r.Context())
	defer stop()
	cancel()
	<-child.Done() // the parent's cancellation reaches a context derived below the state

	if st.Status() != http.StatusOK {
		t.Fatalf("status before any write = %d, want 200 (what net/http sends)", st.Status())
	}
	w.WriteHeader(http.StatusTeapot)
	w.WriteHeader(http.StatusOK) // ignored by net/http, and here
	_, _ = io.WriteString(w, "short and stout")
	if st.Status() != http.StatusTeapot || rec.Code != http.StatusTeapot || rec.Body.String() != "short and stout" {
		t.Fatalf("state %d, recorder %d %q", st.Status(), rec.Code, rec.Body.String())
	}
	if http.NewResponseController(w).Flush() != nil {
		t.Fatal("Flush does not reach the real writer")
	}
	if reqstate.From(context.Background()) != nil {
		t.Fatal("a context without a state has one")
	}
}

// Ensure informational answers do not count as the status.
func TestState_Informational(t *testing.T) {
	w, _, st := reqstate.New(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	w.WriteHeader(http.StatusEarlyHints)
	w.WriteHeader(http.StatusNoContent)
	if st.Status() != http.StatusNoContent {
		t.Fatalf("status %d, want 204", st.Status())
	}
}
