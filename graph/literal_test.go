package graph_test

import (
	"strings"
	"testing"

	"businesstools/internal/apptest"
)

// Ensure a bad value written into the document (not sent as a variable) is
// refused like the same value in a variable: BAD_USER_INPUT naming the
// innermost argument or input field holding it, and nothing changes.
func TestLiteral_BadInput(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	app.CreateKey(token, "Taken", "SEND_EMAILS")
	cases := []struct {
		name, query, field string
	}{
		{"ErrUnknownRole", `mutation{inviteAdmin(input:{email:"a@b.c", role:BOSS}){admin{id}}}`, "role"},
		{"ErrUnknownOrderField", `{apiKeys(orderBy:{field:NOPE, direction:ASC}){totalCount}}`, "field"},
		{"ErrUnknownPermissionInList", `mutation{createApiKey(input:{name:"k",permissions:[SEND_EMAILS,ROOT]}){secret}}`, "permissions"},
		{"ErrStringForIntArgument", `{apiKeys(first:"ten"){totalCount}}`, "first"},
		{"ErrStringForIntField", `mutation{createApiKey(input:{name:"k",permissions:[SEND_EMAILS],rateLimit:"5"}){secret}}`, "rateLimit"},
		{"ErrIntForString", `mutation{inviteAdmin(input:{email:5, role:ADMIN}){admin{id}}}`, "email"},
		{"ErrNullForRequired", `mutation{createApiKey(input:{name:null,permissions:[SEND_EMAILS]}){secret}}`, "name"},
		{"ErrNestedInList", `{apiKeys(where:{and:[{name:"a"},{not:{nameContains:5}}]}){totalCount}}`, "nameContains"},
		{"ErrInFragment", `mutation{...m} fragment m on Mutation{createApiKey(input:{name:"k",permissions:[ROOT]}){secret}}`, "permissions"},
		{"ErrInInlineFragment", `mutation{... on Mutation{inviteAdmin(input:{email:"a@b.c", role:"OWNER"}){admin{id}}}}`, "role"},
		{"ErrUnknownInputField", `mutation{createApiKey(input:{name:"k",permissions:[SEND_EMAILS],owner:"x"}){secret}}`, "owner"},
		{"ErrRepeatedInputField", `mutation{createApiKey(input:{name:"k",name:"j",permissions:[SEND_EMAILS]}){secret}}`, "name"},
		{"ErrMissingInputField", `mutation{inviteAdmin(input:{email:"a@b.c"}){admin{id}}}`, "input"},
		{"ErrVariableDefault", `mutation($r:AdminRole=BOSS){inviteAdmin(input:{email:"a@b.c", role:$r}){admin{id}}}`, "r"},
		{"ErrDirectiveArgument", `mutation{createApiKey(input:{name:"k",permissions:[SEND_EMAILS]}){secret @include(if:"yes")}}`, "if"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, app) + teamSnapshot(t, app)
			// A bad value in a fragment is reported once per use and once
			// where it is defined: every error must name the field.
			resp := app.GQL(token, tc.query, nil)
			if len(resp.Errors) == 0 {
				t.Fatalf("no error (data %s)", resp.Data)
			}
			for _, e := range resp.Errors {
				if e.Code() != "BAD_USER_INPUT" || e.Field() != tc.field || !strings.HasPrefix(e.Message, tc.field+": ") {
					t.Fatalf("error %+v, want BAD_USER_INPUT naming %s", e, tc.field)
				}
			}
			if after := snapshot(t, app) + teamSnapshot(t, app); after != before {
				t.Fatalf("database changed:\n%s\n%s", before, after)
			}
		})
	}
	// Ensure each of several bad literals names its own field.
	t.Run("ErrSeveral", func(t *testing.T) {
		resp := app.GQL(token, `mutation{inviteAdmin(input:{email:5, role:BOSS}){admin{id}}}`, nil)
		var fields []string
		for _, e := range resp.Errors {
			if e.Code() != "BAD_USER_INPUT" {
				t.Fatalf("code = %q (%s), want BAD_USER_INPUT", e.Code(), e.Message)
			}
			fields = append(fields, e.Field())
		}
		if strings.Join(fields, ",") != "email,role" {
			t.Fatalf("fields = %v, want email and role", fields)
		}
	})
	// Ensure a huge bad value is not echoed back whole.
	t.Run("ErrLongValueCut", func(t *testing.T) {
		long := strings.Repeat("B", 10000)
		e := wantError(t, app.GQL(token, `mutation{inviteAdmin(input:{email:"a@b.c", role:`+long+`}){admin{id}}}`, nil),
			"BAD_USER_INPUT", "role")
		if len(e.Message) > 400 {
			t.Fatalf("message is %d bytes long", len(e.Message))
		}
	})
}

// Ensure errors about the document's shape, not a value in it, keep
// GRAPHQL_VALIDATION_FAILED and name no field.
func TestLiteral_ShapeErrorsStayValidationErrors(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	cases := []struct{ name, query string }{
		{"ErrUnknownField", `{apiKeys{totalCount bogus}}`},
		{"ErrUnknownArgument", `{apiKeys(bogus:1){totalCount}}`},
		{"ErrMissingArgument", `mutation{inviteAdmin{admin{id}}}`},
		{"ErrVariableInWrongPlace", `query($n:String){apiKeys(first:$n){totalCount}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, app) + teamSnapshot(t, app)
			e := wantError(t, app.GQL(token, tc.query, nil), "GRAPHQL_VALIDATION_FAILED", "")
			if e.Field() != "" {
				t.Fatalf("field = %q on a shape error (%s)", e.Field(), e.Message)
			}
			if after := snapshot(t, app) + teamSnapshot(t, app); after != before {
				t.Fatal("database changed")
			}
		})
	}
}
