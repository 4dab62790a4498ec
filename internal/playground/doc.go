// Package playground serves GraphiQL, the in-browser GraphQL IDE, from the
// binary itself.
//
// Everything the page needs (GraphiQL 3, React 18, the explorer plugin and a
// small bootstrap script) is embedded with go:embed, so the playground works
// offline and loads nothing from a CDN. The browser bundles under
// assets/vendor/ are copied byte-for-byte from npm by
// scripts/update-graphiql.sh; assets/VERSIONS and assets/SHA256SUMS record
// what was copied.
//
// Queries and mutations go to the endpoint over HTTP, subscriptions over a
// WebSocket (graphql-transport-ws) to the same URL with ws: or wss:, with
// the Headers tab's headers as connection_init's payload, since a browser
// cannot set a WebSocket's headers. The default document is comments only,
// so that an operation pasted under it is the only one.
//
// # Mounting
//
// The page and its assets are two handlers, because the page is usually
// mounted at "/" while the assets need a path prefix of their own:
//
//	r := chi.NewRouter()
//	r.Handle("/graphql", gqlHandler)
//	r.Get("/", playground.Handler("idgraph", "/graphql").ServeHTTP)
//	r.Handle(playground.AssetsPrefix+"*", playground.AssetsHandler())
//
// With net/http's ServeMux, use
//
//	mux.Handle("GET /{$}", playground.Handler("idgraph", "/graphql"))
//	mux.Handle(playground.AssetsPrefix, playground.AssetsHandler())
//
// The page refers to the assets by absolute paths under [AssetsPrefix], so
// AssetsHandler must be mounted at exactly that prefix, at the root of the
// origin that serves the page.
//
// # Content-Security-Policy
//
// The page handler sets a strict CSP itself (see [Handler]): no inline
// script, no third-party origin, and no inline style except the one <style>
// element GraphiQL's dialogs inject, which is allowed by a per-response nonce
// rather than 'unsafe-inline'. A middleware that sets its own CSP on every
// response must leave the page's header alone, or the page may break.
package playground
