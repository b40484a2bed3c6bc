// Package custom is the type of a lead's free-form custom fields: a JSON
// object whose numbers are kept as json.Number, so that they round-trip
// exactly (12345678901234567890 stays so; a float64 would round it).
package custom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

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
	if err := checkNumbers(m, "custom"); err != nil {
		return err
	}
	*o = m
	return nil
}

// checkNumbers refuses numbers beyond a double's range (1e400): valid JSON,
// but most clients read them as Infinity or fail (RFC 8259 section 6).
// Exact large integers and tiny fractions stay as sent: they read back as
// the nearest double at worst.
func checkNumbers(v any, path string) error {
	switch v := v.(type) {
	case json.Number:
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			return &apperr.Error{Code: apperr.Unprocessable, Field: path,
				Message: path + " is a number outside the range of a 64-bit floating-point number (about ±1.8e308)."}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) { // the first bad one, the same each time
			if err := checkNumbers(v[k], path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := checkNumbers(e, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	}
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
