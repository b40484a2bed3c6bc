package templates_test

import (
	"testing"

	"businesstools/internal/apperr"
	"businesstools/internal/templates"
)

// Ensure ranges nest at most MaxRangeDepth deep, counting called templates,
// and that variables' lists are bounded: together they bound a render's work.
func TestRangeDepthAndListLength(t *testing.T) {
	ok := templates.Content{Subject: "s", Text: `{{range .orders}}{{range .items}}{{.}}{{end}}{{end}}`}
	if err := templates.Check(ok); err != nil {
		t.Fatalf("two nested ranges refused: %v", err)
	}
	deep := map[string]string{
		"Inline":  `{{range .a}}{{range .b}}{{range .c}}x{{end}}{{end}}{{end}}`,
		"Through": `{{define "inner"}}{{range .c}}x{{end}}{{end}}{{range .a}}{{range .b}}{{template "inner" .}}{{end}}{{end}}`,
	}
	for name, text := range deep {
		err := templates.Check(templates.Content{Subject: "s", Text: text})
		if ae := apperr.As(err); ae.Code != apperr.Unprocessable || ae.Field != "text" {
			t.Errorf("%s: err = %v, want unprocessable on text", name, err)
		}
	}
	long := make([]any, templates.MaxListLen+1)
	_, err := templates.Render(ok, map[string]any{"orders": []any{map[string]any{"items": long}}})
	if ae := apperr.As(err); ae.Code != apperr.Unprocessable || ae.Field != "variables.orders[0].items" {
		t.Fatalf("long list: err = %v (field %q)", err, ae.Field)
	}
	if _, err := templates.Render(ok, map[string]any{"orders": []any{map[string]any{"items": []any{1, 2}}}}); err != nil {
		t.Fatalf("short lists refused: %v", err)
	}
}
