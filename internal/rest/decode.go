package rest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"businesstools/internal/apperr"
)

// MaxBodyBytes is the largest request body accepted (413 beyond).
const MaxBodyBytes = 1 << 20

// Decode reads a JSON request body into dst: application/json only, at most
// MaxBodyBytes, no unknown fields, one value. Errors name the field at fault.
func Decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := checkContentType(r); err != nil {
		return err
	}
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	return DecodeJSON(body, dst)
}

// checkContentType refuses a body sent as anything but application/json
// (415); no Content-Type is taken as JSON.
func checkContentType(r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &apperr.Error{Code: apperr.UnsupportedMediaType,
				Message: "The body must be JSON, sent with Content-Type: application/json."}
		}
	}
	return nil
}

// DecodeJSON decodes one JSON value strictly (see Decode), after checking
// that every string in it is valid text (checkJSONText); fuzzed on its own.
func DecodeJSON(body io.Reader, dst any) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return jsonError(err)
	}
	if err := checkJSONText(raw); err != nil {
		return err
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	if isNull(br) { // decoding null would succeed and leave dst as it was
		return apperr.Invalidf("", "The body must be a JSON %s.", jsonType(reflect.TypeOf(dst).Elem().Kind().String()))
	}
	dec := json.NewDecoder(br)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if typ, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && typ.Field != "" {
			if isList(reflect.TypeOf(dst), typ.Field) {
				typ.Field = elementPath(raw, typ) // "bcc" → "bcc[1]"
			}
		}
		return jsonError(err)
	}
	// Only whitespace may follow.
	if _, err = dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Invalidf("", "The body must hold a single JSON value.")
	}
	return refuseNulls(raw, dst)
}

// elementPath is typ's field with the index of the array item at fault
// appended when the field holds an array (encoding/json names only the
// array: "bcc" for {"bcc":["a",1]}), so the answer says "bcc[1]".
func elementPath(raw []byte, typ *json.UnmarshalTypeError) string {
	v := json.RawMessage(raw)
	for name := range strings.SplitSeq(typ.Field, ".") {
		var members map[string]json.RawMessage
		if json.Unmarshal(v, &members) != nil {
			return typ.Field
		}
		m, ok := member(members, name)
		if !ok {
			return typ.Field
		}
		v = m
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		return typ.Field
	}
	for i, item := range items {
		if json.Unmarshal(item, reflect.New(typ.Type).Interface()) != nil {
			return typ.Field + "[" + strconv.Itoa(i) + "]"
		}
	}
	return typ.Field
}

// isList reports whether the field at the JSON path (names joined by dots)
// in t is a slice or an array.
func isList(t reflect.Type, path string) bool {
	for name := range strings.SplitSeq(path, ".") {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return false
		}
		f, ok := jsonField(t, name)
		if !ok {
			return false
		}
		t = f.Type
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Slice || t.Kind() == reflect.Array
}

// jsonField is t's field that JSON names name.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag := jsonName(f); tag == name || tag == "" && f.Name == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// refuseNulls refuses null for the fields of dst's struct tagged
// null:"refuse": decoded into a pointer, null would pass for "absent" and
// change nothing, although the field is not nullable (OpenAPI).
func refuseNulls(raw []byte, dst any) error {
	t := reflect.TypeOf(dst).Elem()
	if t.Kind() != reflect.Struct {
		return nil
	}
	var members map[string]json.RawMessage
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("null") != "refuse" {
			continue
		}
		if members == nil {
			if json.Unmarshal(raw, &members) != nil {
				return nil // decoded above: cannot happen
			}
		}
		name := jsonName(f)
		if v, ok := member(members, name); ok && string(bytes.TrimSpace(v)) == "null" {
			return apperr.Invalidf(name, "The field %q cannot be null; leave it out to keep its value.", name)
		}
	}
	return nil
}

// jsonName is the name f's json tag gives it ("" when the tag has none).
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// member is the value of the object member name, matched as the decoder
// matches struct fields: ignoring case.
func member(members map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	for k, v := range members {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// isNull reports whether the first JSON token of br is null, consuming
// only leading whitespace.
func isNull(br *bufio.Reader) bool {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return false // the decoder reports it
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			_ = br.UnreadByte()
			break
		}
	}
	next, _ := br.Peek(5)
	return bytes.HasPrefix(next, []byte("null")) && (len(next) == 4 || !isIdentByte(next[4]))
}

// isIdentByte reports whether c could continue a literal (nullx is no null).
func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae): // from a field's own UnmarshalJSON (custom's depth)
		return ae
	case errors.As(err, &tooBig):
		return &apperr.Error{Code: apperr.TooLarge, Message: fmt.Sprintf("The body is larger than %d bytes.", MaxBodyBytes)}
	case errors.Is(err, io.EOF):
		return apperr.Invalidf("", "The body is empty; send a JSON object.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf("", "The body is not valid JSON.")
	case errors.As(err, &typ) && typ.Field == "":
		// The body itself has the wrong type (`[]` where an object is expected).
		return apperr.Invalidf("", "The body must be a JSON %s.", jsonType(typ.Type.Kind().String()))
	case errors.As(err, &typ):
		return typeError(typ)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if field == "" {
			return apperr.Invalidf("", "The body holds a field with an empty name.")
		}
		return apperr.Invalidf(field, "Unknown field %q.", field)
	default:
		return apperr.Invalidf("", "The body could not be read as JSON: %s.", err.Error())
	}
}

// typeError explains a field's wrong type; a number where a number is
// expected was a fraction for an integer or out of range.
func typeError(typ *json.UnmarshalTypeError) error {
	want := jsonType(typ.Type.Kind().String())
	switch {
	case !strings.HasPrefix(typ.Value, "number"):
	case want == "integer":
		return apperr.Invalidf(typ.Field, "The field %q must be a whole number between %d and %d.", typ.Field, math.MinInt64, math.MaxInt64)
	case want == "number":
		return apperr.Invalidf(typ.Field, "The field %q holds a number outside the range of a 64-bit floating-point number.", typ.Field)
	}
	return apperr.Invalidf(typ.Field, "The field %q must be of type %s.", typ.Field, want)
}

func jsonType(kind string) string {
	switch kind {
	case "slice", "array":
		return "array"
	case "map", "struct", "ptr":
		return "object"
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		return "integer"
	case "float64", "float32":
		return "number"
	case "bool":
		return "boolean"
	}
	return kind
}
