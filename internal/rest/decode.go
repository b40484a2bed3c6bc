package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"businesstools/internal/apperr"
)

// MaxBodyBytes is the largest request body accepted (413 beyond).
const MaxBodyBytes = 1 << 20

// Decode reads a JSON request body into dst: application/json only, at most
// MaxBodyBytes, no unknown fields, one value. Errors name the field at fault.
func Decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &apperr.Error{Code: apperr.Invalid, Message: "The body must be JSON (Content-Type: application/json)."}
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	return DecodeJSON(body, dst)
}

// DecodeJSON decodes one JSON value strictly (see Decode); fuzzed on its own.
func DecodeJSON(body io.Reader, dst any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return apperr.Invalidf("", "The body must hold a single JSON value.")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Invalidf("", "The body must hold a single JSON value.")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &apperr.Error{Code: apperr.TooLarge, Message: fmt.Sprintf("The body is larger than %d bytes.", MaxBodyBytes)}
	case errors.Is(err, io.EOF):
		return apperr.Invalidf("", "The body is empty; send a JSON object.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf("", "The body is not valid JSON.")
	case errors.As(err, &typ):
		return apperr.Invalidf(typ.Field, "The field %q must be of type %s.", typ.Field, jsonType(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalidf(field, "Unknown field %q.", field)
	default:
		return apperr.Invalidf("", "The body could not be read as JSON: %s.", err.Error())
	}
}

func jsonType(kind string) string {
	switch kind {
	case "slice", "array":
		return "array"
	case "map", "struct", "ptr":
		return "object"
	case "int", "int64", "int32", "uint", "float64":
		return "number"
	case "bool":
		return "boolean"
	}
	return kind
}
