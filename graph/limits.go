package graph

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits on a GraphQL document (DESIGN.md section 7), checked before gqlgen
// parses and validates it: validation work grows with the document after
// fragment expansion, and superlinearly (overlapping-field checks compare
// fields pairwise), so a 1.4 KB document of doubling fragments could
// otherwise hold a CPU for ever. The counts are of the document with every
// fragment spread expanded, which is what validation and execution walk.
// The SPA's largest operation uses a few dozen fields; a full introspection
// query about 400.
const (
	MaxDocumentBytes  = 64 << 10
	MaxDocumentTokens = 5000
	MaxFields         = 2000 // field selections after expansion
	MaxAliases        = 200  // aliased fields after expansion
	MaxFragments      = 500  // fragment spreads and inline fragments after expansion
	MaxDirectives     = 200  // directives after expansion
	MaxRepeats        = 20   // fields merged into one response path
)

// checkDocument refuses a document that is too large, holds a bad string
// literal or would expand beyond the limits. A document that does not parse
// passes: gqlgen's parser then reports where.
func checkDocument(query string) *gqlerror.Error {
	if len(query) > MaxDocumentBytes {
		return refuse("query", "The document is %d bytes; the limit is %d.", len(query), MaxDocumentBytes)
	}
	if err := scanTokens(query); err != nil {
		return err
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil
	}
	return checkExpansion(doc)
}

// scanTokens counts the document's tokens (stopping one past the limit) and
// checks each string literal: no NUL, no lone surrogate escape. A string's
// field is the name before the last colon, the argument or input field it
// is given to.
func scanTokens(query string) *gqlerror.Error {
	lex := lexer.New(&ast.Source{Input: query})
	var prev lexer.Token
	field := ""
	cur := runeCursor{s: query}
	for n := 0; ; n++ {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return nil // the parser reports lexical errors
		}
		if n == MaxDocumentTokens {
			return refuse("query", "The document has more than %d tokens.", MaxDocumentTokens)
		}
		switch tok.Kind {
		case lexer.Colon:
			if prev.Kind == lexer.Name {
				field = prev.Value
			}
		case lexer.String, lexer.BlockString:
			if containsNUL(tok.Value) {
				return refuse(field, "%s contains a NUL character.", orQuery(field))
			}
			// The lexer decodes a lone surrogate escape to U+FFFD, as it
			// does a real U+FFFD: only the source tells them apart.
			if tok.Kind == lexer.String && containsReplacement(tok.Value) {
				start, end := cur.byteAt(tok.Pos.Start), cur.byteAt(tok.Pos.End)
				if loneSurrogateAt(query[start:end], true) >= 0 {
					return refuse(field, "%s is not valid UTF-8 text.", orQuery(field))
				}
			}
		}
		prev = tok
	}
}

func containsReplacement(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError {
			return true
		}
	}
	return false
}

func orQuery(field string) string {
	if field == "" {
		return "A string in the document"
	}
	return field
}

// runeCursor turns the lexer's rune offsets into byte offsets, moving
// forward only, so a whole document costs one pass.
type runeCursor struct {
	s           string
	bytes, runs int
}

func (c *runeCursor) byteAt(runeOffset int) int {
	for c.runs < runeOffset && c.bytes < len(c.s) {
		_, n := utf8.DecodeRuneInString(c.s[c.bytes:])
		c.bytes += n
		c.runs++
	}
	return c.bytes
}

// expansion counts what a selection set amounts to once every fragment
// spread is replaced by its fragment. Counts saturate instead of overflowing
// (forty levels of doubling fragments is 2^40 fields).
type expansion struct{ fields, aliases, fragments, directives int }

func (e expansion) plus(o expansion) expansion {
	return expansion{sat(e.fields, o.fields), sat(e.aliases, o.aliases), sat(e.fragments, o.fragments), sat(e.directives, o.directives)}
}

func sat(a, b int) int { return int(min(int64(a)+int64(b), math.MaxInt32)) }

