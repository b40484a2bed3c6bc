package templates

import (
	"testing"

	"businesstools/internal/apperr"
)

// Ensure HTML is escaped and subject and text are not.
func TestRenderEscapesHTMLOnly(t *testing.T) {
	got, err := Render(Content{Subject: "Hi {{.n}}", HTML: "<p>{{.n}}</p>", Text: "Hi {{.n}}"}, map[string]any{"n": "<b>&"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Hi <b>&" || got.Text != "Hi <b>&" || got.HTML != "<p>&lt;b&gt;&amp;</p>" {
		t.Fatalf("got %+v", got)
	}
}

// Ensure a missing variable is named, in each part.
func TestRenderMissingVariable(t *testing.T) {
	for part, c := range map[string]Content{
		"subject": {Subject: "{{.who}}"}, "html": {HTML: "<p>{{.who}}</p>"}, "text": {Text: "{{ .who }}"},
	} {
		_, err := Render(c, map[string]any{"other": 1})
		if e := apperr.As(err); e.Code != apperr.Unprocessable || e.Field != "variables.who" {
			t.Errorf("%s: got %v (%q)", part, err, e.Field)
		}
	}
}

// Ensure a part that does not parse is named with the parser's message.
func TestCheckParseErrors(t *testing.T) {
	for part, c := range map[string]Content{
		"subject": {Subject: "{{if}}"}, "html": {HTML: "{{.x"}, "text": {Text: "{{end}}"},
	} {
		err := Check(c)
		if e := apperr.As(err); e.Code != apperr.Unprocessable || e.Field != part || e.Message == "" {
			t.Errorf("%s: got %v", part, err)
		}
	}
	if err := Check(Content{Subject: "ok {{.a}}", HTML: "{{range .xs}}{{.}}{{end}}"}); err != nil {
		t.Fatal(err)
	}
}

// Ensure a subject rendered onto two lines is refused (header injection).
func TestRenderSubjectSingleLine(t *testing.T) {
	_, err := Render(Content{Subject: "{{.s}}", Text: "x"}, map[string]any{"s": "a\r\nBcc: x@example.com"})
	if e := apperr.As(err); e.Code != apperr.Unprocessable || e.Field != "subject" {
		t.Fatalf("got %v", err)
	}
}
