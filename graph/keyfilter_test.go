package graph_test

import (
	"slices"
	"testing"

	"businesstools/internal/apptest"
)

// Ensure name search matches anywhere from three characters on, matches
// the start of the name below three (DESIGN.md section 8: no scan), takes
// wildcards literally, and the permission filter keeps exactly the keys
// holding the permission — on SQLite and PostgreSQL alike.
func TestApiKeys_Filters(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	for name, perms := range map[string][]string{
		"Alpha One":  {"SEND_EMAILS"},
		"beta alpha": {"READ_LEADS", "DELETE_LEADS"},
		"ALPHABET":   {"DELETE_LEADS"},
		"a_b 100%":   {"SEND_EMAILS", "READ_LEADS"},
		"Gamma":      {"WRITE_LEADS"},
	} {
		app.CreateKey(token, name, perms...)
	}
	other := app.NewAdmin("Other account", "other@example.com")
	app.CreateKey(other, "Alpha elsewhere", "DELETE_LEADS")

	cases := []struct {
		where map[string]any
		want  []string
	}{
		{map[string]any{"nameContainsFold": "alp"}, []string{"ALPHABET", "Alpha One", "beta alpha"}},
		{map[string]any{"nameContainsFold": "al"}, []string{"ALPHABET", "Alpha One"}},
		{map[string]any{"nameContainsFold": "G"}, []string{"Gamma"}},
		{map[string]any{"nameContainsFold": "a_"}, []string{"a_b 100%"}},
		{map[string]any{"nameContainsFold": "%"}, nil},
		{map[string]any{"nameContainsFold": "0%"}, nil}, // two characters: a prefix
		{map[string]any{"nameContainsFold": "00%"}, []string{"a_b 100%"}},
		{map[string]any{"nameContainsFold": "a_b"}, []string{"a_b 100%"}},
		{map[string]any{"nameContainsFold": "_"}, nil},
		{map[string]any{"permission": "DELETE_LEADS"}, []string{"ALPHABET", "beta alpha"}},
		{map[string]any{"permission": "READ_LEADS", "nameContainsFold": "alp"}, []string{"beta alpha"}},
		{map[string]any{"or": []any{map[string]any{"nameContainsFold": "ga"}, map[string]any{"nameContainsFold": "be"}}}, []string{"Gamma", "beta alpha"}},
		{map[string]any{"permission": "MANAGE_EMAIL_TEMPLATES"}, nil},
	}
	for _, c := range cases {
		var data struct {
			ApiKeys struct {
				Edges []struct{ Node struct{ Name string } }
			}
		}
		app.GQL(token, `query($w:ApiKeyWhereInput){apiKeys(first:50,where:$w,orderBy:{field:NAME,direction:ASC}){edges{node{name}}}}`,
			map[string]any{"w": c.where}).Decode(t, &data)
		var got []string
		for _, e := range data.ApiKeys.Edges {
			got = append(got, e.Node.Name)
		}
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%v: %q, want %q", c.where, got, want)
		}
	}
}
