// Package custom is the type of a lead's free-form custom fields: a JSON
// object whose numbers are kept as json.Number, so that they round-trip
// exactly (12345678901234567890 stays so; a float64 would round it).
package custom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"businesstools/internal/apperr"
)

// MaxDepth is how deeply objects and arrays may nest in custom, the custom
// object itself counting as 1: deeper documents only cost work to store,
// read and render.
const MaxDepth = 10

// Object is a JSON object; its numbers, at any depth, are json.Number.
type Object map[string]any

// UnmarshalJSON decodes an object with UseNumber (null leaves o nil).
// Errors: Unprocessable naming "custom" when it nests deeper than MaxDepth.
func (o *Object) UnmarshalJSON(b []byte) error {
	if depth(b) > MaxDepth {
		return &apperr.Error{Code: apperr.Unprocessable, Field: "custom",
			Message: fmt.Sprintf("custom nests objects and arrays more than %d levels deep.", MaxDepth)}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("custom: more than one JSON value")
	}
	*o = m
	return nil
}

// depth is the deepest nesting of objects and arrays in the JSON text b,
// counted without decoding it (brackets inside strings do not count).
func depth(b []byte) int {
	d, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			d++
			deepest = max(deepest, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return deepest
}
