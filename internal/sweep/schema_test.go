package sweep_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
)

// The schema as introspection reports it: the sweep knows nothing of the
// operations but what this says.
type typeRef struct {
	Kind   string   `json:"kind"`
	Name   *string  `json:"name"`
	OfType *typeRef `json:"ofType"`
}

type inputValue struct {
	Name         string  `json:"name"`
	Type         typeRef `json:"type"`
	DefaultValue *string `json:"defaultValue"`
}

type gqlField struct {
	Name string       `json:"name"`
	Args []inputValue `json:"args"`
	Type typeRef      `json:"type"`
}

type gqlType struct {
	Kind        string       `json:"kind"`
	Name        string       `json:"name"`
	Fields      []gqlField   `json:"fields"`
	InputFields []inputValue `json:"inputFields"`
	EnumValues  []struct {
		Name string `json:"name"`
	} `json:"enumValues"`
}

type schema struct {
	Query, Mutation string
	Types           map[string]gqlType
}

// introspection stays within the server's depth limit: four levels of
// ofType name every type the schema uses ([ID!]! is three).
const introspection = `query{__schema{queryType{name} mutationType{name}
 types{kind name fields(includeDeprecated:true){name args{name defaultValue type{...T}} type{...T}}
 inputFields{name defaultValue type{...T}} enumValues(includeDeprecated:true){name}}}}
fragment T on __Type{kind name ofType{kind name ofType{kind name ofType{kind name}}}}`

func introspect(t *testing.T, app *apptest.App, token string) schema {
	var data struct {
		Schema struct {
			QueryType    struct{ Name string } `json:"queryType"`
			MutationType struct{ Name string } `json:"mutationType"`
			Types        []gqlType             `json:"types"`
		} `json:"__schema"`
	}
	app.GQL(token, introspection, nil).Decode(t, &data)
	s := schema{Query: data.Schema.QueryType.Name, Mutation: data.Schema.MutationType.Name, Types: map[string]gqlType{}}
	for _, t := range data.Schema.Types {
		s.Types[t.Name] = t
	}
	return s
}

// operation is one root field of Query or Mutation.
type operation struct {
	Kind  string // "query" or "mutation"
	Field gqlField
}

func (o operation) String() string { return o.Kind + " " + o.Field.Name }

