package templates

import (
	"fmt"
	"text/template/parse"

	"businesstools/internal/apperr"
)

// Bounds on the work one render can do. Ranges may only walk lists from the
// variables; with lists of at most MaxListLen items and ranges nested at most
// MaxRangeDepth deep, a render visits at most MaxListLen^MaxRangeDepth items.
const (
	MaxRangeDepth = 2
	MaxListLen    = 1000
)

// checkRangeDepth refuses a template set whose ranges nest deeper than
// MaxRangeDepth, counting ranges in the templates it calls. Call it after
// cycles are refused.
func checkRangeDepth(part string, trees map[string]*parse.Tree) error {
	memo := map[string]int{}
	for name := range trees {
		if d := treeDepth(name, trees, memo); d > MaxRangeDepth {
			return &apperr.Error{Code: apperr.Unprocessable, Field: part, Message: fmt.Sprintf(
				"The %s template is refused: ranges nest %d deep; at most %d are allowed.", part, d, MaxRangeDepth)}
		}
	}
	return nil
}

func treeDepth(name string, trees map[string]*parse.Tree, memo map[string]int) int {
	if d, ok := memo[name]; ok {
		return d
	}
	memo[name] = 0 // cycles were refused before; this only guards the recursion
	t, ok := trees[name]
	if !ok || t.Root == nil {
		return 0
	}
	d := nodeDepth(t.Root, trees, memo)
	memo[name] = d
	return d
}

func nodeDepth(n parse.Node, trees map[string]*parse.Tree, memo map[string]int) int {
	switch n := n.(type) {
	case *parse.ListNode:
		deepest := 0
		if n == nil {
			return 0
		}
		for _, m := range n.Nodes {
			deepest = max(deepest, nodeDepth(m, trees, memo))
		}
		return deepest
	case *parse.IfNode:
		return max(nodeDepth(n.List, trees, memo), nodeDepth(n.ElseList, trees, memo))
	case *parse.WithNode:
		return max(nodeDepth(n.List, trees, memo), nodeDepth(n.ElseList, trees, memo))
	case *parse.RangeNode:
		return max(1+nodeDepth(n.List, trees, memo), nodeDepth(n.ElseList, trees, memo))
	case *parse.TemplateNode:
		return treeDepth(n.Name, trees, memo)
	}
	return 0
}

// CheckVariables refuses variables holding a list longer than MaxListLen,
// the other half of the bound on a render's work. Errors: Unprocessable
// naming the variable.
func CheckVariables(vars map[string]any) error {
	for name, v := range vars {
		if err := checkValue("variables."+name, v); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(path string, v any) error {
	switch v := v.(type) {
	case []any:
		if len(v) > MaxListLen {
			return &apperr.Error{Code: apperr.Unprocessable, Field: path,
				Message: fmt.Sprintf("The list %s has %d items; at most %d are allowed.", path, len(v), MaxListLen)}
		}
		for i, e := range v {
			if err := checkValue(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range v {
			if err := checkValue(path+"."+k, e); err != nil {
				return err
			}
		}
	}
	return nil
}
