package sweep_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"businesstools/internal/apptest"
)

// route is one operation of the OpenAPI document.
type route struct {
	Method, Path string
	Op           *openapi3.Operation
}

func (r route) String() string { return r.Method + " " + r.Path }

// routes lists every operation of /v1's OpenAPI document, by path and method.
func routes(doc *openapi3.T) []route {
	var out []route
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out = append(out, route{method, path, op})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// collection is the path a {param} path's objects are listed and created at.
func collection(path string) string {
	if i := strings.Index(path, "/{"); i >= 0 {
		return path[:i]
	}
	return path
}

// bodies makes request bodies from the document's schemas: required
// properties (and those of the first oneOf/anyOf alternative, and those the
// server asked for by name when a body was refused: see create), with
// values a careful client would send; names and emails are unique per body
// so that creates do not clash.
type bodies struct {
	n     int
	extra map[*openapi3.Schema][]string
}

func (b *bodies) of(s *openapi3.Schema, name string) any {
	if s == nil {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch {
	case s.Type.Includes("object"):
		obj := map[string]any{}
		required := slices.Clone(s.Required)
		if len(s.OneOf) > 0 && s.OneOf[0].Value != nil {
			alt := s.OneOf[0].Value
			required = append(required, alt.Required...)
			if len(alt.AnyOf) > 0 && alt.AnyOf[0].Value != nil {
				required = append(required, alt.AnyOf[0].Value.Required...)
			}
		}
		required = append(required, b.extra[s]...)
		for _, p := range required {
			if ref := s.Properties[p]; ref != nil {
				obj[p] = b.of(ref.Value, p)
			}
		}
		return obj
	case s.Type.Includes("array"):
		if s.Items == nil {
			return []any{}
		}
		return []any{b.of(s.Items.Value, name)}
	case s.Type.Includes("integer"), s.Type.Includes("number"):
		if s.Min != nil && *s.Min > 1 {
			return *s.Min
		}
		return 1
	case s.Type.Includes("boolean"):
		return false
	case s.Type.Includes("string"):
		b.n++
		switch name {
		case "email":
			return fmt.Sprintf("sweep-%d@example.com", b.n)
		case "to", "cc", "bcc", "reply_to":
			return "sweep@example.com"
		case "name":
			return fmt.Sprintf("sweep %d", b.n)
		case "subject":
			return "Hello"
		case "html":
			return "<p>Hello</p>"
		}
		return "sweep"
	}
	return nil
}

// properties lists the top-level properties of a body schema (with those
// of its alternatives), sorted.
func properties(s *openapi3.Schema) []string {
	seen := map[string]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		for p := range s.Properties {
			seen[p] = true
		}
		for _, alt := range s.OneOf {
			walk(alt.Value)
		}
	}
	walk(s)
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// propertySchema returns the schema of a property of s or of one of its
// alternatives.
func propertySchema(s *openapi3.Schema, prop string) *openapi3.Schema {
	if ref := s.Properties[prop]; ref != nil {
		return ref.Value
	}
	for _, alt := range s.OneOf {
		if p := propertySchema(alt.Value, prop); p != nil {
			return p
		}
	}
	return nil
}

func bodySchema(op *openapi3.Operation) *openapi3.Schema {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

func restRequest(method, path, key string, body []byte) request {
	h := http.Header{}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	return request{Method: method, Path: path, Header: h, Body: body}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// sendREST sends one REST request and checks its answer: no 5xx, errors as
// problem+json, and a refused request changed nothing.
func (s *sweeper) sendREST(sweep string, r request) answer {
	s.t.Helper()
	var before, after state
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	if write {
		before = s.before()
	}
	a := s.do(sweep, r)
	if write {
		after = s.after()
	}
	s.checkAnswer(r, a)
	if a.Status >= 500 {
		var p struct {
			RequestID string `json:"request_id"`
		}
		_ = json.Unmarshal(a.Body, &p)
		s.fail("%d answer to %s; logged: %.400s", a.Status, r, s.logged(p.RequestID))
	}
	if a.Status >= 400 && !strings.HasPrefix(a.Header.Get("Content-Type"), "application/problem+json") {
		s.fail("%d answer of type %q to %s", a.Status, a.Header.Get("Content-Type"), r)
	}
	if write && a.Status >= 400 {
		if changed := before.changed(after); len(changed) > 0 {
			s.fail("refused request changed %v: %s → %d %.300s", changed, r, a.Status, a.Body)
		}
	}
	return a
}

// objectID returns the id of an object of the account at coll: the first
// of its list, or one created from the document's schema.
func (s *sweeper) objectID(doc *openapi3.T, coll, key string, b *bodies) string {
	s.t.Helper()
	item := doc.Paths.Value(coll)
	if item == nil {
		return "1"
	}
	if item.Get != nil {
		a := s.do("rest", restRequest(http.MethodGet, coll, key, nil))
		var list struct{ Data []struct{ ID json.Number } }
		if json.Unmarshal(a.Body, &list) == nil && len(list.Data) > 0 {
			return list.Data[0].ID.String()
		}
	}
	if item.Post != nil && creates(item.Post) {
		if id := s.create(coll, bodySchema(item.Post), key, b, nil); id != "" {
			return id
		}
	}
	return "1"
}

// create posts an object to coll and returns its id. A body refused for a
// field the schema has but the body lacks (rules the schema cannot say,
// such as "html or text") is sent again with that field, which b then
// keeps for later bodies. edit, if set, changes each body before it goes.
func (s *sweeper) create(coll string, schema *openapi3.Schema, key string, b *bodies, edit func(map[string]any)) string {
	s.t.Helper()
	s.stale()
	for range 4 {
		obj, _ := b.of(schema, "").(map[string]any)
		if edit != nil {
			edit(obj)
		}
		a := s.do("rest", restRequest(http.MethodPost, coll, key, mustJSON(obj)))
		var out struct {
			ID    json.Number
			Field string
		}
		_ = json.Unmarshal(a.Body, &out)
		if out.ID != "" {
			return out.ID.String()
		}
		if _, known := schema.Properties[out.Field]; !known || obj[out.Field] != nil {
			s.fail("could not create an object at %s: %d %.300s", coll, a.Status, a.Body)
			return ""
		}
		if b.extra == nil {
			b.extra = map[*openapi3.Schema][]string{}
		}
		b.extra[schema] = append(b.extra[schema], out.Field)
	}
	return ""
}

// creates reports whether a POST makes an object (answers 201), unlike
// the leak routes' reports and revocations.
func creates(op *openapi3.Operation) bool { return op.Responses.Value("201") != nil }

// fillPath puts the ids into a path template.
func fillPath(path string, id func(param string) string) string {
	for {
		i := strings.Index(path, "{")
		j := strings.Index(path, "}")
		if i < 0 || j < i {
			return path
		}
		path = path[:i] + id(path[i+1:j]) + path[j+1:]
	}
}

// sweepREST sends hostile variants of every route with the account's key.
func (s *sweeper) sweepREST(doc *openapi3.T, key string) {
	s.t.Helper()
	pool := hostilePool()
	b := s.bodies
	for _, rt := range routes(doc) {
		id := s.objectID(doc, collection(rt.Path), key, b)
		path := fillPath(rt.Path, func(string) string { return id })
		schema := bodySchema(rt.Op)
		base := func() any { return b.of(schema, "") }
		send := func(method, p string, body []byte, header ...string) {
			r := restRequest(method, p, key, body)
			for i := 0; i+1 < len(header); i += 2 {
				r.Header.Set(header[i], header[i+1])
			}
			s.sendREST("rest", r)
		}
		var baseBody []byte
		if schema != nil {
			baseBody = mustJSON(base())
		}
		// Path parameters.
		if strings.Contains(rt.Path, "{") {
			for _, h := range s.pickStrings(hostileIDs, 6) {
				send(rt.Method, fillPath(rt.Path, func(string) string { return h }), baseBody)
			}
		}
		// Query and header parameters.
		for _, p := range append(slices.Clone(rt.Op.Parameters), doc.Paths.Value(rt.Path).Parameters...) {
			switch p.Value.In {
			case "query":
				for _, h := range s.pickStrings(hostileQuery, 4) {
					send(rt.Method, path+"?"+p.Value.Name+"="+h, baseBody)
				}
			case "header":
				for _, h := range []string{strings.Repeat("k", 300), "ключ", " ", "a b", "\t"} {
					send(rt.Method, path, baseBody, p.Value.Name, h)
				}
			}
		}
		send(rt.Method, path+"?zzUnknown=%00&limit=%FF", baseBody)
		// Body properties, one at a time.
		if schema != nil {
			for _, prop := range properties(schema) {
				values := s.pick(pool, 3)
				if ps := propertySchema(schema, prop); ps != nil && ps.Type.Includes("string") {
					values = append(values, edgeStrings...)
				}
				for _, h := range values {
					obj, _ := base().(map[string]any)
					if obj == nil {
						obj = map[string]any{}
					}
					obj[prop] = h
					send(rt.Method, path, mustJSON(obj))
				}
			}
		}
		// Bodies no route can read.
		for _, body := range []string{
			``, `{`, `[]`, `"x"`, `1`, `null`, `{"zzUnknown":1}`, "{\"a\":\"\xff\"}", "\xef\xbb\xbf{}",
			strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
			`{"name":"` + strings.Repeat("x", 2<<20) + `"}`,
		} {
			send(rt.Method, path, []byte(body))
		}
		if baseBody != nil {
			send(rt.Method, path, append(slices.Clone(baseBody), "{}"...))
			send(rt.Method, path, baseBody, "Content-Type", "text/plain")
		}
		// Keys no route accepts.
		for _, k := range []string{"", "bt_" + strings.Repeat("A", 60), "bt_" + strings.Repeat("z", 5000)} {
			r := restRequest(rt.Method, path, k, baseBody)
			s.sendREST("rest", r)
		}
	}
}

func (s *sweeper) pickStrings(pool []string, n int) []string {
	idx := s.rng.Perm(len(pool))
	out := make([]string, 0, n)
	for _, i := range idx[:min(n, len(idx))] {
		out = append(out, pool[i])
	}
	return out
}

// restKey creates a key with every permission the schema lists.
func restKey(t interface{ Helper() }, app *apptest.App, sch schema, token, name string) apptest.Key {
	var perms []string
	for _, v := range sch.Types["PermissionKey"].EnumValues {
		perms = append(perms, v.Name)
	}
	return app.CreateKey(token, name, perms...)
}
