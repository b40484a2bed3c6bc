package sweep_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/auth"
	"businesstools/internal/testdb"
)

// MinRequests is the fewest generated requests a sweep may send.
const MinRequests = 1000

// mark is in the name of every object of the first account, so that an
// answer to the other account that carries it is a leak.
const mark = "tenant-A-mark"

// Ensure no generated hostile request gets a 5xx, an INTERNAL_SERVER_ERROR,
// a slow answer, driver text, or changes state when refused; and that the
// other account gets NOT_FOUND / 404 for every object of the first.
func TestSweep(t *testing.T) {
	start := time.Now()
	app := apptest.New(t)
	s := newSweeper(t, app)
	owner := app.LoginOwner()
	sch := introspect(t, app, owner)
	doc, _, err := apptest.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}

	// Account A: keys (one for REST, one for the GraphQL mutations to act
	// on), a second admin, REST objects; account B: an admin and a key.
	keyA := restKey(t, app, sch, owner, "rest "+mark)
	victim := app.CreateKey(owner, "victim "+mark, "SEND_EMAILS")
	if _, err := auth.CreateAdmin(context.Background(), app.DB.Client, "Default", "second@example.com", apptest.OwnerPassword); err != nil {
		t.Fatal(err)
	}
	restA := s.restObjects(doc, keyA.Secret, mark, 2)
	ownerB := app.NewAdmin("Account B", "b@example.com")
	keyB := restKey(t, app, sch, ownerB, "rest B")
	s.restObjects(doc, keyB.Secret, "B", 1)
	objectsA := s.collect(sch, owner)
	valsA := &values{schema: sch, password: apptest.OwnerPassword, ids: idsFor(objectsA, victim.ID)}

	phase := func(name string, fn func()) {
		t.Run(name, func(t *testing.T) {
			s.t = t
			began, sentBefore := time.Now(), total(s.sent)
			fn()
			t.Logf("%s: %d requests in %v", name, total(s.sent)-sentBefore, time.Since(began).Round(time.Millisecond))
		})
		s.t = t
	}
	phase("Endpoint", func() { s.sweepEndpoint(""); s.sweepEndpoint(owner) })
	phase("REST", func() { s.sweepREST(doc, keyA.Secret) })
	phase("GraphQL", func() { s.sweepGraphQL(sch, valsA, apptest.OwnerEmail) })
	phase("GraphQLAnonymous", func() { s.sweepAnonymous(sch, valsA) })
	phase("Tenant", func() {
		// B's answers may not carry A's names, nor the email of its owner.
		marks := []string{mark, apptest.OwnerEmail, "second@example.com"}
		targets := s.own(s.collect(sch, owner), s.collect(sch, ownerB))
		if len(targets) == 0 {
			t.Fatal("found no object of the first account")
		}
		s.sweepTenantGraphQL(sch, &values{schema: sch, password: apptest.OwnerPassword, ids: idsFor(objectsA, victim.ID)}, targets, "b@example.com", marks)
		s.sweepTenantREST(doc, restA, keyB.Secret, marks)
	})

	var stubs []string
	for op := range s.stubOps {
		stubs = append(stubs, op)
	}
	for f := range s.stubFields {
		stubs = append(stubs, "field "+f)
	}
	slices.Sort(stubs)
	t.Logf("sweep on %s: %d requests (%v) in %v; %d failures; skipped as not implemented: %s",
		testdb.Kind(), total(s.sent), s.sent, time.Since(start).Round(time.Millisecond), s.failures, strings.Join(stubs, ", "))
	if n := total(s.sent); n < MinRequests {
		t.Errorf("the sweep sent %d requests, want at least %d", n, MinRequests)
	}
	if s.failures > 40 {
		t.Errorf("%d failures in all (the first 40 are shown)", s.failures)
	}
}

func total(m map[string]int) int {
	n := 0
	for k, v := range m {
		if k != "sessions" {
			n += v
		}
	}
	return n
}

// idsFor returns, for an operation, an id of the object type its name
// names (the longest match: "rollApiKey" → ApiKey), else fallback.
func idsFor(own objects, fallback string) func(op string) string {
	return func(op string) string {
		best := ""
		for typ, ids := range own {
			if len(ids) > 0 && len(typ) > len(best) && strings.Contains(strings.ToLower(op), strings.ToLower(typ)) {
				best = typ
			}
		}
		if best == "" || best == "ApiKey" {
			return fallback // keys: the one meant to be acted on
		}
		return own[best][0]
	}
}

// sweepAnonymous sends every operation's baseline and a few hostile
// variants without a session.
func (s *sweeper) sweepAnonymous(sch schema, vals *values) {
	s.t.Helper()
	pool := hostilePool()
	for _, op := range sch.operations() {
		if s.stubOps[op.String()] {
			continue
		}
		base := vals.args(op)
		s.sendGQL("graphql", gqlRequest("", gqlBody(sch.document(op, s.stubFields, base, nil), base)))
		for _, sl := range sch.slots(op)[:min(2, len(sch.slots(op)))] {
			for _, h := range s.pick(pool, 2) {
				vars := vals.with(base, sl, h, op.Field.Name)
				s.sendGQL("graphql", gqlRequest("", gqlBody(sch.document(op, s.stubFields, vars, nil), vars)))
			}
		}
	}
}
