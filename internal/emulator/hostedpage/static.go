package hostedpage

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

//go:embed static/page.css
var pageCSS []byte

// pageCSSETag lets browsers revalidate the style sheet cheaply; it changes
// only when the binary does.
var pageCSSETag = func() string {
	sum := sha256.Sum256(pageCSS)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// serveCSS serves the page's one style sheet. It is a file of its own, not
// inline, so that the CSP can say style-src 'self' without hashes.
func serveCSS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", pageCSSETag)
	// ServeContent answers If-None-Match, Range and HEAD.
	http.ServeContent(w, r, "page.css", time.Time{}, bytes.NewReader(pageCSS))
}
