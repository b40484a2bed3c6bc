//go:build ui

// Package frontend serves the admin SPA. Built with `-tags ui` (make build)
// it embeds frontend/dist (run `npm run build` in frontend/ first); without
// the tag it serves a placeholder page (embed_noui.go).
package frontend

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// ContentSecurityPolicy is sent with every response of the SPA. Scripts come
// only from the SPA's own files: the Vite build emits no inline script.
// Inline styles stay allowed for the chart library's style attributes.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// Handler serves the built SPA: files from dist, index.html for client routes
// (paths without a file extension), long-lived caching for the hashed files
// under /assets/, no-cache for everything else.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	return newHandler(sub)
}

func newHandler(files fs.FS) http.Handler {
	fileServer := http.FileServerFS(files)
	index, indexErr := fs.ReadFile(files, "index.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")

		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}

		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" || name == "index.html" {
			serveIndex(w, r, index, indexErr)
			return
		}
		if st, err := fs.Stat(files, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				h.Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				h.Set("Cache-Control", "no-cache")
			}
			fileServer.ServeHTTP(w, r)
			return
		}
		// A client-side route (/keys, /keys/42): the SPA decides what to show.
		// A missing file (/assets/old-1234.js, /robots.txt) is a real 404.
		if path.Ext(name) == "" && !strings.HasPrefix(name, "assets/") {
			serveIndex(w, r, index, indexErr)
			return
		}
		h.Set("Cache-Control", "no-cache")
		http.NotFound(w, r)
	})
}

func serveIndex(w http.ResponseWriter, r *http.Request, index []byte, err error) {
	if err != nil {
		http.Error(w, "the admin app is missing index.html; run `npm run build` in frontend/", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(index)
	}
}
