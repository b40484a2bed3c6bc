package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"businesstools/internal/apperr"
)

// Page sizes: MaxPageSize bounds first/last so one query cannot read a
// whole table; DefaultPageSize applies when neither is given.
const (
	MaxPageSize     = 200
	DefaultPageSize = 50
	MaxNodes        = 100
)

// pageSize is the number of rows a connection query returns at most.
func pageSize(first, last *int) int {
	switch {
	case first != nil:
		return *first
	case last != nil:
		return *last
	}
	return DefaultPageSize
}

// defaultPage fills in first when the client gave neither first nor last.
func defaultPage(first, last *int) *int {
	if first == nil && last == nil {
		n := DefaultPageSize
		return &n
	}
	return first
}

func checkPage(first, last *int) error {
	for name, n := range map[string]*int{"first": first, "last": last} {
		if n != nil && (*n < 0 || *n > MaxPageSize) {
			return apperr.Invalidf(name, "%s must be between 0 and %d.", name, MaxPageSize)
		}
	}
	return nil
}

// countOnlyWhenAsked returns the context a connection resolver hands to
// entgql's Paginate so that it runs COUNT(*) only when the client selected
// totalCount. Paginate also counts when pageInfo is selected, though it
// derives hasNextPage/hasPreviousPage from fetching one row more than the
// page anyway: at a million keys that count is most of the request's time.
// The returned context shows Paginate the connection's selections without
// pageInfo — and, when the client asked for pageInfo but not edges, with a
// bare `edges { cursor }` so that the page (first+1 rows, walked on an index)
// is fetched and pageInfo computed from it. Only Paginate sees this view;
// the response is still shaped by the client's own selections.
func countOnlyWhenAsked(ctx context.Context) context.Context {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return ctx
	}
	fields := graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil)
	var total, pageInfo, edges bool
	for _, f := range fields {
		total = total || f.Name == "totalCount"
		pageInfo = pageInfo || f.Name == "pageInfo"
		edges = edges || f.Alias == "edges" // what Paginate looks for
	}
	if total || !pageInfo {
		return ctx
	}
	sel := make(ast.SelectionSet, 0, len(fields)+1)
	for _, f := range fields {
		if f.Name != "pageInfo" {
			sel = append(sel, &ast.Field{Alias: f.Alias, Name: f.Name, Arguments: f.Arguments,
				Directives: f.Directives, Definition: f.Definition, ObjectDefinition: f.ObjectDefinition,
				SelectionSet: f.Selections, Position: f.Position})
		}
	}
	if !edges {
		sel = append(sel, &ast.Field{Alias: "edges", Name: "edges",
			SelectionSet: ast.SelectionSet{&ast.Field{Alias: "cursor", Name: "cursor"}}})
	}
	view := *fc
	view.Field.Selections = sel
	ctx = graphql.WithFieldContext(ctx, &view)
	view.Parent = fc.Parent // WithFieldContext made fc the parent; view stands in for fc
	return ctx
}
