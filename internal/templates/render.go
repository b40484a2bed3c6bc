// Package templates stores an account's email templates and renders them:
// the subject and the text part with text/template, the HTML part with
// html/template (so variables are escaped). A template that does not parse is
// refused when it is saved; a variable missing when it is rendered is named.
package templates

import (
	htmltemplate "html/template"
	"regexp"
	"strings"
	texttemplate "text/template"

	"businesstools/internal/apperr"
)

// Content is what a template holds (or what a rendered email carries).
type Content struct {
	Subject string
	HTML    string
	Text    string
}

// Check parses each part and returns an Unprocessable error naming the part
// ("subject", "html" or "text") that does not parse, with the parser's message.
func Check(c Content) error {
	_, err := parse(c)
	return err
}

type parsed struct {
	subject *texttemplate.Template
	html    *htmltemplate.Template
	text    *texttemplate.Template
}

func parse(c Content) (*parsed, error) {
	var p parsed
	var err error
	if p.subject, err = texttemplate.New("subject").Option("missingkey=error").Parse(c.Subject); err != nil {
		return nil, parseError("subject", err)
	}
	if p.html, err = htmltemplate.New("html").Option("missingkey=error").Parse(c.HTML); err != nil {
		return nil, parseError("html", err)
	}
	if p.text, err = texttemplate.New("text").Option("missingkey=error").Parse(c.Text); err != nil {
		return nil, parseError("text", err)
	}
	return &p, nil
}

func parseError(field string, err error) error {
	return &apperr.Error{Code: apperr.Unprocessable, Field: field,
		Message: "The " + field + " template does not parse: " + err.Error() + "."}
}

// Render executes the template with vars. A variable the template uses but
// vars lacks is an Unprocessable error whose field is "variables.NAME"; any
// other execution error is Unprocessable naming the part.
func Render(c Content, vars map[string]any) (Content, error) {
	p, err := parse(c)
	if err != nil {
		return Content{}, err
	}
	if vars == nil {
		vars = map[string]any{}
	}
	var out Content
	var b strings.Builder
	if err := p.subject.Execute(&b, vars); err != nil {
		return Content{}, execError("subject", err)
	}
	out.Subject = b.String()
	b.Reset()
	if err := p.html.Execute(&b, vars); err != nil {
		return Content{}, execError("html", err)
	}
	out.HTML = b.String()
	b.Reset()
	if err := p.text.Execute(&b, vars); err != nil {
		return Content{}, execError("text", err)
	}
	out.Text = b.String()
	if strings.ContainsAny(out.Subject, "\r\n") {
		return Content{}, &apperr.Error{Code: apperr.Unprocessable, Field: "subject",
			Message: "The rendered subject must be a single line."}
	}
	return out, nil
}

// missingKey matches text/template's and html/template's missingkey=error message.
var missingKey = regexp.MustCompile(`map has no entry for key "([^"]*)"`)

func execError(part string, err error) error {
	if m := missingKey.FindStringSubmatch(err.Error()); m != nil {
		return &apperr.Error{Code: apperr.Unprocessable, Field: "variables." + m[1],
			Message: "The template's " + part + " uses the variable \"" + m[1] + "\", which the variables do not set."}
	}
	return &apperr.Error{Code: apperr.Unprocessable, Field: part,
		Message: "The " + part + " template could not be rendered: " + err.Error() + "."}
}
