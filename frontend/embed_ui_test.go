//go:build ui

package frontend

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"index.html":             {Data: []byte(`<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>`)},
		"favicon.svg":            {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		"assets/index-abc123.js": {Data: []byte(`console.log("app")`)},
		"assets/index-abc.css":   {Data: []byte(`body{}`)},
	}
}

func get(t *testing.T, h http.Handler, method, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkSecurityHeaders(t *testing.T, target string, res *http.Response) {
	t.Helper()
	csp := res.Header.Get("Content-Security-Policy")
	if csp == "" {
		t.Errorf("%s: no Content-Security-Policy", target)
	}
	for _, directive := range strings.Split(csp, ";") {
		d := strings.TrimSpace(directive)
		if (strings.HasPrefix(d, "script-src") || strings.HasPrefix(d, "default-src")) && strings.Contains(d, "'unsafe-inline'") {
			t.Errorf("%s: CSP allows inline scripts: %q", target, d)
		}
	}
	if !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("%s: CSP %q lacks script-src 'self'", target, csp)
	}
	if !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: CSP %q lacks frame-ancestors 'none'", target, csp)
	}
	if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q", target, got)
	}
}

func TestIndexAndClientRoutes(t *testing.T) {
	h := newHandler(testFS())
	for _, target := range []string{"/", "/index.html", "/keys", "/keys/42", "/login", "/some/deep/route?x=1"} {
		res := get(t, h, http.MethodGet, target)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", target, res.StatusCode)
		}
		if b := body(t, res); !strings.Contains(b, `<div id="root">`) {
			t.Errorf("%s: not index.html: %q", target, b)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control = %q, want no-cache", target, got)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type = %q", target, ct)
		}
		checkSecurityHeaders(t, target, res)
	}
}

func TestHashedAssetsAreImmutable(t *testing.T) {
	h := newHandler(testFS())
	res := get(t, h, http.MethodGet, "/assets/index-abc123.js")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if b := body(t, res); b != `console.log("app")` {
		t.Errorf("body %q", b)
	}
	if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control = %q", got)
	}
	if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("Content-Type = %q", ct)
	}
	checkSecurityHeaders(t, "/assets/index-abc123.js", res)
}

func TestOtherFilesAndMissingFiles(t *testing.T) {
	h := newHandler(testFS())
	res := get(t, h, http.MethodGet, "/favicon.svg")
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("/favicon.svg: status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	for _, target := range []string{"/assets/index-gone.js", "/robots.txt", "/assets/nothing"} {
		res := get(t, h, http.MethodGet, target)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, res.StatusCode)
		}
		if res.Header.Get("Cache-Control") == "public, max-age=31536000, immutable" {
			t.Errorf("%s: a 404 must not be cached for a year", target)
		}
		checkSecurityHeaders(t, target, res)
	}
}

func TestMethodsAndTraversal(t *testing.T) {
	h := newHandler(testFS())
	if res := get(t, h, http.MethodPost, "/keys"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /keys: status %d", res.StatusCode)
	}
	res := get(t, h, http.MethodHead, "/keys")
	if res.StatusCode != http.StatusOK || body(t, res) != "" {
		t.Errorf("HEAD /keys: status %d", res.StatusCode)
	}
	// Dot segments are cleaned away: this is the client route /etc/passwd.
	res = get(t, h, http.MethodGet, "/../../etc/passwd")
	if b := body(t, res); res.StatusCode != http.StatusOK || !strings.Contains(b, `<div id="root">`) {
		t.Errorf("traversal: status %d, body %q", res.StatusCode, b)
	}
	res = get(t, h, http.MethodGet, "/assets/../../../etc/hosts.txt")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("traversal to a file: status %d", res.StatusCode)
	}
}

// The real build must exist and must not carry inline scripts.
func TestEmbeddedBuild(t *testing.T) {
	h := Handler()
	res := get(t, h, http.MethodGet, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	b := body(t, res)
	rest := b
	for {
		i := strings.Index(rest, "<script")
		if i < 0 {
			break
		}
		end := strings.Index(rest[i:], ">")
		if end < 0 || !strings.Contains(rest[i:i+end], "src=") {
			t.Errorf("index.html has an inline script: %q", rest[i:])
		}
		rest = rest[i+1:]
	}
	checkSecurityHeaders(t, "/", res)
}
