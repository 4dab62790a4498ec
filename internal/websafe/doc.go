// Package websafe holds idgraph's browser-facing protections, each an
// ordinary func(http.Handler) http.Handler middleware:
//
//   - CORS lets the listed web origins call the API from a page, with
//     bearer tokens and without cookies (credentials are never allowed);
//   - HostCheck answers 421 Misdirected Request to a Host idgraph is not
//     served as, which defeats DNS rebinding against a server on a
//     developer's machine or inside a cluster;
//   - NoStore keeps answers out of caches and stops MIME sniffing.
//
// ParseOrigins and ParseHosts validate the configured lists; OriginAllowed is
// the origin matcher CORS uses, exported so that a WebSocket upgrade can check
// its Origin against the same list.
//
// Order matters when wiring them: HostCheck goes outside CORS, so a
// misdirected request gets neither CORS headers nor anything of the app:
//
//	r.Use(websafe.NoStore, websafe.HostCheck(hosts, "/healthz"), websafe.CORS(origins))
package websafe
