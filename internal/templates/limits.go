package templates

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template/parse"

	"businesstools/internal/apperr"
)

// Limits that keep a template from burning unbounded CPU or memory.
const (
	// MaxRenderedBytes is the largest rendered part (subject, html, text).
	MaxRenderedBytes = 1 << 20
	// MaxFormatWidth is the largest width or precision a printf verb may ask for.
	MaxFormatWidth = 1000
	// MaxSubjectLen is the longest subject, as written and as rendered, in
	// characters: a mail header line holds 998 (RFC 5322 section 2.1.1).
	MaxSubjectLen = 998
)

// funcs replace the formatting builtins with versions that refuse huge
// widths and precisions (a format built at render time is checked there).
var funcs = map[string]any{"printf": safePrintf}

func safePrintf(format string, args ...any) (string, error) {
	if err := checkFormat(format); err != nil {
		return "", err
	}
	return fmt.Sprintf(format, args...), nil
}

// checkFormat refuses a format with a width or precision over
// MaxFormatWidth, or one taken from an argument (*).
func checkFormat(format string) error {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
	directive:
		for i++; i < len(format); i++ {
			c := format[i]
			switch {
			case c == '*':
				return errors.New("printf widths and precisions taken from an argument (*) are not allowed")
			case c == '[': // an explicit argument index is not a width
				if j := strings.IndexByte(format[i:], ']'); j >= 0 {
					i += j
				}
			case c >= '1' && c <= '9':
				j := i
				for j < len(format) && format[j] >= '0' && format[j] <= '9' {
					j++
				}
				if n, err := strconv.Atoi(format[i:j]); err != nil || n > MaxFormatWidth {
					return fmt.Errorf("printf widths and precisions may be at most %d (got %s)", MaxFormatWidth, format[i:j])
				}
				i = j - 1
			case strings.IndexByte("+-# 0.", c) >= 0:
			default: // the verb (or %%) ends the directive
				break directive
			}
		}
	}
	return nil
}

// checkTrees refuses, in every template of a part's set, what could run for
// hours or without bound once executed: a range over a number (a literal,
// len, or a variable or dot holding one), a printf format with a huge width,
// and templates that call themselves.
func checkTrees(part string, trees map[string]*parse.Tree) error {
	c := checker{ints: map[string]bool{}}
	// Which variables hold numbers is gathered first, over every template
	// (flow-insensitively: one assignment of a number taints the name).
	for {
		n := len(c.ints)
		for _, t := range trees {
			c.gather(t.Root)
		}
		if len(c.ints) == n {
			break
		}
	}
	calls := map[string][]string{}
	for name, t := range trees {
		c.calls = nil
		if err := c.walk(t.Root, false); err != nil {
			return &apperr.Error{Code: apperr.Unprocessable, Field: part,
				Message: "The " + part + " template is refused: " + err.Error() + "."}
		}
		calls[name] = c.calls
	}
	if name := cycle(calls); name != "" {
		return &apperr.Error{Code: apperr.Unprocessable, Field: part,
			Message: "The " + part + " template is refused: the template " + strconv.Quote(name) + " calls itself."}
	}
	return checkRangeDepth(part, trees)
}

type checker struct {
	ints  map[string]bool // variables that may hold an integer
	calls []string        // templates the walked tree calls
}

// gather marks the variables declared or assigned from an integer, and the
// index variable of a two-variable range.
func (c *checker) gather(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, m := range n.Nodes {
			c.gather(m)
		}
	case *parse.ActionNode:
		c.gatherPipe(n.Pipe, false)
	case *parse.IfNode:
		c.gatherBranch(&n.BranchNode, false)
	case *parse.WithNode:
		c.gatherBranch(&n.BranchNode, false)
	case *parse.RangeNode:
		c.gatherBranch(&n.BranchNode, true)
	case *parse.TemplateNode:
		c.gatherPipe(n.Pipe, false)
	}
}