// checkExpansion refuses a document whose expansion is over a limit. It
// first sums the expansion of every operation and every fragment definition
// (validation visits each), measuring each fragment once, so that costs
// about the document's size whatever it expands to. Within the limits the
// expanded document is small enough to walk: then no response path (e.g.
// apiKeys.edges.node.id) may be selected more than MaxRepeats times, since
// validation compares the fields merged into one path pairwise, and the
// fields under each pair again.
func checkExpansion(doc *ast.QueryDocument) *gqlerror.Error {
	m := expander{doc: doc, done: map[string]expansion{}, active: map[string]bool{}}
	var total expansion
	for _, op := range doc.Operations {
		total = total.plus(m.set(op.SelectionSet)).plus(expansion{directives: len(op.Directives)})
	}
	for _, f := range doc.Fragments {
		total = total.plus(m.fragment(f.Name))
	}
	if m.cycle != "" {
		return refuse("query", "Fragment %s spreads itself.", m.cycle)
	}
	for _, l := range []struct {
		what       string
		got, limit int
	}{
		{"fields", total.fields, MaxFields},
		{"aliases", total.aliases, MaxAliases},
		{"fragments", total.fragments, MaxFragments},
		{"directives", total.directives, MaxDirectives},
	} {
		if l.got > l.limit {
			return refuse("query", "With its fragments expanded the document has %s %s; the limit is %d.", atLeast(l.got), l.what, l.limit)
		}
	}
	p := pathCounter{doc: doc, counts: map[string]int{}}
	for i, op := range doc.Operations {
		p.walk(op.SelectionSet, strconv.Itoa(i))
	}
	for _, f := range doc.Fragments {
		p.walk(f.SelectionSet, "fragment "+f.Name)
	}
	if p.most > MaxRepeats {
		return refuse("query", "%s is selected %d times; the limit is %d.", p.path, p.most, MaxRepeats)
	}
	return nil
}

func atLeast(n int) string {
	if n == math.MaxInt32 {
		return "over 2 billion"
	}
	return strconv.Itoa(n)
}

type expander struct {
	doc    *ast.QueryDocument
	done   map[string]expansion
	active map[string]bool
	cycle  string
}

func (m *expander) set(set ast.SelectionSet) expansion {
	var e expansion
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			e = e.plus(expansion{fields: 1, directives: len(s.Directives)})
			if s.Alias != "" && s.Alias != s.Name {
				e.aliases = sat(e.aliases, 1)
			}
			e = e.plus(m.set(s.SelectionSet))
		case *ast.InlineFragment:
			e = e.plus(expansion{fragments: 1, directives: len(s.Directives)}).plus(m.set(s.SelectionSet))
		case *ast.FragmentSpread:
			e = e.plus(expansion{fragments: 1, directives: len(s.Directives)}).plus(m.fragment(s.Name))
		}
	}
	return e
}

func (m *expander) fragment(name string) expansion {
	if e, ok := m.done[name]; ok {
		return e
	}
	if m.active[name] {
		if m.cycle == "" {
			m.cycle = name
		}
		return expansion{}
	}
	def := m.doc.Fragments.ForName(name)
	if def == nil {
		return expansion{} // validation reports the unknown fragment
	}
	m.active[name] = true
	e := m.set(def.SelectionSet).plus(expansion{directives: len(def.Directives)})
	delete(m.active, name)
	m.done[name] = e
	return e
}

// pathCounter counts the fields merged into each response path of the
// expanded document (checkExpansion has bounded its size and ruled out
// fragment cycles).
type pathCounter struct {
	doc    *ast.QueryDocument
	counts map[string]int
	most   int
	path   string
}

func (p *pathCounter) walk(set ast.SelectionSet, prefix string) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			path := prefix + "." + name
			p.counts[path]++
			if n := p.counts[path]; n > p.most {
				p.most, p.path = n, path[strings.IndexByte(path, '.')+1:]
			}
			p.walk(s.SelectionSet, path)
		case *ast.InlineFragment:
			p.walk(s.SelectionSet, prefix)
		case *ast.FragmentSpread:
			if def := p.doc.Fragments.ForName(s.Name); def != nil {
				p.walk(def.SelectionSet, prefix)
			}
		}
	}
}
