// Package scalar holds the GraphQL scalars whose input coercion gqlgen's
// defaults make looser than the specification or explain in Go's words:
// ID (gqlgen's IntID answered "strconv.Atoi: parsing …") and String
// (gqlgen's accepted 5 or true and turned them into text).
package scalar

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalID writes an id as a string, as GraphQL IDs are serialized.
func MarshalID(id int) graphql.Marshaler { return graphql.MarshalIntID(id) }

// errID says what an ID is without repeating the value sent.
var errID = errors.New("not a valid ID: use an id this API returned")

// UnmarshalID reads an ID sent as a string of decimal digits or, as the
// specification allows for ID inputs, as an integer.
func UnmarshalID(v any) (int, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = string(v)
	case int:
		return v, nil
	case int64:
		if int64(int(v)) == v {
			return int(v), nil
		}
		return 0, errID
	default:
		return 0, errID
	}
	id, err := strconv.Atoi(s)
	if err != nil {
		return 0, errID
	}
	return id, nil
}

// MarshalString writes a string.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString accepts a string only: the specification's String input
// coercion refuses numbers and booleans rather than converting them.
func UnmarshalString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("must be a string, not %s", kindOf(v))
}

func kindOf(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case int, int64, float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "another type"
}
