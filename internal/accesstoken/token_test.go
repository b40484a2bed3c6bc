package accesstoken_test

import (
	"strings"
	"testing"

	"businesstools/ent/admin"
	"businesstools/internal/accesstoken"
	"businesstools/internal/apikey"
)

// Ensure tokens are btm_ + 43 base62 characters + a 6-character checksum,
// and Parse refuses any change, an API key, and other prefixes.
func TestFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := accesstoken.Generate()
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) != 4+apikey.BodyLen+apikey.ChecksumLen || !strings.HasPrefix(tok, "btm_") || accesstoken.Parse(tok) != nil || seen[tok] {
			t.Fatalf("bad token %q", tok)
		}
		seen[tok] = true
	}
	tok, _ := accesstoken.Generate()
	key, _ := apikey.Generate()
	flipped := []byte(tok)
	flipped[10] ^= 'a' ^ 'b'
	for name, bad := range map[string]string{
		"checksum":  tok[:len(tok)-1] + string(tok[len(tok)-1]^1),
		"body":      string(flipped),
		"API key":   key,
		"bt_ form":  "bt_" + tok[4:],
		"short":     tok[:len(tok)-1],
		"long":      tok + "0",
		"non-ascii": tok[:20] + "é" + tok[22:],
		"empty":     "",
	} {
		if accesstoken.Parse(bad) == nil {
			t.Errorf("%s: %q accepted", name, bad)
		}
	}
	if apikey.Parse(tok) == nil {
		t.Error("an access token parses as an API key")
	}
}

// Ensure a token never exceeds its admin's role: viewers get the read scopes only.
func TestRoleAllows(t *testing.T) {
	want := map[admin.Role][]string{
		admin.RoleOWNER:  {"KEYS_READ", "KEYS_WRITE", "AUDIT_READ"},
		admin.RoleADMIN:  {"KEYS_READ", "KEYS_WRITE", "AUDIT_READ"},
		admin.RoleVIEWER: {"KEYS_READ", "AUDIT_READ"},
		"":               {},
	}
	for role, scopes := range want {
		for _, s := range append(accesstoken.Scopes, "REVEAL", "TEAM") {
			allowed := strings.Contains(" "+strings.Join(scopes, " ")+" ", " "+s+" ")
			if got := accesstoken.RoleAllows(role, s); got != allowed {
				t.Errorf("%s with %s: %v, want %v", role, s, got, allowed)
			}
		}
	}
}

// Ensure change notices survive the round trip through their payload, and
// anything else is ignored.
func TestChangePayload(t *testing.T) {
	for _, c := range []accesstoken.Change{{TokenID: 47244640257}, {AdminID: 4294967296}} {
		if got, ok := accesstoken.ParseChange(c.String()); !ok || got != c {
			t.Errorf("%v → %q → %v %v", c, c.String(), got, ok)
		}
	}
	for _, bad := range []string{"", "t:", "x:1", "t:-1", "a:0", "1", "t:1:2"} {
		if _, ok := accesstoken.ParseChange(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
