//go:build !ui

// Package frontend serves the admin SPA. Built with `-tags ui` (make build)
// it embeds frontend/dist; without the tag, as on a clean clone without Node,
// it serves a page that says how to build the SPA.
package frontend

import "net/http"

const placeholder = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>businesstools</title></head>
<body><h1>businesstools</h1><p>The admin app is not built into this binary.
Run <code>make run</code> (it builds the SPA with npm and embeds it), or use the GraphQL API at <code>/graphql</code>.</p></body></html>`

// Handler serves the placeholder page for every path.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		_, _ = w.Write([]byte(placeholder))
	})
}
