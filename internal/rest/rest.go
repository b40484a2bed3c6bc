// Package rest is the /v1 API that API keys unlock: one verification
// middleware in front of every route but the OpenAPI document, a scope per
// route, JSON in and out, errors as RFC 9457 problem+json.
package rest

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"businesstools/internal/apikey"
	"businesstools/internal/apperr"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// Scopes of DESIGN.md section 3.
const (
	ScopeSendEmails      = "emails:send"
	ScopeManageTemplates = "templates:manage"
	ScopeReadLeads       = "leads:read"
	ScopeWriteLeads      = "leads:write"
	ScopeDeleteLeads     = "leads:delete"
)

// Config holds what the API needs.
type Config struct {
	// Mux is the server's one router: the routes are registered on it, so a
	// request is matched once. Nil: the API's own, served by API.ServeHTTP.
	Mux    *http.ServeMux
	DB     *db.DB
	Keys   *apikey.Service
	Logger *slog.Logger
	// Authenticate verifies the API key (and applies the IP allow-list and rate
	// limit) and puts a *Principal into the request context, or writes 401/429.
	Authenticate func(http.Handler) http.Handler
	// MailFrom is the sender of POST /v1/emails (BT_MAIL_FROM).
	MailFrom string
	// MailNotify, if set, wakes the mail worker after an email is enqueued.
	MailNotify func()
}

// API is the /v1 handler.
type API struct {
	cfg Config
	mux *http.ServeMux
	// paths matches a request path alone against every registered route's
	// path; methods lists, per path pattern, the methods registered for it
	// (both filled by handle, read-only once New returns).
	paths   *http.ServeMux
	methods map[string][]string
}

// handlerFunc is a route's handler; a returned error is written once, as problem+json.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New returns the /v1 API.
func New(cfg Config) *API {
	a := &API{cfg: cfg, mux: cfg.Mux, paths: http.NewServeMux(), methods: map[string][]string{}}
	if a.mux == nil {
		a.mux = http.NewServeMux()
	}
	a.handle("GET /v1/openapi.json", http.HandlerFunc(a.openAPI))
	a.routeKeyOnly("GET /v1/me", a.me)

	a.route("POST /v1/emails", ScopeSendEmails, a.sendEmail)
	a.route("GET /v1/emails/{id}", ScopeSendEmails, a.getEmail)

	a.route("GET /v1/templates", ScopeManageTemplates, a.listTemplates)
	a.route("POST /v1/templates", ScopeManageTemplates, a.createTemplate)
	a.route("GET /v1/templates/{id}", ScopeManageTemplates, a.getTemplate)
	a.route("PUT /v1/templates/{id}", ScopeManageTemplates, a.replaceTemplate)
	a.route("PATCH /v1/templates/{id}", ScopeManageTemplates, a.patchTemplate)
	a.route("DELETE /v1/templates/{id}", ScopeManageTemplates, a.deleteTemplate)

	a.route("GET /v1/leads", ScopeReadLeads, a.listLeads)
	a.route("GET /v1/leads/{id}", ScopeReadLeads, a.getLead)
	a.route("POST /v1/leads", ScopeWriteLeads, a.createLead)
	a.route("PUT /v1/leads/{id}", ScopeWriteLeads, a.replaceLead)
	a.route("PATCH /v1/leads/{id}", ScopeWriteLeads, a.patchLead)
	a.route("DELETE /v1/leads/{id}", ScopeDeleteLeads, a.deleteLead)

	// Anything else under /v1 still needs a valid key before it learns it is
	// a 405 (a known path, another method) or a 404.
	a.routeKeyOnly("/v1/", a.noRoute)
	return a
}

// noRoute answers a request no route matched: 405 with Allow when its path
// is registered with other methods, 404 otherwise.
func (a *API) noRoute(w http.ResponseWriter, r *http.Request) error {
	allow := a.allowed(r)
	if len(allow) == 0 {
		return apperr.NotFoundf("There is no %s %s route.", r.Method, r.URL.EscapedPath())
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	WriteProblem(w, Problem{Type: ProblemTypeBase + "method_not_allowed", Title: http.StatusText(http.StatusMethodNotAllowed),
		Status: http.StatusMethodNotAllowed, Instance: r.URL.EscapedPath(),
		Detail: r.URL.EscapedPath() + " does not take " + r.Method + "; it takes " + strings.Join(allow, ", ") + "."})
	return nil
}

// allowed returns the methods registered for r's path, sorted (HEAD
// included with GET, as ServeMux serves it), or nil for an unknown path.
func (a *API) allowed(r *http.Request) []string {
	_, pattern := a.paths.Handler(r)
	ms := a.methods[pattern]
	if len(ms) == 0 {
		return nil
	}
	out := slices.Clone(ms)
	if slices.Contains(out, http.MethodGet) && !slices.Contains(out, http.MethodHead) {
		out = append(out, http.MethodHead)
	}
	slices.Sort(out)
	return out
}

// handle registers h for pattern ("METHOD /path") and notes the method
// under the path, so that the route table is the one source of Allow.
func (a *API) handle(pattern string, h http.Handler) {
	a.mux.Handle(pattern, h)
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return // the catch-all
	}
	if _, seen := a.methods[path]; !seen {
		a.paths.Handle(path, http.NotFoundHandler()) // only its pattern is ever used
	}
	a.methods[path] = append(a.methods[path], method)
}

// ServeHTTP serves the API's routes (when Config.Mux was nil).
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// route registers h behind key verification and, when scope is set, a scope
// check; h's queries see the key's account only.
func (a *API) route(pattern, scope string, h handlerFunc) {
	a.register(pattern, scope, true, h)
}

// routeKeyOnly registers h behind key verification for a route answered
// from the verified key alone (no tenant-owned rows read or written): it
// runs without the tenant context, so the hot path copies no request.
func (a *API) routeKeyOnly(pattern string, h handlerFunc) {
	a.register(pattern, "", false, h)
}

func (a *API) register(pattern, scope string, scoped bool, h handlerFunc) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := PrincipalFrom(r.Context())
		if p == nil {
			a.writeError(w, r, apperr.New(apperr.Unauthenticated, "A valid API key is required."))
			return
		}
		if scope != "" && !p.Has(scope) {
			a.writeError(w, r, &apperr.Error{Code: apperr.Forbidden, Field: scope,
				Message: "This API key lacks the " + scope + " scope."})
			return
		}
		if scoped {
			r = r.WithContext(tenant.WithAccount(r.Context(), p.AccountID)) // queries see this account only
		}
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
	a.handle(pattern, a.cfg.Authenticate(inner))
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	WriteError(w, r, a.cfg.Logger, err)
}
