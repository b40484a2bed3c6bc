package graph

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"businesstools/ent"
	"businesstools/graph/generated"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
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
func NewHandler(r *Resolver, cfg HandlerConfig) http.Handler {
	srv := handler.New(generated.NewExecutableSchema(schemaConfig(r)))
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})
	srv.Use(extension.FixedComplexityLimit(ComplexityLimit))
	guard := operationGuard{development: cfg.Development}
	srv.Use(guard)
	srv.AroundRootFields(roleGuard{development: cfg.Development, r: r}.authorize) // roles.go
	srv.SetErrorPresenter(errorPresenter(cfg.Logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		cfg.Logger.Error("graphql panic", "panic", p)
		return apperr.New(apperr.Internal, "Something went wrong on our side.")
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

// codes maps service error codes to GraphQL extensions.code, in one place.
var codes = map[apperr.Code]string{
	apperr.Invalid:              "BAD_USER_INPUT",
	apperr.NotFound:             "NOT_FOUND",
	apperr.Unauthenticated:      "UNAUTHENTICATED",
	apperr.Forbidden:            "FORBIDDEN",
	apperr.Conflict:             "BAD_USER_INPUT",
	apperr.RateLimited:          "RATE_LIMITED",
	apperr.RevealDisabled:       "REVEAL_DISABLED",
	apperr.TooLarge:             "BAD_USER_INPUT",
	apperr.Unprocessable:        "BAD_USER_INPUT",
	apperr.UnsupportedMediaType: "BAD_USER_INPUT",
	apperr.Internal:             "INTERNAL_SERVER_ERROR",
}

func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var ae *apperr.Error
		var ge *gqlerror.Error
		switch {
		case errors.As(err, &ae):
		case errors.As(err, &ge):
			return inputError(ge)
		default:
			// A resolver failed on something that is not a client error: log it
			// and show nothing of it.
			ae = apperr.As(err)
		}
		gqlErr := gqlerror.WrapPath(graphql.GetPath(ctx), errors.New(ae.Message))
		gqlErr.Message = ae.Message
		gqlErr.Extensions = map[string]any{"code": codes[ae.Code]}
		if ae.Field != "" {
			gqlErr.Extensions["field"] = ae.Field
		}
		if ae.RetryAfter > 0 {
			gqlErr.Extensions["retryAfter"] = int(math.Ceil(ae.RetryAfter.Seconds()))
		}
		if ae.Code == apperr.Internal {
			log.ErrorContext(ctx, "graphql internal error", "err", ae.Error())
		}
		return gqlErr
	}
}

// inputError gives errors in variables and arguments (raised by gqlgen
// before any resolver runs) the BAD_USER_INPUT code and the field's name.
func inputError(e *gqlerror.Error) *gqlerror.Error {
	if len(e.Path) == 0 {
		return e
	}
	if code, _ := e.Extensions["code"].(string); code != "" && code != "GRAPHQL_VALIDATION_FAILED" {
		return e
	}
	field := ""
	for _, el := range e.Path {
		if name, ok := el.(ast.PathName); ok {
			field = string(name)
		}
	}
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = "BAD_USER_INPUT"
	if field != "" {
		e.Extensions["field"] = field
		e.Message = field + ": " + e.Message
	}
	return e
}
