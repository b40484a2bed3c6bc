package graph

import (
	"context"
	"log/slog"
	"math"
	"net/http"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"businesstools/ent"
	"businesstools/graph/generated"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/requestid"
)

// Limits on what one GraphQL operation may ask for. A connection field costs
// its selection times the page size, so a page of 200 keys with every field
// fits and a dozen such pages in one request do not.
const (
	ComplexityLimit = 5000
	DepthLimit      = 12
)

// HandlerConfig configures NewHandler.
type HandlerConfig struct {
	Development bool // introspection for everyone (otherwise signed-in admins only)
	Logger      *slog.Logger
}

// NewHandler returns the /graphql handler: POST with a JSON body only — no
// GET, form or multipart transport, so a cross-site form cannot mutate.
// Documents are bounded before they are parsed (limits.go), filters before
// any resolver runs (where.go), and no error shows driver text (errors.go).
func NewHandler(r *Resolver, cfg HandlerConfig) http.Handler {
	srv := handler.New(generated.NewExecutableSchema(schemaConfig(r)))
	srv.AddTransport(jsonPOST{}) // body, document and string limits: see transport.go
	srv.Use(extension.Introspection{})
	srv.Use(&whereBounds{})
	srv.Use(extension.FixedComplexityLimit(ComplexityLimit))
	guard := operationGuard{development: cfg.Development}
	srv.Use(guard)
	srv.AroundRootFields(guard.requireAdmin)
	srv.AroundFields(resolverErrors)
	srv.SetErrorPresenter(errorPresenter(cfg.Logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		cfg.Logger.ErrorContext(ctx, "graphql panic", "request_id", requestid.From(ctx), "panic", p)
		return apperr.New(apperr.Internal, internalMessage)
	})
	return srv
}

// schemaConfig binds the resolvers and prices connections by page size.
func schemaConfig(r *Resolver) generated.Config {
	cfg := generated.Config{Resolvers: r}
	cfg.Complexity.Query.APIKeys = func(child int, _ *entgql.Cursor[int], first *int, _ *entgql.Cursor[int], last *int, _ *ent.ApiKeyOrder, _ *ent.ApiKeyWhereInput) int {
		return 1 + child*pageSize(first, last)
	}
	cfg.Complexity.Query.AuditEvents = func(child int, _ *entgql.Cursor[int], first *int, _ *entgql.Cursor[int], last *int, _ *ent.AuditEventOrder, _ *ent.AuditEventWhereInput) int {
		return 1 + child*pageSize(first, last)
	}
	cfg.Complexity.Query.Nodes = func(child int, ids []int) int { return 1 + child*len(ids) }
	return cfg
}

// publicFields may be resolved without a session (introspection only in development).
var publicFields = map[string]bool{"login": true, "__typename": true}

// requireAdmin refuses every root field but login to callers without a
// session: UNAUTHENTICATED, introspection included outside development.
func (g operationGuard) requireAdmin(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	introspection := fc.Field.Name == "__schema" || fc.Field.Name == "__type"
	if _, ok := auth.ViewerFrom(ctx); ok || publicFields[fc.Field.Name] || (introspection && g.development) {
		return next(ctx)
	}
	graphql.AddError(ctx, errUnauthenticated)
	return graphql.Null
}

// operationGuard limits depth and allows introspection only to signed-in
// admins outside development.
type operationGuard struct{ development bool }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = operationGuard{}

func (operationGuard) ExtensionName() string                   { return "OperationGuard" }
func (operationGuard) Validate(graphql.ExecutableSchema) error { return nil }
func (g operationGuard) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	_, signedIn := auth.ViewerFrom(ctx)
	if !g.development && !signedIn {
		oc.DisableIntrospection = true
	}
	if d := depth(oc.Operation.SelectionSet, 0); d > DepthLimit {
		err := gqlerror.Errorf("The query is nested %d levels deep; the limit is %d.", d, DepthLimit)
		err.Extensions = map[string]any{"code": "BAD_USER_INPUT"}
		return err
	}
	return nil
}

func depth(set ast.SelectionSet, level int) int {
	deepest := level
	for _, sel := range set {
		var sub ast.SelectionSet
		switch s := sel.(type) {
		case *ast.Field:
			sub = s.SelectionSet
		case *ast.InlineFragment:
			sub = s.SelectionSet
		case *ast.FragmentSpread:
			if s.Definition != nil {
				sub = s.Definition.SelectionSet
			}
		}
		if len(sub) > 0 {
			deepest = max(deepest, depth(sub, level+1))
		}
		if level > 64 { // fragment cycles are refused by validation; this is a backstop
			return math.MaxInt
		}
	}
	return deepest
}
