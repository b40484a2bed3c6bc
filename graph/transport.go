package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MaxBodyBytes bounds a /graphql request body (variables included); the
// document itself is bounded tighter (MaxDocumentBytes).
const MaxBodyBytes = 1 << 20

// jsonPOST is the only /graphql transport: POST with one JSON object as the
// body. Unlike gqlgen's transport.POST it answers an oversized body with
// 413, never echoes the body back, refuses batches (a JSON array), checks
// every input string once (valid UTF-8, no NUL) and the document's size
// before gqlgen parses it, marks every answer no-store (answers carry
// session tokens and key secrets), and stops when the client has gone.
type jsonPOST struct{}

var _ graphql.Transport = jsonPOST{}

// Supports takes every POST: a wrong Content-Type gets a GraphQL error with
// a code rather than gqlgen's bare "transport not supported".
func (jsonPOST) Supports(r *http.Request) bool { return r.Method == http.MethodPost }

// Do answers one request.
func (jsonPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	params, status, refusal := readParams(w, r)
	if refusal == nil {
		status, refusal = http.StatusBadRequest, checkRequest(ctx, params)
	}
	if refusal != nil {
		writeResponse(w, status, exec.DispatchError(ctx, gqlerror.List{refusal}))
		return
	}
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		ctx = withLiteralFields(ctx, params.Query, errs) // bad literals name their field: literals.go
		writeResponse(w, statusFor(errs), exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
		return
	}
	if ctx.Err() != nil {
		return // the client has gone: do not start the resolvers
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, http.StatusOK, responses(ctx))
}

// readParams reads and decodes the body. On failure it returns the HTTP
// status and the error to answer with.
func readParams(w http.ResponseWriter, r *http.Request) (*graphql.RawParams, int, *gqlerror.Error) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/json" {
		return nil, http.StatusUnsupportedMediaType, refuse("", "GraphQL takes a POST with Content-Type: application/json.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return nil, http.StatusRequestEntityTooLarge, refuse("", "The request body is over %d bytes.", MaxBodyBytes)
		}
		return nil, http.StatusBadRequest, refuse("", "The request body could not be read.")
	}
	if field, bad := badUTF8(body); bad {
		return nil, http.StatusBadRequest, refuse(field, "%s is not valid UTF-8 text.", fieldOrBody(field))
	}
	params, refusal := decodeParams(body)
	if refusal != nil {
		return nil, http.StatusBadRequest, refusal
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: graphql.GetStartTime(r.Context()), End: graphql.Now()}
	return params, 0, nil
}

// decodeParams decodes one JSON object {query, operationName, variables,
// extensions}. Its errors describe the problem without quoting the body.
func decodeParams(body []byte) (*graphql.RawParams, *gqlerror.Error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return nil, refuse("", "Send one operation per request: batched (array) bodies are not supported.")
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, refuse("", "The body must be a JSON object: {\"query\": …, \"variables\": {…}}.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var params graphql.RawParams
	if err := dec.Decode(&params); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
			return nil, refuse(te.Field, "%s has the wrong type.", te.Field)
		}
		return nil, refuse("", "The body is not valid JSON.")
	}
	if dec.More() {
		return nil, refuse("", "The body must be one JSON object and nothing after it.")
	}
	return &params, nil
}

// checkRequest runs the checks that need the decoded request: the
// variables' strings and size, and the document's limits.
func checkRequest(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if ctx.Err() != nil {
		return refuse("", "The request was cancelled.")
	}
	if err := checkVariables(params.Variables); err != nil {
		return err
	}
	if containsNUL(params.OperationName) {
		return refuse("operationName", "operationName contains a NUL character.")
	}
	return checkDocument(params.Query)
}

// statusFor answers a document that does not parse or validate 422, as
// gqlgen's transport does for application/json, and a refused one 400.
func statusFor(errs gqlerror.List) int {
	if errcode.GetErrorKind(errs) == errcode.KindProtocol {
		return http.StatusUnprocessableEntity
	}
	for _, e := range errs {
		if code, _ := e.Extensions["code"].(string); code == codeBadUserInput {
			return http.StatusBadRequest
		}
	}
	return http.StatusOK
}

func writeResponse(w http.ResponseWriter, status int, resp *graphql.Response) {
	if resp == nil {
		return // the client has gone
	}
	b, err := json.Marshal(resp)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"Something went wrong on our side.","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

const codeBadUserInput = "BAD_USER_INPUT"

// refuse returns a BAD_USER_INPUT error raised before any resolver runs,
// naming field when there is one.
func refuse(field, format string, args ...any) *gqlerror.Error {
	e := &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": codeBadUserInput}}
	if field != "" {
		e.Extensions["field"] = field
	}
	return e
}

func fieldOrBody(field string) string {
	if field == "" {
		return "The request body"
	}
	return field
}
