package sweep_test

import (
	"testing"
	"time"

	"businesstools/internal/apptest"
)

// Ensure the state digest sees a create and a rename, and not a refused
// request; and measure what a digest costs.
func TestState_SeesChanges(t *testing.T) {
	app := apptest.New(t)
	s := newSweeper(t, app)
	token := app.LoginOwner()
	before := s.state()
	start := time.Now()
	for range 10 {
		s.state()
	}
	t.Logf("one digest of every table: %v", time.Since(start)/10)
	k := app.CreateKey(token, "One", "SEND_EMAILS")
	created := s.state()
	if changed := before.changed(created); len(changed) == 0 {
		t.Fatal("a created key changed no digest")
	}
	app.GQL(token, `mutation($id:ID!){updateApiKey(id:$id,input:{name:"Two"}){id}}`, map[string]any{"id": k.ID})
	if changed := created.changed(s.state()); len(changed) == 0 {
		t.Fatal("a renamed key changed no digest")
	}
	renamed := s.state()
	app.GQL(token, `mutation($id:ID!){updateApiKey(id:$id,input:{name:""}){id}}`, map[string]any{"id": k.ID})
	if changed := renamed.changed(s.state()); len(changed) > 0 {
		t.Fatalf("a refused rename changed %v", changed)
	}
}
