package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"businesstools/internal/apperr"
	"businesstools/internal/leads"
)

// FuzzDecodeLead feeds arbitrary bodies to the lead decoder and validation:
// they must never panic, refuse only with a client error (400/413, never an
// internal one), and what they accept must survive a round trip and be valid.
// `go test` runs the seeds; `go test -fuzz FuzzDecodeLead ./internal/rest` explores.
func FuzzDecodeLead(f *testing.F) {
	for _, s := range []string{
		`{"email":"ann@example.com"}`,
		`{"email":"Ann@Example.com","first_name":"Ann","last_name":"Lee","company":"Acme","phone":"+1","status":"won","source":"web","custom":{"a":[1,{"b":null}]}}`,
		`{"email":"x@example.com","custom":null}`,
		`{"email":"x@example.com","custom":[1]}`,
		`{"email":5}`,
		`{"status":"hot","email":"a@b.co"}`,
		`{"email":"a@b.co","extra":1}`,
		`{"email":"a@b.co"} {"email":"c@d.co"}`,
		`{"email":"a@b.co"`,
		`[]`, `null`, ``, `"x"`, `{"custom":{"\u0000":"\ud800"}}`,
		`{"email":"a@b.co","first_name":"` + strings.Repeat("é", 201) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeLead(bytes.NewReader(body))
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || (ae.Code != apperr.Invalid && ae.Code != apperr.TooLarge && ae.Code != apperr.Unprocessable) {
				t.Fatalf("decode error %v is not a client error", err)
			}
			return
		}
		var fields leads.Fields
		in.apply(&fields, true)
		if err := fields.Validate(); err != nil {
			if apperr.CodeOf(err) != apperr.Invalid || apperr.As(err).Field == "" {
				t.Fatalf("validation error %v does not name a field", err)
			}
			return
		}
		if !leads.ValidStatus(fields.Status) || fields.Email == "" {
			t.Fatalf("accepted an invalid lead %+v", fields)
		}
		// What was accepted encodes and decodes to the same lead.
		raw, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, err := decodeLead(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("re-decode %s: %v", raw, err)
		}
		if !reflect.DeepEqual(in, again) {
			t.Fatalf("round trip changed %+v into %+v", in, again)
		}
	})
}
