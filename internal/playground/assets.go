package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// AssetsPrefix is the URL path under which [AssetsHandler] must be mounted.
// The page that [Handler] serves loads its scripts and styles from here.
const AssetsPrefix = "/playground/assets/"

//go:embed assets
var assetsFS embed.FS

// asset is one embedded file, with what is needed to serve it, computed once.
type asset struct {
	body        []byte
	contentType string
	// etag is a strong validator: the file cannot change without the binary.
	etag string
	// version is put in the asset's URL as ?v=, so that a response for the
	// current version can be cached for good and a new binary's page asks for
	// new URLs.
	version string
}

// assets maps a path relative to the assets directory, such as
// "vendor/graphiql/graphiql.min.js", to its file.
var assets = loadAssets()

func loadAssets() map[string]*asset {
	m := make(map[string]*asset)
	err := fs.WalkDir(assetsFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assetsFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hexSum := hex.EncodeToString(sum[:])
		m[strings.TrimPrefix(p, "assets/")] = &asset{
			body:        body,
			contentType: contentType(p),
			etag:        `"` + hexSum + `"`,
			version:     hexSum[:16],
		}
		return nil
	})
	if err != nil {
		// Only a broken build can get here: the files are in the binary.
		panic("playground: reading embedded assets: " + err.Error())
	}
	return m
}

// contentType is explicit rather than mime.TypeByExtension, which consults
// the host's mime.types and so could differ between machines.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	default: // LICENSE, VERSIONS, SHA256SUMS
		return "text/plain; charset=utf-8"
	}
}

// assetURL returns the versioned URL of the named asset. It panics on an
// unknown name, which only a typo in page.html can cause; the tests render
// the page, so such a typo fails them.
func assetURL(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("playground: no embedded asset " + name)
	}
	return AssetsPrefix + name + "?v=" + a.version
}

// AssetsHandler returns the handler for the embedded assets. Mount it at
// [AssetsPrefix]; it strips the prefix from the request path itself, so it
// works the same under chi's Handle/Mount and net/http's ServeMux. A
// request outside the prefix gets 404.
//
// Responses carry a strong ETag and X-Content-Type-Options: nosniff. A
// request whose ?v= matches the file's version (the URLs the page uses) may
// be cached for a year as immutable; any other request must revalidate.
func AssetsHandler() http.Handler {
	return http.HandlerFunc(serveAsset)
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, AssetsPrefix)
	a := assets[name]
	if !ok || a == nil {
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	// ServeContent answers If-None-Match with 304, and handles HEAD and
	// Range. The zero time leaves out Last-Modified: embedded files have none.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
