package templates

import (
	"strings"
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

// Ensure a missing nested variable is named by its whole path where the
// template's dot is the variables (or the chain starts at $), and by the
// missing key where range or with moved dot.
func TestRenderMissingVariablePath(t *testing.T) {
	vars := map[string]any{"x": map[string]any{"y": map[string]any{}}, "items": []any{map[string]any{"nam": "b"}}}
	for tpl, want := range map[string]string{
		"{{.x.y.z}}":                         "variables.x.y.z",
		"{{if .x}}{{.x.y.z}}{{end}}":         "variables.x.y.z",
		"{{.x.y.zé}}":                        "variables.x.y.zé",
		"{{range .items}}{{$.x.y.z}}{{end}}": "variables.x.y.z",
		"{{range .items}}{{.name}}{{end}}":   "variables.name",
		"{{with .x}}{{.y.z}}{{end}}":         "variables.z",
		"{{.missing}}":                       "variables.missing",
	} {
		for part, c := range map[string]Content{"subject": {Subject: tpl}, "html": {HTML: tpl}, "text": {Text: tpl}} {
			_, err := Render(c, vars)
			if e := apperr.As(err); e.Code != apperr.Unprocessable || e.Field != want {
				t.Errorf("%s %s: field %q (%v), want %q", part, tpl, e.Field, err, want)
			}
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

// Ensure what could run without bound is refused when a template is saved.
func TestCheckRefusesUnboundedTemplates(t *testing.T) {
	for name, c := range map[string]Content{
		"RangeLiteral":      {Text: "{{range 400000}}x{{end}}"},
		"RangeNested":       {Text: "{{range 3000}}{{range 3000}}{{end}}{{end}}"},
		"RangeDeclLiteral":  {Text: "{{range $i := 5}}{{$i}}{{end}}"},
		"RangeParenLiteral": {Text: "{{range (5)}}{{end}}"},
		"RangeVariable":     {Text: "{{$n := 100000}}{{range $n}}{{end}}"},
		"RangeAssigned":     {Text: "{{$n := .x}}{{$n = 7}}{{range $n}}{{end}}"},
		"RangeLen":          {Text: "{{range len .s}}{{end}}"},
		"RangeIndexVar":     {Text: "{{range $i, $e := .xs}}{{range $i}}{{end}}{{end}}"},
		"RangeDotFromWith":  {Text: "{{with 9}}{{range .}}{{end}}{{end}}"},
		"TemplateNumber":    {Text: `{{define "a"}}{{range .}}{{end}}{{end}}{{template "a" 99999}}`},
		"Recursion":         {Text: `{{define "a"}}{{template "a"}}{{template "a"}}{{end}}{{template "a"}}`},
		"MutualRecursion":   {Text: `{{define "a"}}{{template "b"}}{{end}}{{define "b"}}{{template "a"}}{{end}}x`},
		"PrintfWidth":       {Text: `{{printf "%999999999d" 1}}`},
		"PrintfPrecision":   {Text: `{{printf "%.5000f" 1.0}}`},
		"PrintfStar":        {Text: `{{printf "%*d" 99999 1}}`},
		"PrintfInPipe":      {Text: `{{.x | printf "%2000s"}}`},
		"PrintfNested":      {Text: `{{len (printf "%9999s" .x)}}`},
	} {
		err := Check(c)
		if e := apperr.As(err); e.Code != apperr.Unprocessable || e.Field != "text" || e.Message == "" {
			t.Errorf("%s: got %v", name, err)
		}
	}
	for part, c := range map[string]Content{
		"subject": {Subject: "{{range 5}}{{end}}"}, "html": {HTML: "<p>{{range 5}}x{{end}}</p>"},
	} {
		if e := apperr.As(Check(c)); e.Code != apperr.Unprocessable || e.Field != part {
			t.Errorf("%s: got %v", part, e)
		}
	}
	for _, ok := range []string{
		"{{range .xs}}{{.}}{{end}}", "{{range $i, $e := .xs}}{{$i}} {{$e}}{{end}}", `{{printf "%05.2f %-10s %[1]v %%" .a .b}}`,
		`{{define "row"}}<{{.}}>{{end}}{{range .xs}}{{template "row" .}}{{end}}`, "{{if gt (len .xs) 3}}many{{end}}",
	} {
		if err := Check(Content{Text: ok}); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
}

// Ensure a printf format built at render time is checked then.
func TestRenderRefusesHugePrintfWidth(t *testing.T) {
	_, err := Render(Content{Text: "{{printf .f 1}}"}, map[string]any{"f": "%999999999d"})
	if e := apperr.As(err); e.Code != apperr.Unprocessable || e.Field != "text" {
		t.Fatalf("got %v", err)
	}
}

// Ensure each rendered part is capped at 1 MiB.
func TestRenderCapsEachPart(t *testing.T) {
	big := make([]any, MaxListLen)
	line := "<p>" + strings.Repeat("x", 1100) + "</p>"
	for part, c := range map[string]Content{
		"subject": {Subject: "{{range .xs}}" + strings.Repeat("x", 1100) + "{{end}}", Text: "x"},
		"html":    {HTML: "{{range .xs}}" + line + "{{end}}"},
		"text":    {Text: "{{range .xs}}" + line + "{{end}}"},
	} {
		_, err := Render(c, map[string]any{"xs": big})
		e := apperr.As(err)
		if e.Code != apperr.Unprocessable || e.Field != part || e.Message != "The rendered "+part+" is larger than 1 MiB." {
			t.Errorf("%s: got %v (%q)", part, err, e.Field)
		}
	}
	if _, err := Render(Content{Text: "{{range .xs}}x{{end}}"}, map[string]any{"xs": big}); err != nil {
		t.Fatal(err)
	}
}

// Ensure an HTML template html/template cannot escape is refused when saved.
func TestCheckRefusesUnescapableHTML(t *testing.T) {
	for _, h := range []string{`<a href="{{if .x}}">{{end}}</a>`, `<script>{{.x}}`, `<a href="{{.x}}`} {
		err := Check(Content{HTML: h})
		if e := apperr.As(err); e.Code != apperr.Unprocessable || e.Field != "html" || !strings.Contains(e.Message, "escape") {
			t.Errorf("%q: got %v", h, err)
		}
	}
	// Variables that are missing or of any shape are the send's business.
	for _, h := range []string{`<a href="{{.url}}">{{.a.b.c}}</a>`, `{{index .xs 3}}`, `<p>{{range .xs}}{{.}}{{end}}</p>`} {
		if err := Check(Content{HTML: h}); err != nil {
			t.Errorf("%q refused: %v", h, err)
		}
	}
}
