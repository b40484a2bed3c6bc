package sweep_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"businesstools/internal/apptest"
)

// gqlResult is a decoded GraphQL answer.
type gqlResult struct {
	Data   json.RawMessage    `json:"data"`
	Errors []apptest.GQLError `json:"errors"`
}

func gqlRequest(token string, body []byte) request {
	h := http.Header{"Content-Type": {"application/json"}}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return request{Method: http.MethodPost, Path: "/graphql", Header: h, Body: body}
}

func gqlBody(doc string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
	if err != nil {
		panic(err)
	}
	return b
}

// session returns a session for the email (the owner's password): the
// last one while it still works (an operation may have ended it), else a
// new one from an address of its own, so the sweep's failed logins cannot
// throttle it.
func (s *sweeper) session(email string) string {
	s.t.Helper()
	ctx := context.Background()
	if token := s.sessions[email]; token != "" {
		if _, err := s.app.Server.Auth.Authenticate(ctx, token); err == nil {
			return token
		}
	}
	s.stale()
	s.sent["sessions"]++
	token, _, _, err := s.app.Server.Auth.Login(ctx, email, apptest.OwnerPassword, fmt.Sprintf("192.0.2.%d", s.sent["sessions"]%250+1))
	if err != nil {
		s.t.Fatalf("session for %s: %v", email, err)
	}
	s.sessions[email] = token
	return token
}

// sendGQL sends one GraphQL request and checks its answer: every error has
// a code, none is INTERNAL_SERVER_ERROR (but a stub's, which is learned),
// and a refused request changed nothing. It reports whether the root field
// itself is a stub.
func (s *sweeper) sendGQL(sweep string, r request) (res gqlResult, a answer, rootStub bool) {
	s.t.Helper()
	before := s.before()
	a = s.do(sweep, r)
	after := s.after()
	s.checkAnswer(r, a)
	if a.Status >= 500 {
		s.fail("%d answer %.300s to %s", a.Status, a.Body, r)
	}
	if err := json.Unmarshal(a.Body, &res); err != nil {
		s.fail("answer %d is not JSON (%v): %.300s to %s", a.Status, err, a.Body, r)
		return res, a, false
	}
	for _, e := range res.Errors {
		switch e.Code() {
		case "":
			s.fail("error without a code %+v to %s", e, r)
		case "INTERNAL_SERVER_ERROR":
			id, _ := e.Extensions["requestId"].(string)
			field, stub := s.stubPanic(id)
			if !stub {
				s.fail("INTERNAL_SERVER_ERROR to %s; logged: %.600s", r, s.logged(id))
				continue
			}
			if len(e.Path) == 1 {
				rootStub = true
			} else if field != "" {
				s.stubFields[field] = true
			}
		}
	}
	if len(res.Errors) > 0 || a.Status >= 400 {
		if changed := before.changed(after); len(changed) > 0 {
			s.fail("refused request changed %v: %s → %.300s", changed, r, a.Body)
		}
	}
	return res, a, rootStub
}

// maxSlots bounds the places per operation that get hostile values (chosen
// by the seeded rng among every argument and input field).
const maxSlots = 16

// sweepGraphQL sends hostile variants of every operation.
func (s *sweeper) sweepGraphQL(sch schema, vals *values, email string) {
	s.t.Helper()
	pool := hostilePool()
	for _, op := range sch.operations() {
		token := s.session(email)
		base := vals.args(op)
		if !s.probe(sch, op, token, base) {
			continue
		}
		// One hostile value in one place at a time.
		slots := sch.slots(op)
		s.rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
		for i, sl := range slots {
			if i == maxSlots {
				break
			}
			values := s.pick(pool, 4)
			if sl.Types[len(sl.Types)-1].named() == "String" {
				values = append(values, edgeStrings...)
			}
			for _, h := range values {
				var v any = h
				if sl.Types[len(sl.Types)-1].isList() && s.rng.IntN(2) == 0 {
					v = []any{h}
				}
				vars := vals.with(base, sl, v, op.Field.Name)
				s.sendGQL("graphql", gqlRequest(token, gqlBody(sch.document(op, s.stubFields, vars, nil), vars)))
			}
			if len(sl.Path) == 1 { // the same, inline in the document
				h := s.pick(pool, 1)[0]
				vars := vals.with(base, sl, nil, op.Field.Name)
				delete(vars, sl.Path[0])
				doc := sch.document(op, s.stubFields, vars, map[string]string{sl.Path[0]: literal(json.RawMessage(h))})
				s.sendGQL("graphql", gqlRequest(token, gqlBody(doc, vars)))
			}
		}
		// The document itself wrong.
		doc := sch.document(op, s.stubFields, base, nil)
		name := op.Field.Name
		for _, bad := range []struct {
			doc  string
			vars map[string]any
		}{
			{doc, nil}, // required variables missing
			{strings.Replace(doc, name, name+"(zzUnknown:1)", 1), base},
			{strings.Replace(doc, name, strings.Repeat(name+" ", 21), 1), base},
			{strings.Replace(doc, name, name+"@skip(if:\"yes\")", 1), base},
			{strings.Replace(doc, name, name+"@include(if:$undeclared)", 1), base},
			{strings.Replace(doc, "{"+name, "{__typename zzNoSuchField "+name, 1), base},
			{doc, map[string]any{"zzExtra": "a\x00b"}},
		} {
			s.sendGQL("graphql", gqlRequest(token, gqlBody(bad.doc, bad.vars)))
		}
	}
}

// probe sends op's baseline, learning the stub fields it meets, and reports
// whether op is to be swept (false: its resolver is a stub).
func (s *sweeper) probe(sch schema, op operation, token string, base map[string]any) bool {
	s.t.Helper()
	for range 10 {
		known := len(s.stubFields)
		_, _, rootStub := s.sendGQL("graphql", gqlRequest(token, gqlBody(sch.document(op, s.stubFields, base, nil), base)))
		if rootStub {
			s.stubOps[op.String()] = true
			return false
		}
		if len(s.stubFields) == known {
			return true
		}
	}
	return true
}

// sweepEndpoint sends bodies no operation can make sense of.
func (s *sweeper) sweepEndpoint(token string) {
	s.t.Helper()
	for _, body := range []string{
		``, `{`, `[]`, `[{"query":"{__typename}"}]`, `"query"`, `1`, `null`, `{"query":1}`, `{"query":null}`,
		`{"query":"{__typename}","variables":[1]}`, `{"query":"{__typename}","variables":"x"}`,
		`{"query":"{__typename}","operationName":"nope"}`, `{"query":"{__typename}","operationName":"a\u0000"}`,
		`{"query":"{__typename}","extensions":{"persistedQuery":{"version":1,"sha256Hash":"x"}}}`,
		"{\"query\":\"{__typename \xff}\"}", `{"query":"{__typename \ud800}"}`, `{"query":"query{__typename} query{__typename}"}`,
		`{"query":"{__typename}"}{"query":"{__typename}"}`, `{"query":"mutation{__typename}"}`, `{"query":"subscription{__typename}"}`,
		`{"query":"{` + strings.Repeat("__typename ", 6000) + `}"}`,
		`{"query":"{__typename}","variables":{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`,
		`{"query":"{__typename}","pad":"` + strings.Repeat("x", 2<<20) + `"}`,
	} {
		s.sendGQL("graphql", gqlRequest(token, []byte(body)))
	}
	r := gqlRequest(token, []byte(`{"query":"{__typename}"}`))
	r.Header.Set("Content-Type", "text/plain")
	s.sendGQL("graphql", r)
}
