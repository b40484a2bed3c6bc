package keysearch

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"businesstools/ent"
	"businesstools/ent/apikey"
	"businesstools/ent/predicate"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// Window is how many keys, in the list's order from the page's position, a
// name search reads before it concludes that the term is rare.
const Window = 4000

// MatchCap is how many matches of a rare term a name search collects from
// the trigram index at most.
const MatchCap = 2000

// Searcher plans name searches of the key list on PostgreSQL. Left to
// itself the planner must guess how many names match a term, and a wrong
// guess costs seconds at a million keys: walking the list's order index for
// a rare term reads nearly every key; collecting a common term's matches
// from the trigram index and sorting them reads tens of thousands. The
// Searcher looks instead, with work bounded whatever the term:
//
//  1. it reads the next Window keys of the page's order (an index walk) and
//     tests the whole filter on them: when a page's worth match, or the
//     list ends, the page is among those keys;
//  2. when at least a third of a page matched, the list is walked without
//     the window: at that density a page takes about three windows;
//  3. otherwise the term is rare here; it collects up to MatchCap+1 keys
//     matching the name from the trigram index (db.NameMatchesFunc), and
//     when there are at most MatchCap the page is among those;
//  4. otherwise the term is rare near the page but common further on (at
//     least one key in N/MatchCap matches): the list is walked, as in 2.
//
// The page itself is still read by entgql's Paginate, restricted to the ids
// found, so cursors, order and pageInfo stay entgql's.
type Searcher struct {
	sql              *stdsql.DB
	window, matchCap int
	trace            func(step int) // tests: which step found the page
}

// New returns the Searcher of d, or nil on SQLite (which has no trigram
// index; a nil Searcher plans nothing).
func New(d *db.DB) *Searcher {
	if d == nil || !d.IsPostgres() {
		return nil
	}
	return &Searcher{sql: d.SQL, window: Window, matchCap: MatchCap}
}

// Page is the connection's arguments, as the resolver passes them to Paginate.
type Page struct {
	After, Before *entgql.Cursor[int]
	First, Last   *int
	Order         *ent.ApiKeyOrder
}

// Plan rewrites w's top-level nameContainsFold (one of MinContainsLen
// characters or more; see ShortTermsAsPrefix) into predicates that make the
// page query cheap. Terms inside and/or/not are left to the planner.
func (s *Searcher) Plan(ctx context.Context, w *ent.ApiKeyWhereInput, p Page) error {
	if s == nil || w == nil || w.NameContainsFold == nil || p.Order == nil {
		return nil
	}
	account, ok := tenant.AccountID(ctx)
	column := orderColumn(p.Order)
	if !ok || column == "" {
		return nil
	}
	pattern := "%" + escapeLike(strings.ToLower(*w.NameContainsFold)) + "%"
	w.NameContainsFold = nil
	w.AddPredicates(nameContainsUnindexed(pattern))
	filter, err := w.P()
	if err != nil {
		return nil // an invalid filter: Paginate reports it
	}
	want := 1 // a page and one more, for hasNextPage
	switch {
	case p.First != nil:
		want += *p.First
	case p.Last != nil:
		want += *p.Last
	}
	step, err := s.plan(ctx, w, account, filter, p, column, pattern, want)
	if err == nil && s.trace != nil {
		s.trace(step)
	}
	return err
}

// plan adds the predicate that makes the page cheap and returns the step
// (see Searcher) that chose it.
func (s *Searcher) plan(ctx context.Context, w *ent.ApiKeyWhereInput, account int, filter predicate.ApiKey, p Page, column, pattern string, want int) (int, error) {
	ids, found, err := s.scanWindow(ctx, account, filter, p, column, want)
	switch {
	case err != nil:
		return 0, err
	case found:
		w.AddPredicates(apikey.IDIn(ids...))
		return 1, nil
	case 3*len(ids) >= want:
		return 2, nil // the unindexed name test makes the planner walk
	}
	if ids, err = s.nameMatches(ctx, account, pattern); err != nil {
		return 0, err
	}
	if len(ids) > s.matchCap {
		return 4, nil
	}
	w.AddPredicates(apikey.IDIn(ids...))
	return 3, nil
}

// scanWindow tests filter on the next Window keys of the page's order and
// returns up to want matching ids. It reports found when the page is among
// them: want matched, or the list ended in the window.
func (s *Searcher) scanWindow(ctx context.Context, account int, filter predicate.ApiKey, p Page, column string, want int) ([]int, bool, error) {
	direction := p.Order.Direction
	if p.Last != nil { // Paginate walks backwards for last/before
		direction = direction.Reverse()
	}
	// window is the next s.window keys, as a table named like api_keys so
	// that the filter's (and the cursor's) columns resolve against it.
	window := func(allColumns bool) *sql.Selector {
		b := sql.Dialect(dialect.Postgres)
		t := b.Table(apikey.Table)
		selected := "*"
		if !allColumns {
			selected = t.C(apikey.FieldID)
		}
		sel := b.Select(selected).From(t).Where(sql.EQ(t.C(apikey.FieldAccountID), account))
		for _, cursor := range entgql.CursorsPredicate(p.After, p.Before, apikey.FieldID, column, direction) {
			cursor(sel)
		}
		order := sql.Asc
		if direction == entgql.OrderDirectionDesc {
			order = sql.Desc
		}
		return sel.OrderBy(order(t.C(column)), order(t.C(apikey.FieldID))).Limit(s.window).As(apikey.Table)
	}
	sel := sql.Dialect(dialect.Postgres).Select().From(window(true))
	sel.Select(sel.C(apikey.FieldID))
	filter(sel)
	ids, err := s.ids(ctx, sel.Limit(want))
	if err != nil || len(ids) == want {
		return ids, err == nil, err
	}
	var inWindow int
	count := sql.Dialect(dialect.Postgres).Select(sql.Count("*")).From(window(false))
	query, args := count.Query()
	if err := s.sql.QueryRowContext(ctx, query, args...).Scan(&inWindow); err != nil {
		return nil, false, fmt.Errorf("key search: %w", err)
	}
	return ids, inWindow < s.window, nil
}

// nameMatches returns up to MatchCap+1 ids of the account's keys whose name
// matches pattern, read through the trigram index.
func (s *Searcher) nameMatches(ctx context.Context, account int, pattern string) ([]int, error) {
	return s.query(ctx, "SELECT "+db.NameMatchesFunc+"($1, $2, $3)", account, pattern, s.matchCap+1)
}

func (s *Searcher) ids(ctx context.Context, sel *sql.Selector) ([]int, error) {
	query, args := sel.Query()
	return s.query(ctx, query, args...)
}

func (s *Searcher) query(ctx context.Context, query string, args ...any) ([]int, error) {
	rows, err := s.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("key search: %w", err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("key search: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("key search: %w", err)
	}
	return ids, nil
}

// orderColumn is the column of the list's order field ("" if unknown).
func orderColumn(o *ent.ApiKeyOrder) string {
	if o.Field == nil {
		return ""
	}
	switch o.Field.String() {
	case "CREATED_AT":
		return apikey.FieldCreatedAt
	case "LAST_USED_AT":
		return apikey.FieldLastUsedAt
	case "NAME":
		return apikey.FieldName
	}
	return ""
}
