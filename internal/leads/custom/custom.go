// Package custom is the type of a lead's free-form custom fields: a JSON
// object whose numbers are kept as json.Number, so that they round-trip
// exactly (12345678901234567890 stays so; a float64 would round it).
package custom

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Object is a JSON object; its numbers, at any depth, are json.Number.
type Object map[string]any

// UnmarshalJSON decodes an object with UseNumber (null leaves o nil).
func (o *Object) UnmarshalJSON(b []byte) error {
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
