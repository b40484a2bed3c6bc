package sweep_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// objects maps a GraphQL type name to the ids of its objects one account sees.
type objects map[string][]string

// collect reads every query that needs no argument and gathers the typed
// objects of the answers.
func (s *sweeper) collect(sch schema, token string) objects {
	s.t.Helper()
	out := objects{}
	for _, op := range sch.operations() {
		if op.Kind != "query" || slices.ContainsFunc(op.Field.Args, inputValue.required) {
			continue
		}
		res, _, _ := s.sendGQL("tenant", gqlRequest(token, gqlBody(sch.document(op, s.stubFields, nil, nil), nil)))
		var data any
		_ = json.Unmarshal(res.Data, &data)
		gather(data, out)
	}
	for typ, ids := range out {
		slices.Sort(ids)
		out[typ] = slices.Compact(ids)
	}
	return out
}

func gather(v any, out objects) {
	switch v := v.(type) {
	case map[string]any:
		typ, _ := v["__typename"].(string)
		if id, ok := v["id"].(string); ok && typ != "" {
			out[typ] = append(out[typ], id)
		}
		for _, x := range v {
			gather(x, out)
		}
	case []any:
		for _, x := range v {
			gather(x, out)
		}
	}
}

// own returns a's objects that b does not see, leaving out types both see
// alike (shared, such as permissions); a type b sees some of a's objects
// of is a leak.
func (s *sweeper) own(a, b objects) objects {
	out := objects{}
	for typ, ids := range a {
		if slices.Equal(ids, b[typ]) {
			continue // global: every account sees the same
		}
		for _, id := range ids {
			if slices.Contains(b[typ], id) {
				s.fail("tenant: the other account sees %s %s", typ, id)
				continue
			}
			out[typ] = append(out[typ], id)
		}
	}
	return out
}

// sweepTenantGraphQL calls every operation taking an id with each of the
// first account's objects, as the other account: NOT_FOUND (or a null
// answer) only, nothing of the first account in the answer, nothing changed.
func (s *sweeper) sweepTenantGraphQL(sch schema, vals *values, targets objects, email string, marks []string) {
	s.t.Helper()
	types := make([]string, 0, len(targets))
	for typ := range targets {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, op := range sch.operations() {
		idArgs := idArguments(op)
		if len(idArgs) == 0 || s.stubOps[op.String()] {
			continue
		}
		token := s.session(email)
		for _, typ := range types {
			for _, id := range targets[typ][:min(3, len(targets[typ]))] {
				args := vals.args(op)
				for _, a := range idArgs {
					args[a.Name] = id
					if a.Type.isList() {
						args[a.Name] = []any{id}
					}
				}
				r := gqlRequest(token, gqlBody(sch.document(op, s.stubFields, args, nil), args))
				res, _, stub := s.sendGQL("tenant", r)
				if stub {
					s.stubOps[op.String()] = true
					break
				}
				s.checkNotFound(res, op.Field.Name, fmt.Sprintf("%s with the other account's %s %s", op, typ, id), marks)
			}
		}
	}
}

func idArguments(op operation) []inputValue {
	var out []inputValue
	for _, a := range op.Field.Args {
		if a.Type.named() == "ID" {
			out = append(out, a)
		}
	}
	return out
}

// checkNotFound accepts NOT_FOUND, or a null (or empty list) answer without
// errors, and nothing that marks the other account.
func (s *sweeper) checkNotFound(res gqlResult, field, what string, marks []string) {
	s.t.Helper()
	for _, m := range marks {
		if bytes.Contains(res.Data, []byte(m)) {
			s.fail("tenant: %s answered %s (it carries %q)", what, res.Data, m)
			return
		}
	}
	for _, e := range res.Errors {
		if e.Code() == "NOT_FOUND" {
			return
		}
	}
	var data map[string]json.RawMessage
	_ = json.Unmarshal(res.Data, &data)
	if got := string(data[field]); len(res.Errors) == 0 && (got == "null" || got == "[]" || got == "[null]") {
		return
	}
	s.fail("tenant: %s answered %s %+v, want NOT_FOUND", what, res.Data, res.Errors)
}

// sweepTenantREST calls every route with an id with each of the first
// account's objects, with the other account's key: 404 only.
func (s *sweeper) sweepTenantREST(doc *openapi3.T, ownIDs map[string][]string, key string, marks []string) {
	s.t.Helper()
	b := s.bodies
	for _, rt := range routes(doc) {
		if !strings.Contains(rt.Path, "{") {
			if rt.Method == http.MethodGet {
				a := s.sendREST("tenant", restRequest(rt.Method, rt.Path, key, nil))
				for _, m := range marks {
					if bytes.Contains(a.Body, []byte(m)) {
						s.fail("tenant: %s with the other account's key carries %q: %.300s", rt, m, a.Body)
					}
				}
			}
			continue
		}
		for _, id := range ownIDs[collection(rt.Path)] {
			var body []byte
			if sch := bodySchema(rt.Op); sch != nil {
				body = mustJSON(b.of(sch, ""))
			}
			path := fillPath(rt.Path, func(string) string { return id })
			a := s.sendREST("tenant", restRequest(rt.Method, path, key, body))
			if a.Status != http.StatusNotFound {
				s.fail("tenant: %s %s with the other account's key answered %d %.300s, want 404", rt.Method, path, a.Status, a.Body)
			}
		}
	}
}

// restObjects creates n objects at every collection the document can create
// at (their string fields carrying mark) and returns their ids by collection.
func (s *sweeper) restObjects(doc *openapi3.T, key, mark string, n int) map[string][]string {
	s.t.Helper()
	out := map[string][]string{}
	for _, rt := range routes(doc) {
		if rt.Method != http.MethodPost || strings.Contains(rt.Path, "{") || !creates(rt.Op) {
			continue
		}
		for range n {
			id := s.create(rt.Path, bodySchema(rt.Op), key, s.bodies, func(obj map[string]any) {
				for k, v := range obj {
					if str, ok := v.(string); ok && !strings.Contains(str, "@") {
						obj[k] = str + " " + mark
					}
				}
			})
			if id != "" {
				out[rt.Path] = append(out[rt.Path], id)
			}
		}
	}
	return out
}
