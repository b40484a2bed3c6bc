package graph

import (
	"context"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// A bad value written into the document itself (role: BOSS, first: "ten")
// is refused by validation with only a line and column, while the same
// value sent as a variable is refused with a path naming the field. So that
// both answer BAD_USER_INPUT naming the field (DESIGN.md section 4), the
// argument or input field holding each literal is looked up by position.

// literalRules are the validation rules that judge a literal value rather
// than the document's shape: their errors are the client's bad input.
// Everything else (unknown fields, missing arguments, variables used in the
// wrong place) stays GRAPHQL_VALIDATION_FAILED.
var literalRules = map[string]bool{
	"ValuesOfCorrectType":                   true,
	"ValuesOfCorrectTypeWithoutSuggestions": true,
	"UniqueInputFieldNames":                 true,
}

type literalFieldsKey struct{}

// withLiteralFields returns ctx carrying, when errs holds an error about a
// literal, the field holding every value of query by position, for
// literalField. gqlgen drops the parsed document when validation fails, so
// it is parsed again: once per request however many errors there are, and
// only after checkDocument has bounded it.
func withLiteralFields(ctx context.Context, query string, errs gqlerror.List) context.Context {
	if !slices.ContainsFunc(errs, isLiteralError) {
		return ctx
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return ctx
	}
	fields := literalIndex{}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			fields.value(v.Variable, v.DefaultValue)
			fields.directives(v.Directives)
		}
		fields.directives(op.Directives)
		fields.selections(op.SelectionSet)
	}
	// Fragments are indexed where they are defined: validation reports a
	// bad literal in a fragment at its place in the fragment.
	for _, f := range doc.Fragments {
		fields.directives(f.Directives)
		fields.selections(f.SelectionSet)
	}
	return context.WithValue(ctx, literalFieldsKey{}, fields)
}

// literalField names the argument or input field holding the literal a
// validation error is about, or returns "" when e is not about a literal.
func literalField(ctx context.Context, e *gqlerror.Error) string {
	if !isLiteralError(e) {
		return ""
	}
	fields, _ := ctx.Value(literalFieldsKey{}).(literalIndex)
	return fields[e.Locations[0]]
}

func isLiteralError(e *gqlerror.Error) bool {
	return e != nil && literalRules[e.Rule] && len(e.Locations) > 0
}

// literalIndex maps where a value (or an input object's field) starts to
// the innermost argument or input field holding it. No two values start at
// the same place, so the map is exact.
type literalIndex map[gqlerror.Location]string

func (ix literalIndex) selections(set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			ix.arguments(s.Arguments)
			ix.directives(s.Directives)
			ix.selections(s.SelectionSet)
		case *ast.InlineFragment:
			ix.directives(s.Directives)
			ix.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			ix.directives(s.Directives)
		}
	}
}

func (ix literalIndex) directives(list ast.DirectiveList) {
	for _, d := range list {
		ix.arguments(d.Arguments)
	}
}

func (ix literalIndex) arguments(list ast.ArgumentList) {
	for _, a := range list {
		ix.value(a.Name, a.Value)
	}
}

// value indexes v as held by name. A list's items are held by the list's
// field; an object's fields by their own names, and the field itself is
// indexed too: an unknown or repeated input field is reported at its name.
func (ix literalIndex) value(name string, v *ast.Value) {
	if v == nil {
		return
	}
	ix.add(v.Position, name)
	for _, c := range v.Children {
		if v.Kind == ast.ObjectValue {
			ix.add(c.Position, c.Name)
			ix.value(c.Name, c.Value)
		} else {
			ix.value(name, c.Value)
		}
	}
}

func (ix literalIndex) add(pos *ast.Position, name string) {
	if pos != nil {
		ix[gqlerror.Location{Line: pos.Line, Column: pos.Column}] = name
	}
}