// operations lists every root field, queries first, each group by name.
func (s schema) operations() []operation {
	var ops []operation
	for _, root := range []struct{ kind, name string }{{"query", s.Query}, {"mutation", s.Mutation}} {
		fields := slices.Clone(s.Types[root.name].Fields)
		sort.Slice(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
		for _, f := range fields {
			ops = append(ops, operation{root.kind, f})
		}
	}
	return ops
}

func (t typeRef) named() string {
	for r := &t; r != nil; r = r.OfType {
		if r.Name != nil {
			return *r.Name
		}
	}
	return ""
}

func (t typeRef) String() string {
	switch t.Kind {
	case "NON_NULL":
		return t.OfType.String() + "!"
	case "LIST":
		return "[" + t.OfType.String() + "]"
	}
	return *t.Name
}

func (t typeRef) isList() bool {
	if t.Kind == "NON_NULL" {
		return t.OfType.isList()
	}
	return t.Kind == "LIST"
}

func (v inputValue) required() bool { return v.Type.Kind == "NON_NULL" && v.DefaultValue == nil }

// selection returns a selection set for a value of type name: every field
// that needs no argument, objects three levels deep, stub fields left out.
func (s schema) selection(name string, depth int, stubs map[string]bool) string {
	t := s.Types[name]
	if t.Kind != "OBJECT" && t.Kind != "INTERFACE" {
		return "__typename"
	}
	parts := []string{"__typename"}
	for _, f := range t.Fields {
		if stubs[f.Name] || slices.ContainsFunc(f.Args, inputValue.required) {
			continue
		}
		switch s.Types[f.Type.named()].Kind {
		case "SCALAR", "ENUM":
			parts = append(parts, f.Name)
		case "OBJECT", "INTERFACE", "UNION":
			if depth < 3 {
				parts = append(parts, f.Name+"{"+s.selection(f.Type.named(), depth+1, stubs)+"}")
			}
		}
	}
	return strings.Join(parts, " ")
}

// enumVal is an enum value in a baseline: a string in variables, a bare
// name inline.
type enumVal string

// values makes the baseline arguments of operations: valid in form, so a
// generated request differs from an acceptable one in the hostile value
// only. ids names an id for an object type (the account's own, or the
// other account's in the tenant sweep).
type values struct {
	schema   schema
	ids      func(op string) string
	password string
	n        int
}

func (v *values) of(t typeRef, name, op string) any {
	switch t.Kind {
	case "NON_NULL":
		return v.of(*t.OfType, name, op)
	case "LIST":
		return []any{v.of(*t.OfType, name, op)}
	}
	def := v.schema.Types[*t.Name]
	switch def.Kind {
	case "ENUM":
		return enumVal(def.EnumValues[0].Name)
	case "INPUT_OBJECT":
		obj := map[string]any{}
		for _, f := range def.InputFields {
			if f.required() {
				obj[f.Name] = v.of(f.Type, f.Name, op)
			}
		}
		return obj
	}
	v.n++
	lower := strings.ToLower(name)
	switch *t.Name {
	case "ID":
		return v.ids(op)
	case "Int":
		switch {
		case strings.Contains(lower, "days"):
			return 7
		case lower == "first" || lower == "last":
			return 5
		case strings.Contains(lower, "validfor") || strings.Contains(lower, "ratelimit"):
			return 0
		}
		return 1
	case "Float":
		return 1.5
	case "Boolean":
		return false
	case "Time":
		return time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	case "String":
		switch {
		case strings.Contains(lower, "email"):
			return "sweep-nobody@example.com"
		case strings.Contains(lower, "password"):
			return v.password
		case strings.Contains(lower, "name"):
			return fmt.Sprintf("sweep %d", v.n)
		}
		return "sweep"
	}
	return "sweep"
}

// args returns the baseline arguments of op: its required ones.
func (v *values) args(op operation) map[string]any {
	out := map[string]any{}
	for _, a := range op.Field.Args {
		if a.required() {
			out[a.Name] = v.of(a.Type, a.Name, op.Field.Name)
		}
	}
	return out
}

// document returns op's document passing the arguments vars has as
// variables, and those inline has as literals.
func (s schema) document(op operation, stubs map[string]bool, vars map[string]any, inline map[string]string) string {
	var defs, args []string
	for _, a := range op.Field.Args {
		if lit, ok := inline[a.Name]; ok {
			args = append(args, a.Name+":"+lit)
			continue
		}
		if _, ok := vars[a.Name]; !ok {
			continue
		}
		defs = append(defs, "$"+a.Name+":"+a.Type.String())
		args = append(args, a.Name+":$"+a.Name)
	}
	doc := op.Kind
	if len(defs) > 0 {
		doc += "(" + strings.Join(defs, ",") + ")"
	}
	call := op.Field.Name
	if len(args) > 0 {
		call += "(" + strings.Join(args, ",") + ")"
	}
	if sel := s.selection(op.Field.Type.named(), 0, stubs); s.Types[op.Field.Type.named()].Kind == "OBJECT" || s.Types[op.Field.Type.named()].Kind == "INTERFACE" {
		call += "{" + sel + "}"
	}
	return doc + "{" + call + "}"
}

// literal renders a value as a GraphQL literal. JSON strings are GraphQL
// strings, escapes and all, so hostile raw strings go in byte for byte.
func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case enumVal:
		return string(v)
	case string:
		b, _ := json.Marshal(v)
		return string(b)
	case json.RawMessage:
		if len(v) > 0 && v[0] == '"' {
			return string(v)
		}
		var x any
		if json.Unmarshal(v, &x) != nil {
			return string(v)
		}
		return literal(x)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = literal(x)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + literal(v[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case float64:
		return fmt.Sprint(v)
	}
	return fmt.Sprint(v)
}

// slot is a place for a hostile value: an argument or a field of an input
// object argument (two levels deep), with the types along its path.
type slot struct {
	Path  []string
	Types []typeRef
}

func (s schema) slots(op operation) []slot {
	var out []slot
	var walk func(path []string, types []typeRef, t typeRef, depth int)
	walk = func(path []string, types []typeRef, t typeRef, depth int) {
		out = append(out, slot{slices.Clone(path), slices.Clone(types)})
		def := s.Types[t.named()]
		if def.Kind != "INPUT_OBJECT" || t.isList() || depth == 2 {
			return
		}
		for _, f := range def.InputFields {
			walk(append(path, f.Name), append(types, f.Type), f.Type, depth+1)
		}
	}
	for _, a := range op.Field.Args {
		walk([]string{a.Name}, []typeRef{a.Type}, a.Type, 0)
	}
	return out
}

// with returns a copy of args with v at the slot, building the input
// objects on its path from their baselines where args has none.
func (vs *values) with(args map[string]any, sl slot, v any, op string) map[string]any {
	out := deepCopy(args).(map[string]any)
	cur := out
	for i, name := range sl.Path[:len(sl.Path)-1] {
		next, ok := cur[name].(map[string]any)
		if !ok {
			next, _ = vs.of(sl.Types[i], name, op).(map[string]any)
			if next == nil {
				next = map[string]any{}
			}
			cur[name] = next
		}
		cur = next
	}
	cur[sl.Path[len(sl.Path)-1]] = v
	return out
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}
