package graph

import "testing"

// Ensure lone surrogate escapes are found, and pairs, escaped backslashes
// and other escapes are not.
func TestLoneSurrogateAt(t *testing.T) {
	cases := []struct {
		in     string
		braced bool
		want   int
	}{
		{`"a\ud800b"`, false, 2},
		{`"\udc00"`, false, 1},
		{`"\ud83d\ude00"`, false, -1},
		{`"\\ud800"`, false, -1},
		{`"\ud83d\u0041"`, false, 1},
		{`"\u00e9\n\""`, false, -1},
		{`"\ud83d`, false, 1},
		{`"\u{D800}"`, true, 1},
		{`"\u{1F600}"`, true, -1},
		{`"\u{D800}"`, false, -1},
	}
	for _, tc := range cases {
		if got := loneSurrogateAt(tc.in, tc.braced); got != tc.want {
			t.Errorf("loneSurrogateAt(%s, %v) = %d, want %d", tc.in, tc.braced, got, tc.want)
		}
	}
}

// Ensure the member holding an offset is named, nested or in a list.
func TestMemberAt(t *testing.T) {
	body := []byte(`{"query":"q","variables":{"in":{"name":"XX","list":["a","YY"]},"after":{"z":1}}}`)
	for mark, want := range map[string]string{"XX": "name", "YY": "list", "q\"": "query"} {
		off := indexOf(body, mark)
		if got := memberAt(body, off); got != want {
			t.Errorf("memberAt(%q) = %q, want %q", mark, got, want)
		}
	}
}

func indexOf(b []byte, s string) int {
	for i := range b {
		if string(b[i:min(len(b), i+len(s))]) == s {
			return i
		}
	}
	return -1
}

// Ensure fragments are counted as expanded, cycles found, and paths merged.
func TestCheckDocument(t *testing.T) {
	ok := []string{
		`{__typename}`,
		`query{...A ...A} fragment A on Query{me{id}}`,
	}
	for _, q := range ok {
		if err := checkDocument(q); err != nil {
			t.Errorf("%s refused: %v", q, err)
		}
	}
	refused := []string{
		`query{...A} fragment A on Query{...A}`,
		`query{...A ...A ...A ...A ...A ...A ...A} fragment A on Query{me{id id id}}`,
		`{me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id} me{id}}`,
		`{__typename(x:"a\u0000")}`,
	}
	for _, q := range refused {
		if err := checkDocument(q); err == nil {
			t.Errorf("%s passed", q)
		}
	}
}