func (c *checker) gatherBranch(b *parse.BranchNode, isRange bool) {
	c.gatherPipe(b.Pipe, isRange)
	c.gather(b.List)
	c.gather(b.ElseList)
}

func (c *checker) gatherPipe(p *parse.PipeNode, isRange bool) {
	if p == nil {
		return
	}
	if isRange && len(p.Decl) == 2 {
		c.ints[p.Decl[0].Ident[0]] = true
	} else if !isRange && len(p.Decl) > 0 && c.isInt(p) {
		c.ints[p.Decl[0].Ident[0]] = true
	}
	for _, cmd := range p.Cmds {
		for _, a := range cmd.Args {
			if sub, ok := a.(*parse.PipeNode); ok {
				c.gatherPipe(sub, false)
			}
		}
	}
}

// isInt reports whether a pipeline may yield an integer.
func (c *checker) isInt(p *parse.PipeNode) bool {
	if p == nil || len(p.Cmds) == 0 {
		return false
	}
	last := p.Cmds[len(p.Cmds)-1]
	switch a := last.Args[0].(type) {
	case *parse.NumberNode:
		return true
	case *parse.IdentifierNode:
		return a.Ident == "len"
	case *parse.VariableNode:
		return len(a.Ident) == 1 && c.ints[a.Ident[0]]
	case *parse.PipeNode:
		return len(last.Args) == 1 && c.isInt(a)
	}
	return false
}

// walk checks a tree; dotInt says whether dot may hold an integer.
func (c *checker) walk(n parse.Node, dotInt bool) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, m := range n.Nodes {
			if err := c.walk(m, dotInt); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return c.pipe(n.Pipe)
	case *parse.IfNode:
		return c.branch(&n.BranchNode, dotInt, dotInt)
	case *parse.WithNode:
		return c.branch(&n.BranchNode, c.isInt(n.Pipe) || dotInt && isDot(n.Pipe), dotInt)
	case *parse.RangeNode:
		if c.isInt(n.Pipe) || dotInt && isDot(n.Pipe) {
			return fmt.Errorf("range over a number (%s) is not allowed; range over a list from the variables", n.Pipe)
		}
		return c.branch(&n.BranchNode, false, dotInt)
	case *parse.TemplateNode:
		if c.isInt(n.Pipe) || dotInt && isDot(n.Pipe) {
			return fmt.Errorf("passing a number to a template (%s) is not allowed", n)
		}
		c.calls = append(c.calls, n.Name)
		return c.pipe(n.Pipe)
	}
	return nil
}

func (c *checker) branch(b *parse.BranchNode, listDotInt, elseDotInt bool) error {
	if err := c.pipe(b.Pipe); err != nil {
		return err
	}
	if err := c.walk(b.List, listDotInt); err != nil {
		return err
	}
	return c.walk(b.ElseList, elseDotInt)
}

// pipe checks the printf calls of a pipeline whose format is a literal.
func (c *checker) pipe(p *parse.PipeNode) error {
	if p == nil {
		return nil
	}
	for _, cmd := range p.Cmds {
		if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok && id.Ident == "printf" && len(cmd.Args) > 1 {
			if s, ok := cmd.Args[1].(*parse.StringNode); ok {
				if err := checkFormat(s.Text); err != nil {
					return err
				}
			}
		}
		for _, a := range cmd.Args {
			if sub, ok := a.(*parse.PipeNode); ok {
				if err := c.pipe(sub); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func isDot(p *parse.PipeNode) bool {
	if p == nil || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	_, ok := p.Cmds[0].Args[0].(*parse.DotNode)
	return ok
}

// cycle returns a template that can reach itself through template calls, or "".
func cycle(calls map[string][]string) string {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var visit func(string) string
	visit = func(name string) string {
		switch state[name] {
		case active:
			return name
		case done:
			return ""
		}
		state[name] = active
		for _, callee := range calls[name] {
			if found := visit(callee); found != "" {
				return found
			}
		}
		state[name] = done
		return ""
	}
	for name := range calls {
		if found := visit(name); found != "" {
			return found
		}
	}
	return ""
}
