package playground

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// DefaultQuery is what the query editor shows on a browser's first visit.
// GraphiQL keeps the user's own edits in localStorage after that.
//
// It is comments only, examples included, so that an operation pasted
// under it is the document's only one: an anonymous operation, as the
// README's walkthrough has, must be alone in its document ("This anonymous
// operation must be the only defined operation"). The examples are named,
// so that uncommenting both still makes a valid document.
const DefaultQuery = `# Welcome to the idgraph playground.
#
# Paste or write an operation below these comments and run
# it with ▶ (Ctrl-Enter). The buttons on the left open the
# docs and the explorer. To call as a user, put
#   {"Authorization": "Bearer <token>"}
# in the Headers tab at the bottom; subscriptions send it
# over their WebSocket too.
#
# To start, select an example and uncomment it (Ctrl-/).
#
# 1. Start a document check, then open its url in another
#    tab and play the end user there:
#
# mutation StartVerification {
#   createVerificationSession(
#     input: {type: DOCUMENT, returnUrl: "https://example.com/verified"}
#   ) {
#     verificationSession { id status url }
#     userErrors { field message code }
#   }
# }
#
# 2. Watch it change, live: put its id for vs_... and run
#    this before you submit on the hosted page.
#
# subscription WatchVerification {
#   verificationSessionUpdated(id: "vs_...") {
#     status
#     lastError { code reason }
#   }
# }

`

//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("page.html").
	Funcs(template.FuncMap{"asset": assetURL}).
	Parse(pageHTML))

// pageData is what page.html is rendered with.
type pageData struct {
	Title        string
	Endpoint     string
	DefaultQuery string
	Nonce        string
}

// Handler returns the handler that serves the GraphiQL page, whatever the
// request path, so mount it on the one path it should answer (usually "/").
// It answers GET and HEAD; other methods get 405. The page loads its assets
// from [AssetsPrefix], so [AssetsHandler] must be mounted there too.
//
// title is the page's <title> ("GraphiQL" when empty). endpoint is the
// GraphQL endpoint the page sends operations to: a path on the same origin
// such as "/graphql", or an absolute http(s) URL, whose origin is then added
// to the CSP's connect-src, with its WebSocket counterpart (ws: for http:,
// wss: for https:) for subscriptions. Handler panics if endpoint is empty or not a
// valid URL reference, since that is a programming error.
//
// Each response carries its own Content-Security-Policy:
//
//	default-src 'none'; script-src 'self'; style-src 'self' 'nonce-…';
//	font-src 'self' data:; img-src 'self' data:; connect-src 'self';
//	base-uri 'none'; form-action 'none'; frame-ancestors 'none'
//
// See cspFor for why each source is there. Because the nonce changes on
// every response, the page is sent with Cache-Control: no-store.
func Handler(title, endpoint string) http.Handler {
	if title == "" {
		title = "GraphiQL"
	}
	connectSrc := connectSources(endpoint)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		nonce := newNonce()
		var buf bytes.Buffer
		err := pageTemplate.Execute(&buf, pageData{
			Title:        title,
			Endpoint:     endpoint,
			DefaultQuery: DefaultQuery,
			Nonce:        nonce,
		})
		if err != nil {
			// The template and its data are fixed, so the tests catch this.
			http.Error(w, "rendering the playground failed", http.StatusInternalServerError)
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", cspFor(nonce, connectSrc))
		h.Set("X-Content-Type-Options", "nosniff")
		// The CSP's frame-ancestors does this for current browsers; the
		// header is for the old ones, since a framed IDE invites clickjacking.
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	})
}

// cspFor builds the page's Content-Security-Policy. It is as strict as
// GraphiQL 3.9 allows, which the headless-Chromium test checks: it fails on
// any CSP violation while it opens the editor, a dialog, the docs and the
// explorer.
func cspFor(nonce, connectSrc string) string {
	return strings.Join([]string{
		// Anything not listed below is refused.
		"default-src 'none'",
		// Only the embedded bundles and playground.js: no inline script, no
		// eval (the bundles need neither).
		"script-src 'self'",
		// The stylesheets, plus the one <style> element that GraphiQL's
		// dialogs inject (react-remove-scroll-bar), which carries this
		// nonce; see playground.js. Style attributes stay forbidden:
		// React and CodeMirror set styles through the CSSOM, which CSP
		// does not restrict.
		"style-src 'self' 'nonce-" + nonce + "'",
		// graphiql.min.css embeds its fonts (Roboto, Fira Code) as
		// data:font/woff2 URLs.
		"font-src 'self' data:",
		// CodeMirror uses a data:image/gif as its drag image, and the page's
		// empty icon is a data: URL.
		"img-src 'self' data:",
		// The GraphQL endpoint, over HTTP and, for subscriptions, over a
		// WebSocket. CSP level 3 makes 'self' match ws: and wss: on the
		// same host too, so a same-origin endpoint needs nothing more
		// (the browser test checks that a subscription runs); plain ws:
		// wss: would allow any host.
		"connect-src " + connectSrc,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// connectSources returns the connect-src sources for endpoint: 'self', and
// when it is an absolute URL its origin and the WebSocket origin that
// playground.js derives from it for subscriptions.
func connectSources(endpoint string) string {
	if endpoint == "" {
		panic("playground: empty GraphQL endpoint")
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		panic("playground: bad GraphQL endpoint: " + err.Error())
	}
	if u.Host == "" {
		if u.Scheme != "" {
			panic("playground: GraphQL endpoint " + endpoint + " has a scheme but no host")
		}
		return "'self'"
	}
	switch u.Scheme {
	case "http", "https":
	default:
		// A scheme-relative "//host/path" lands here too: spell the scheme
		// out, so the CSP source is exact.
		panic("playground: GraphQL endpoint " + endpoint + " must be a path or an http(s) URL")
	}
	// url.Parse lets through hosts such as "a;b", and a ';' or ',' would
	// end the directive or the policy, so allow only what a CSP host source
	// can hold.
	if strings.ContainsFunc(u.Host, notHostChar) {
		panic("playground: GraphQL endpoint " + endpoint + " has an unusable host")
	}
	// Rebuilding the origin from its parts keeps any path or query out of
	// the header.
	ws := "ws"
	if u.Scheme == "https" {
		ws = "wss"
	}
	return "'self' " + u.Scheme + "://" + u.Host + " " + ws + "://" + u.Host
}

// newNonce returns 128 random bits, as CSP nonces should have. The URL-safe
// alphabet without padding is valid in a CSP nonce and needs no escaping in
// HTML.
func newNonce() string {
	var b [16]byte
	// crypto/rand.Read never returns an error; it crashes the program if the
	// OS has no randomness, rather than hand out a guessable nonce.
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// notHostChar reports whether r cannot appear in a CSP host source with a
// port: a DNS name, an IPv4 address or a bracketed IPv6 address.
func notHostChar(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return false
	case strings.ContainsRune(".-:[]", r):
		return false
	}
	return true
}
