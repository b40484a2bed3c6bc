package rest

import (
	"strings"
	"testing"

	"businesstools/internal/apperr"
)

// Ensure checkJSONText finds every string that is not valid text — values
// and keys, at any depth, raw or escaped — names its field, and lets valid
// text (escaped surrogate pairs, an escaped backslash before "u0000") and
// malformed JSON (the decoder's to report) through.
func TestCheckJSONText(t *testing.T) {
	for body, field := range map[string]string{
		`{"email":"a\u0000b"}`:                          "email",
		"{\"email\":\"a\xffb\"}":                        "email",
		`{"email":"\ud800"}`:                            "email",
		`{"email":"\udc00x"}`:                           "email",
		`{"email":"\ud800\u0041"}`:                      "email",
		`{"to":["a@b.co","x\u0000"]}`:                   "to[1]",
		`{"custom":{"a":{"b":[1,{"c":"\u0000"}]}}}`:     "custom.a.b[1].c",
		`{"custom":{"a\u0000":1}}`:                      "custom",
		`{"variables":{"x":1,"y":{"\uDBFF":2}}}`:        "variables.y",
		`{"a":1,"b":[{},[],"ok"],"c":"\u0000"}`:         "c",
		`{"\u0000":1}`:                                  "",
		`{"name":"x","html":"<b>\u0000</b>","text":""}`: "html",
	} {
		err := checkJSONText([]byte(body))
		ae, ok := err.(*apperr.Error)
		if !ok || ae.Code != apperr.Invalid || ae.Field != field {
			t.Errorf("%s: got %v (field %q), want Invalid naming %q", body, err, fieldOf(err), field)
		}
	}
	for _, body := range []string{
		`{"email":"ann@example.com","custom":{"emoji":"😀","pair":"\ud83d\ude00","bs":"\\u0000","k":"\u00e9"}}`,
		`{"email":"a\u0000`, `{"email":"\ud8`, `not json`, ``, `[1,2,"x"]`, `"\u0041"`,
	} {
		if err := checkJSONText([]byte(body)); err != nil {
			t.Errorf("%s: refused: %v", body, err)
		}
	}
}

func fieldOf(err error) string {
	if ae, ok := err.(*apperr.Error); ok {
		return ae.Field
	}
	return ""
}

// BenchmarkCheckJSONText measures the text check on a body near the 1 MiB
// limit: all ASCII (the fast path), and full of \u escapes (the walk).
func BenchmarkCheckJSONText(b *testing.B) {
	plain := []byte(`{"email":"a@b.co","custom":{"k":"` + strings.Repeat("abcdefgh", 120_000) + `"}}`)
	escaped := []byte(`{"email":"a@b.co","custom":{"k":"` + strings.Repeat(`\u00e9`, 150_000) + `"}}`)
	for name, body := range map[string][]byte{"plain": plain, "escaped": escaped} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := checkJSONText(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
