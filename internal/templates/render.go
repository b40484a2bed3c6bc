// Package templates stores an account's email templates and renders them:
// the subject and the text part with text/template, the HTML part with
// html/template (so variables are escaped). A template that does not parse is
// refused when it is saved; a variable missing when it is rendered is named.
package templates

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"regexp"
	"strings"
	texttemplate "text/template"
	"text/template/parse"

	"businesstools/internal/apperr"
	"businesstools/internal/text"
)

// Content is what a template holds (or what a rendered email carries).
type Content struct {
	Subject string
	HTML    string
	Text    string
}

// Check parses each part and returns an Unprocessable error naming the part
// ("subject", "html" or "text") that does not parse, with the parser's
// message; that uses what could run without bound (see checkTrees); or, for
// html, that html/template cannot escape (which would fail every send).
func Check(c Content) error {
	p, err := parseContent(c)
	if err != nil {
		return err
	}
	if err := p.checkTrees(); err != nil {
		return err
	}
	// Escaping happens on the first execution, before anything is written:
	// a writer that refuses the first byte stops the execution right after.
	// Errors other than escaping ones depend on the variables, which come later.
	var escErr *htmltemplate.Error
	if err := p.html.Execute(refuseWriter{}, nil); errors.As(err, &escErr) {
		return &apperr.Error{Code: apperr.Unprocessable, Field: "html",
			Message: "The html template cannot be escaped safely: " + escErr.Error() + "."}
	}
	return nil
}

// checkTrees checks each part's parse trees (see the function checkTrees).
func (p *parsed) checkTrees() error {
	for _, part := range []string{"subject", "html", "text"} {
		if err := checkTrees(part, p.trees(part)); err != nil {
			return err
		}
	}
	return nil
}

// trees are part's parse trees by template name.
func (p *parsed) trees(part string) map[string]*parse.Tree {
	switch part {
	case "subject":
		return textTrees(p.subject)
	case "html":
		return htmlTrees(p.html)
	}
	return textTrees(p.text)
}

func textTrees(t *texttemplate.Template) map[string]*parse.Tree {
	m := map[string]*parse.Tree{}
	for _, d := range t.Templates() {
		if d.Tree != nil {
			m[d.Name()] = d.Tree
		}
	}
	return m
}

func htmlTrees(t *htmltemplate.Template) map[string]*parse.Tree {
	m := map[string]*parse.Tree{}
	for _, d := range t.Templates() {
		if d.Tree != nil {
			m[d.Name()] = d.Tree
		}
	}
	return m
}

var errRefused = errors.New("refused")

type refuseWriter struct{}

func (refuseWriter) Write([]byte) (int, error) { return 0, errRefused }

// errTooLarge is what a cappedWriter returns once over its limit.
var errTooLarge = errors.New("rendered part too large")

// cappedWriter keeps at most MaxRenderedBytes.
type cappedWriter struct {
	b    strings.Builder
	over bool
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > MaxRenderedBytes {
		w.over = true
		return 0, errTooLarge
	}
	return w.b.Write(p)
}

// execute runs one part into a capped buffer.
// execute runs one part of p.
func (p *parsed) execute(part string, run func(io.Writer) error) (string, error) {
	var w cappedWriter
	if err := run(&w); err != nil {
		if w.over {
			return "", &apperr.Error{Code: apperr.Unprocessable, Field: part,
				Message: "The rendered " + part + " is larger than 1 MiB."}
		}
		return "", p.execError(part, err)
	}
	return w.b.String(), nil
}

type parsed struct {
	subject *texttemplate.Template
	html    *htmltemplate.Template
	text    *texttemplate.Template
}

func parseContent(c Content) (*parsed, error) {
	var p parsed
	var err error
	if p.subject, err = texttemplate.New("subject").Funcs(funcs).Option("missingkey=error").Parse(c.Subject); err != nil {
		return nil, parseError("subject", err)
	}
	if p.html, err = htmltemplate.New("html").Funcs(funcs).Option("missingkey=error").Parse(c.HTML); err != nil {
		return nil, parseError("html", err)
	}
	if p.text, err = texttemplate.New("text").Funcs(funcs).Option("missingkey=error").Parse(c.Text); err != nil {
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
	p, err := parseContent(c)
	if err != nil {
		return Content{}, err
	}
	if err := p.checkTrees(); err != nil { // templates saved before the checks
		return Content{}, err
	}
	if err := CheckVariables(vars); err != nil {
		return Content{}, err
	}
	if vars == nil {
		vars = map[string]any{}
	}
	var out Content
	if out.Subject, err = p.execute("subject", func(w io.Writer) error { return p.subject.Execute(w, vars) }); err != nil {
		return Content{}, err
	}
	if out.HTML, err = p.execute("html", func(w io.Writer) error { return p.html.Execute(w, vars) }); err != nil {
		return Content{}, err
	}
	if out.Text, err = p.execute("text", func(w io.Writer) error { return p.text.Execute(w, vars) }); err != nil {
		return Content{}, err
	}
	if strings.ContainsAny(out.Subject, "\r\n") || text.Len(out.Subject) > MaxSubjectLen {
		return Content{}, &apperr.Error{Code: apperr.Unprocessable, Field: "subject",
			Message: fmt.Sprintf("The rendered subject must be a single line of at most %d characters (it has %d).", MaxSubjectLen, text.Len(out.Subject))}
	}
	return out, nil
}

// missingKey matches text/template's and html/template's missingkey=error
// message; missingChain the field chain it was executing ("at <.a.b.c>").
var (
	missingKey   = regexp.MustCompile(`map has no entry for key "([^"]*)"`)
	missingChain = regexp.MustCompile(`at <(\$?(?:\.[\pL\pN_]+)+)>: map has no entry`)
)

// execError names a missing variable by its whole path (variables.a.b.c)
// when the chain starts at the variables ($.a.b.c, or .a.b.c where dot is
// the variables throughout the part: rootDot), else by the key that was
// missing.
func (p *parsed) execError(part string, err error) error {
	if m := missingKey.FindStringSubmatch(err.Error()); m != nil {
		name := m[1]
		if c := missingChain.FindStringSubmatch(err.Error()); c != nil {
			chain, dollar := strings.CutPrefix(c[1], "$")
			if (dollar || rootDot(p.trees(part))) && strings.HasSuffix(chain, "."+name) {
				name = chain[1:]
			}
		}
		return &apperr.Error{Code: apperr.Unprocessable, Field: "variables." + name,
			Message: "The template's " + part + " uses the variable \"" + name + "\", which the variables do not set."}
	}
	return &apperr.Error{Code: apperr.Unprocessable, Field: part,
		Message: "The " + part + " template could not be rendered: " + err.Error() + "."}
}

// rootDot reports whether dot is the variables everywhere in trees: one
// template, without range, with or template calls, which move dot.
func rootDot(trees map[string]*parse.Tree) bool {
	if len(trees) != 1 {
		return false
	}
	for _, t := range trees {
		return !movesDot(t.Root)
	}
	return false
}

func movesDot(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return false
		}
		for _, c := range n.Nodes {
			if movesDot(c) {
				return true
			}
		}
	case *parse.IfNode:
		return movesDot(n.List) || movesDot(n.ElseList)
	case *parse.RangeNode, *parse.WithNode, *parse.TemplateNode:
		return true
	}
	return false
}
