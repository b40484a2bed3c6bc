package graph

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"businesstools/internal/apperr"
	"businesstools/internal/requestid"
)

// codes maps service error codes to GraphQL extensions.code, in one place.
var codes = map[apperr.Code]string{
	apperr.Invalid:              codeBadUserInput,
	apperr.NotFound:             "NOT_FOUND",
	apperr.Unauthenticated:      "UNAUTHENTICATED",
	apperr.Forbidden:            "FORBIDDEN",
	apperr.Conflict:             codeBadUserInput,
	apperr.RateLimited:          "RATE_LIMITED",
	apperr.RevealDisabled:       "REVEAL_DISABLED",
	apperr.TooLarge:             codeBadUserInput,
	apperr.Unprocessable:        codeBadUserInput,
	apperr.UnsupportedMediaType: codeBadUserInput,
	apperr.Internal:             "INTERNAL_SERVER_ERROR",
}

// internalMessage is all a client learns of an internal error; the
// request id (extensions.requestId) finds the logged cause.
const internalMessage = "Something went wrong on our side."

// resolverErrors marks what resolvers return: an *apperr.Error keeps its
// code, and anything else (a driver, ent or Go error) becomes Internal, so
// that its text is logged and never shown. Errors raised by gqlgen itself
// while coercing arguments do not pass through here and stay input errors.
// It also stops resolving once the client has gone.
func resolverErrors(ctx context.Context, next graphql.Resolver) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, &apperr.Error{Code: apperr.Internal, Message: internalMessage, Err: err}
	}
	res, err := next(ctx)
	if err == nil {
		return res, nil
	}
	if _, ok := errors.AsType[*apperr.Error](err); ok {
		return res, err
	}
	// entgql's pagination checks (first with last, …) are gqlerrors of
	// their own making, without a cause: client errors.
	if ge, ok := errors.AsType[*gqlerror.Error](err); ok && ge.Err == nil {
		return res, err
	}
	return res, &apperr.Error{Code: apperr.Internal, Message: internalMessage, Err: err}
}

// errorPresenter renders every error once. Service errors keep their code;
// errors gqlgen raised about the document, variables or arguments are input
// errors; everything else is internal: it answers a fixed message and the
// request id, and is logged with the same id.
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		ae, isApp := errors.AsType[*apperr.Error](err)
		if !isApp {
			if ge, ok := errors.AsType[*gqlerror.Error](err); ok {
				return inputError(ge, literalField(ctx, ge))
			}
			ae = apperr.As(err)
		}
		gqlErr := gqlerror.WrapPath(graphql.GetPath(ctx), errors.New(ae.Message))
		code := codes[ae.Code]
		if code == "" || ae.Code == apperr.Internal {
			logInternal(ctx, log, ae)
			gqlErr.Message = internalMessage
			gqlErr.Extensions = map[string]any{"code": codes[apperr.Internal], "requestId": requestid.From(ctx)}
			return gqlErr
		}
		gqlErr.Message = ae.Message
		gqlErr.Extensions = map[string]any{"code": code}
		if ae.Field != "" {
			gqlErr.Extensions["field"] = ae.Field
		}
		if ae.RetryAfter > 0 {
			gqlErr.Extensions["retryAfter"] = int(math.Ceil(ae.RetryAfter.Seconds()))
		}
		return gqlErr
	}
}

func logInternal(ctx context.Context, log *slog.Logger, ae *apperr.Error) {
	if errors.Is(ae, context.Canceled) {
		log.DebugContext(ctx, "graphql: the client went away", "request_id", requestid.From(ctx))
		return
	}
	log.ErrorContext(ctx, "graphql internal error", "request_id", requestid.From(ctx), "err", ae.Error())
}

// inputError gives errors in variables and arguments (raised by gqlgen
// before any resolver runs) the BAD_USER_INPUT code and the field's name:
// the last name on the error's path, or literal, the field holding a bad
// value written into the document (literals.go), which has no path.
// Their text may quote the client's value: it is cut short, and a message
// that reads like driver or file-path text is replaced.
func inputError(e *gqlerror.Error, literal string) *gqlerror.Error {
	e.Message = clientText(e.Message)
	if len(e.Path) == 0 && literal == "" {
		return e
	}
	if code, _ := e.Extensions["code"].(string); code != "" && code != "GRAPHQL_VALIDATION_FAILED" {
		return e
	}
	field := literal
	for _, el := range e.Path {
		if name, ok := el.(ast.PathName); ok {
			field = string(name)
		}
	}
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = codeBadUserInput
	if field != "" {
		e.Extensions["field"] = field
		e.Message = field + ": " + e.Message
	}
	return e
}

// driverText matches what database drivers, ent and the Go runtime put in
// error text; none of it is for clients.
var driverText = regexp.MustCompile(`(?i)\bpq:|sqlite|sql logic|sqlstate|\bent:|\.go:\d|goroutine \d|/(?:home|root|usr|tmp|go)/`)

const maxMessage = 300

// clientText cuts a message to maxMessage bytes (at a character boundary)
// and replaces one that reads like driver text.
func clientText(msg string) string {
	if strings.Contains(msg, "cannot decode cursor") { // entgql's, with msgpack's detail
		return "not a valid cursor: use a cursor this API returned (pageInfo's startCursor or endCursor, or an edge's cursor)."
	}
	if driverText.MatchString(msg) {
		return "The request is not valid."
	}
	if len(msg) <= maxMessage {
		return msg
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}
