package websafe

import "net/http"

// NoStore is a middleware that marks every answer Cache-Control: no-store,
// since GraphQL answers hold a user's data and ride on POSTs and GETs alike,
// and X-Content-Type-Options: nosniff, so that a browser never runs a JSON
// or text answer as script or HTML. The headers are set before the next
// handler runs, so they hold on errors and panics recovered below too; a
// handler that must be cached sets its own Cache-Control.
func NoStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
