package graph

import (
	"context"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Bounds on `where` filters (DESIGN.md section 7). Every and/or/not level
// and every listed value becomes SQL: unbounded, 5,000 nested `or` exhaust
// the database's expression tree and 100,000 ids its parameter limit.
const (
	MaxWhereDepth  = 5    // levels of and/or/not
	MaxWhereList   = 100  // values in one list (idIn, nameIn, …)
	MaxWhereString = 1000 // characters of one string (SQLite refuses LIKE patterns over 50,000 bytes)
)

// whereBounds refuses an operation whose filters are over the bounds (depth,
// list sizes, string lengths), or
// hold an empty filter under and/or/not (which ent cannot turn into a
// predicate), after variables are coerced and before any resolver runs.
// A filter is any input object with and, or and not fields (entgql's
// WhereInput shape), so new filters are bounded without a change here.
type whereBounds struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &whereBounds{}

func (*whereBounds) ExtensionName() string { return "WhereBounds" }

func (w *whereBounds) Validate(s graphql.ExecutableSchema) error {
	w.schema = s.Schema()
	return nil
}

// MutateOperationContext checks the arguments of every field of the
// operation and of the document's fragments (each visited once).
func (w *whereBounds) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if err := w.selections(oc.Operation.SelectionSet, oc.Variables); err != nil {
		return err
	}
	for _, f := range oc.Doc.Fragments {
		if err := w.selections(f.SelectionSet, oc.Variables); err != nil {
			return err
		}
	}
	return nil
}

func (w *whereBounds) selections(set ast.SelectionSet, vars map[string]any) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, arg := range s.Arguments {
				if err := w.argument(arg, vars); err != nil {
					return err
				}
			}
			if err := w.selections(s.SelectionSet, vars); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.selections(s.SelectionSet, vars); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *whereBounds) argument(arg *ast.Argument, vars map[string]any) *gqlerror.Error {
	if arg.Value == nil || arg.Value.ExpectedType == nil {
		return nil
	}
	v, err := arg.Value.Value(vars)
	if err != nil {
		return nil // gqlgen reports the bad literal
	}
	c := whereCheck{schema: w.schema, arg: arg.Name}
	return c.value(arg.Value.ExpectedType, v, 0, false)
}

type whereCheck struct {
	schema *ast.Schema
	arg    string
}

// value walks v along its type t. depth counts the and/or/not levels above
// v; inFilter says v is (inside) a filter.
func (c whereCheck) value(t *ast.Type, v any, depth int, inFilter bool) *gqlerror.Error {
	if v == nil {
		return nil
	}
	if str, ok := v.(string); ok && inFilter && utf8.RuneCountInString(str) > MaxWhereString {
		return refuse(c.arg, "%s holds a string of over %d characters.", c.arg, MaxWhereString)
	}
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			return c.value(t.Elem, v, depth, inFilter) // a single value given for a list
		}
		if inFilter && len(items) > MaxWhereList {
			return refuse(c.arg, "%s lists %d values; the limit is %d.", c.arg, len(items), MaxWhereList)
		}
		for _, item := range items {
			if err := c.value(t.Elem, item, depth, inFilter); err != nil {
				return err
			}
		}
		return nil
	}
	def := c.schema.Types[t.NamedType]
	obj, ok := v.(map[string]any)
	if def == nil || def.Kind != ast.InputObject || !ok {
		return nil
	}
	filter := isFilter(def)
	if filter && depth > 0 && emptyFilter(obj) {
		return refuse(c.arg, "%s holds an empty filter under and/or/not.", c.arg)
	}
	for name, fv := range obj {
		fd := def.Fields.ForName(name)
		if fd == nil {
			continue
		}
		d := depth
		if filter && (name == "and" || name == "or" || name == "not") {
			if d++; d > MaxWhereDepth {
				return refuse(c.arg, "%s nests and/or/not more than %d levels deep.", c.arg, MaxWhereDepth)
			}
		}
		if err := c.value(fd.Type, fv, d, inFilter || filter); err != nil {
			return err
		}
	}
	return nil
}

// isFilter reports whether def has entgql's WhereInput shape.
func isFilter(def *ast.Definition) bool {
	return def.Fields.ForName("and") != nil && def.Fields.ForName("or") != nil && def.Fields.ForName("not") != nil
}

// emptyFilter reports whether a filter sets nothing but empty lists: ent
// has no predicate for it.
func emptyFilter(obj map[string]any) bool {
	for _, v := range obj {
		if v == nil {
			continue
		}
		if items, ok := v.([]any); ok && len(items) == 0 {
			continue
		}
		return false
	}
	return true
}
