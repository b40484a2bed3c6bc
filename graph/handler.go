package graph

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"businesstools/graph/generated"
	"businesstools/internal/apperr"
	"businesstools/internal/auth"
)

// Limits on what one GraphQL operation may ask for.
const (
	ComplexityLimit = 1000
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
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r}))
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})
	srv.Use(extension.FixedComplexityLimit(ComplexityLimit))
	srv.Use(operationGuard{development: cfg.Development})
	srv.AroundRootFields(requireAdmin)
	srv.SetErrorPresenter(errorPresenter(cfg.Logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		cfg.Logger.Error("graphql panic", "panic", p)
		return apperr.New(apperr.Internal, "Something went wrong on our side.")
	})
	return srv
}

// publicFields may be resolved without a session.
var publicFields = map[string]bool{"login": true, "__typename": true, "__schema": true, "__type": true}

// requireAdmin refuses every root field but login (and introspection, which
// operationGuard governs) to callers without a session.
func requireAdmin(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if _, ok := auth.ViewerFrom(ctx); ok || publicFields[fc.Field.Name] {
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

// codes maps service error codes to GraphQL extensions.code, in one place.
var codes = map[apperr.Code]string{
	apperr.Invalid:         "BAD_USER_INPUT",
	apperr.NotFound:        "NOT_FOUND",
	apperr.Unauthenticated: "UNAUTHENTICATED",
	apperr.Forbidden:       "FORBIDDEN",
	apperr.Conflict:        "BAD_USER_INPUT",
	apperr.RateLimited:     "RATE_LIMITED",
	apperr.RevealDisabled:  "REVEAL_DISABLED",
	apperr.TooLarge:        "BAD_USER_INPUT",
	apperr.Unprocessable:   "BAD_USER_INPUT",
	apperr.Internal:        "INTERNAL_SERVER_ERROR",
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
