package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"businesstools/internal/rest"
)

// openAPI is /v1's OpenAPI 3.1 document, loaded once for every test.
var openAPI struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// OpenAPI returns the loaded, validated OpenAPI document and a router over it
// that matches paths whatever the host.
func OpenAPI() (*openapi3.T, routers.Router, error) {
	openAPI.once.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(rest.OpenAPIDocument())
		if err == nil {
			err = doc.Validate(loader.Context)
		}
		if err != nil {
			openAPI.err = fmt.Errorf("openapi.json: %w", err)
			return
		}
		doc.Servers = nil // match on the path alone
		openAPI.doc = doc
		openAPI.router, openAPI.err = legacy.NewRouter(doc)
	})
	return openAPI.doc, openAPI.router, openAPI.err
}

// ValidatingTransport checks every /v1 request it carries and every answer
// against the OpenAPI document, so the document cannot drift from the code:
//   - a path and method the document lacks may only be answered 404 problem+json;
//   - a request the document calls invalid (a test of bad input) must be
//     answered with a 4xx the operation documents;
//   - every answer must be documented for its operation: status, headers, body.
//
// Failures are reported with tb.Errorf.
type ValidatingTransport struct {
	TB   testing.TB
	Base http.RoundTripper // http.DefaultTransport when nil
}

// RoundTrip sends req and validates both directions.
func (t *ValidatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if !strings.HasPrefix(req.URL.Path, "/v1/") {
		return base.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err != nil {
		return resp, nil
	}
	if msg := CheckExchange(req, reqBody, resp, respBody); msg != "" {
		t.TB.Errorf("OpenAPI: %s %s → %d: %s", req.Method, req.URL.RequestURI(), resp.StatusCode, msg)
	}
	return resp, nil
}

// credentialPresent checks the request carries what a security scheme
// names (whether the key is good is the server's business).
func credentialPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header
	s := in.SecurityScheme
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		if v := h.Get("Authorization"); len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
			return nil
		}
		return fmt.Errorf("no Authorization: Bearer header")
	case s.Type == "apiKey" && s.In == "header":
		if h.Get(s.Name) != "" {
			return nil
		}
		return fmt.Errorf("no %s header", s.Name)
	}
	return fmt.Errorf("security scheme %s/%s is not understood by the test validator", s.Type, s.In)
}

// CheckExchange validates one request and its answer against the document
// (see ValidatingTransport) and returns what is wrong, or "".
func CheckExchange(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) string {
	doc, router, err := OpenAPI()
	if err != nil {
		return err.Error()
	}
	if methods, known := documentedMethods(doc, req.URL.Path); known && !slices.Contains(methods, req.Method) {
		return checkMethodNotAllowed(doc, methods, resp, respBody)
	}
	ctx := context.Background()
	vreq := req.Clone(ctx)
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		if resp.StatusCode == http.StatusNotFound && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			return ""
		}
		return fmt.Sprintf("the document has no such operation (%v), yet it was answered", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: credentialPresent, MultiError: true}}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if reqErr != nil && (resp.StatusCode < 400 || resp.StatusCode >= 500) {
		return fmt.Sprintf("the document rejects the request (%v) but the server answered %d", reqErr, resp.StatusCode)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Sprintf("the answer does not match the document: %v (body %.300s)", err, respBody)
	}
	return ""
}

// documentedMethods returns the methods the document has for path, sorted
// (HEAD with GET, as the server's router serves it), and whether it has the
// path at all.
func documentedMethods(doc *openapi3.T, path string) ([]string, bool) {
	for _, tmpl := range doc.Paths.InMatchingOrder() {
		if !pathMatches(tmpl, path) {
			continue
		}
		var ms []string
		for m := range doc.Paths.Value(tmpl).Operations() {
			ms = append(ms, m)
		}
		if slices.Contains(ms, http.MethodGet) {
			ms = append(ms, http.MethodHead)
		}
		slices.Sort(ms)
		return ms, true
	}
	return nil, false
}

// checkMethodNotAllowed validates the answer to a documented path called
// with a method the document lacks for it: 405, an Allow header naming
// exactly the path's documented methods, and the document's
// MethodNotAllowed response (or the key check's 401 or 429, which come first).
func checkMethodNotAllowed(doc *openapi3.T, want []string, resp *http.Response, respBody []byte) string {
	if (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusTooManyRequests) &&
		strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		return "" // the key check comes first
	}
	if resp.StatusCode != http.StatusMethodNotAllowed {
		return fmt.Sprintf("the document has this path but not this method, yet it was answered %d, not 405", resp.StatusCode)
	}
	var got []string
	for _, m := range strings.Split(resp.Header.Get("Allow"), ",") {
		if m = strings.TrimSpace(m); m != "" {
			got = append(got, m)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Sprintf("Allow is %q, the document's methods for the path are %v", resp.Header.Get("Allow"), want)
	}
	ref := doc.Components.Responses["MethodNotAllowed"]
	if ref == nil || ref.Value == nil {
		return "the document has no MethodNotAllowed response"
	}
	mt := ref.Value.Content.Get(strings.TrimSpace(strings.Split(resp.Header.Get("Content-Type"), ";")[0]))
	if mt == nil || mt.Schema == nil {
		return fmt.Sprintf("a 405 of Content-Type %q is not documented", resp.Header.Get("Content-Type"))
	}
	var body any
	if err := json.Unmarshal(respBody, &body); err != nil {
		return fmt.Sprintf("the 405 body is not JSON: %v", err)
	}
	if err := mt.Schema.Value.VisitJSON(body); err != nil {
		return fmt.Sprintf("the 405 body does not match the document: %v", err)
	}
	return ""
}

// pathMatches reports whether path fits the document's path template
// (each {param} one non-empty segment).
func pathMatches(tmpl, path string) bool {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}") {
			if ps[i] == "" {
				return false
			}
		} else if ts[i] != ps[i] {
			return false
		}
	}
	return true
}
