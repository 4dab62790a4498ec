package playground

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// newTestServer serves the playground the way the doc comment says to mount
// it, with a stub GraphQL endpoint at /graphql.
func newTestServer(t *testing.T, graphql http.Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", Handler("idgraph playground", "/graphql"))
	mux.Handle(AssetsPrefix, AssetsHandler())
	if graphql != nil {
		mux.Handle("/graphql", graphql)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

var (
	scriptRE = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script\s*>`)
	// Every src= and href= in the page, in any element.
	urlAttrRE = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`)
	cspNonce  = regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`)
)

func TestPageHeaders(t *testing.T) {
	srv := newTestServer(t, nil)
	resp, _ := get(t, srv.URL+"/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
	for name, want := range map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-store",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	csp := resp.Header.Get("Content-Security-Policy")
	directives := map[string]string{}
	for d := range strings.SplitSeq(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for name, want := range map[string]string{
		"default-src":     "'none'",
		"script-src":      "'self'",
		"font-src":        "'self' data:",
		"img-src":         "'self' data:",
		"connect-src":     "'self'",
		"base-uri":        "'none'",
		"form-action":     "'none'",
		"frame-ancestors": "'none'",
	} {
		if got := directives[name]; got != want {
			t.Errorf("CSP %s = %q, want %q (CSP: %s)", name, got, want, csp)
		}
	}
	if !regexp.MustCompile(`^'self' 'nonce-[A-Za-z0-9_-]{22}'$`).MatchString(directives["style-src"]) {
		t.Errorf("CSP style-src = %q, want 'self' and a nonce", directives["style-src"])
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP allows something unsafe: %s", csp)
	}

	// A nonce that repeats is no nonce.
	resp2, _ := get(t, srv.URL+"/")
	if csp == resp2.Header.Get("Content-Security-Policy") {
		t.Error("two responses have the same nonce")
	}
}

func TestPageReferencesOnlyEmbeddedAssets(t *testing.T) {
	srv := newTestServer(t, nil)
	resp, page := get(t, srv.URL+"/")
	nonce := cspNonce.FindStringSubmatch(resp.Header.Get("Content-Security-Policy"))

	scripts := scriptRE.FindAllStringSubmatch(page, -1)
	if len(scripts) == 0 {
		t.Fatal("page has no <script>")
	}
	for _, s := range scripts {
		if body := strings.TrimSpace(s[2]); body != "" {
			t.Errorf("inline script body, which the CSP forbids: <script%s>%s", s[1], body)
		}
		if !strings.Contains(s[1], "src=") {
			t.Errorf("<script%s> has no src", s[1])
		}
	}
	// playground.js reads the nonce from its own element; it must be the
	// one in this response's header.
	if nonce == nil || !strings.Contains(page, `nonce="`+nonce[1]+`"`) {
		t.Errorf("page does not carry the CSP's nonce %v", nonce)
	}
	if regexp.MustCompile(`(?i)<style\b|\sstyle\s*=|\son[a-z]+\s*=`).MatchString(page) {
		t.Error("page has inline style or an event-handler attribute, which the CSP forbids")
	}

	urls := urlAttrRE.FindAllStringSubmatch(page, -1)
	var assetsSeen int
	for _, m := range urls {
		u := m[1]
		switch {
		case u == "data:,": // the empty icon
			continue
		case strings.Contains(strings.ToLower(u), "http:"), strings.Contains(strings.ToLower(u), "https:"),
			strings.HasPrefix(u, "//"):
			t.Errorf("page loads %q from another origin", u)
			continue
		case !strings.HasPrefix(u, AssetsPrefix):
			t.Errorf("page refers to %q, outside %s", u, AssetsPrefix)
			continue
		}
		assetsSeen++
		resp, body := get(t, srv.URL+u)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", u, resp.StatusCode)
			continue
		}
		want := "text/javascript; charset=utf-8"
		if strings.Contains(u, ".css?") {
			want = "text/css; charset=utf-8"
		}
		if got := resp.Header.Get("Content-Type"); got != want {
			t.Errorf("GET %s: Content-Type = %q, want %q", u, got, want)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q", u, got)
		}
		if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
			t.Errorf("GET %s: versioned URL not cached for good: Cache-Control = %q", u, got)
		}
		if len(body) == 0 {
			t.Errorf("GET %s: empty body", u)
		}
	}
	// 3 stylesheets and 5 scripts.
	if assetsSeen != 8 {
		t.Errorf("page refers to %d assets, want 8", assetsSeen)
	}
}

func TestPageEscapesSettings(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(`<b>"x"</b>`, `/graphql?a="b"&c=<d>`).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	page := rec.Body.String()
	if strings.Contains(page, `<b>`) || strings.Contains(page, `"b"`) || strings.Contains(page, `<d>`) {
		t.Errorf("title or endpoint not escaped:\n%s", page)
	}
	if !strings.Contains(page, `data-endpoint="/graphql?a=&#34;b&#34;&amp;c=&lt;d&gt;"`) {
		t.Errorf("endpoint not in data-endpoint:\n%s", page)
	}
}

func TestHandlerRejectsOtherMethods(t *testing.T) {
	for name, h := range map[string]http.Handler{"page": Handler("", "/graphql"), "assets": AssetsHandler()} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", AssetsPrefix+"playground.js", nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: POST = %d, Allow %q", name, rec.Code, rec.Header().Get("Allow"))
		}
	}
}

func TestConnectSources(t *testing.T) {
	for endpoint, want := range map[string]string{
		"/graphql":                           "'self'",
		"graphql":                            "'self'",
		"https://api.example.com/graphql":    "'self' https://api.example.com wss://api.example.com",
		"http://127.0.0.1:8080/graphql?x=;y": "'self' http://127.0.0.1:8080 ws://127.0.0.1:8080",
		"http://[::1]:8080/graphql":          "'self' http://[::1]:8080 ws://[::1]:8080",
	} {
		if got := connectSources(endpoint); got != want {
			t.Errorf("connectSources(%q) = %q, want %q", endpoint, got, want)
		}
	}
	for _, endpoint := range []string{"", "//api.example.com/graphql", "ftp://x/graphql", "https://a;b/", "https://a,b/", "https:/graphql", "javascript:alert(1)"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Handler(%q) did not panic", endpoint)
				}
			}()
			Handler("", endpoint)
		}()
	}
}

func TestAssetCaching(t *testing.T) {
	srv := newTestServer(t, nil)
	name := "vendor/graphiql/graphiql.min.js"
	a := assets[name]

	// Without the current version the URL may point at another build's
	// file tomorrow, so it must be revalidated.
	resp, _ := get(t, srv.URL+AssetsPrefix+name)
	if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
		t.Errorf("unversioned: Cache-Control = %q, want no-cache", got)
	}
	if got := resp.Header.Get("ETag"); got != a.etag {
		t.Errorf("ETag = %q, want %q", got, a.etag)
	}

	req, _ := http.NewRequest("GET", srv.URL+assetURL(name), nil)
	req.Header.Set("If-None-Match", a.etag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag = %d, want 304", resp.StatusCode)
	}

	for _, p := range []string{"nope.js", "vendor/", "vendor", "../page.html", ""} {
		resp, _ := get(t, srv.URL+AssetsPrefix+p)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s%s = %d, want 404", AssetsPrefix, p, resp.StatusCode)
		}
	}
	// Mounted wrongly, the handler says so with 404s rather than serving
	// files at unexpected paths.
	rec := httptest.NewRecorder()
	AssetsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/"+name, nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("asset outside AssetsPrefix = %d, want 404", rec.Code)
	}
}

// TestVendoredAssetsMatchSums checks that the files under assets/vendor/ are
// the ones scripts/update-graphiql.sh copied from npm, so an edit by hand or
// a file left out shows up here rather than in a browser.
func TestVendoredAssetsMatchSums(t *testing.T) {
	sums, err := assetsFS.Open("assets/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer sums.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(sums)
	for sc.Scan() {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("bad SHA256SUMS line %q", sc.Text())
		}
		listed[name] = true
		a := assets[name]
		if a == nil {
			t.Errorf("%s is in SHA256SUMS but not embedded", name)
			continue
		}
		sum := sha256.Sum256(a.body)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %s; rerun scripts/update-graphiql.sh", name, got, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for name := range assets {
		if strings.HasPrefix(name, "vendor/") && !listed[name] {
			t.Errorf("%s is embedded but not in SHA256SUMS", name)
		}
	}
}

// loadSchema reads idgraph's schema, or skips the test when the package is
// built outside the repository.
func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	const schemaFile = "../../schema.graphqls"
	sdl, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Skipf("no schema to check against: %v", err)
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: schemaFile, Input: string(sdl)})
	if gqlErr != nil {
		t.Fatalf("loading %s: %v", schemaFile, gqlErr)
	}
	return schema
}

// TestDefaultQueryIsCommentsOnly: whatever a user pastes under the default
// document is then the document's only operation.
func TestDefaultQueryIsCommentsOnly(t *testing.T) {
	for i, line := range strings.Split(DefaultQuery, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			t.Errorf("line %d of DefaultQuery is not a comment: %q", i+1, line)
		}
	}
}

// TestDefaultQueryExamplesMatchSchema keeps the editor's examples valid as
// the schema changes, uncommented as a user would (all of them at once):
// a stale example is the first thing a new user runs into.
func TestDefaultQueryExamplesMatchSchema(t *testing.T) {
	schema := loadSchema(t)
	var doc strings.Builder
	in := false
	for line := range strings.SplitSeq(DefaultQuery, "\n") {
		code := strings.TrimPrefix(strings.TrimPrefix(line, "#"), " ")
		if regexp.MustCompile(`^(query|mutation|subscription)\b`).MatchString(code) {
			in = true
		}
		if in {
			doc.WriteString(code + "\n")
		}
		if code == "}" {
			in = false
		}
	}
	q, errs := gqlparser.LoadQueryWithRules(schema, doc.String(), nil)
	if len(errs) > 0 {
		t.Fatalf("DefaultQuery's examples do not validate: %v\n%s", errs, doc.String())
	}
	if len(q.Operations) != 2 {
		t.Errorf("found %d examples in DefaultQuery, want 2:\n%s", len(q.Operations), doc.String())
	}
}

// readmeOperations are the GraphQL blocks of the README that are valid
// operations on their own.
func readmeOperations(t *testing.T, schema *ast.Schema) []string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skipf("no README: %v", err)
	}
	var ops []string
	for _, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		// Blocks in a list item are indented.
		block := regexp.MustCompile(`(?m)^   `).ReplaceAllString(m[1], "")
		if _, errs := gqlparser.LoadQueryWithRules(schema, block, nil); len(errs) == 0 {
			ops = append(ops, block)
		}
	}
	return ops
}

// A newcomer pastes the README's operations under the default document,
// as written: each runs there as it does alone.
func TestREADMEOperationsPasteUnderDefaultQuery(t *testing.T) {
	schema := loadSchema(t)
	ops := readmeOperations(t, schema)
	if len(ops) == 0 {
		t.Fatal("no GraphQL operation in README.md")
	}
	for _, op := range ops {
		if _, errs := gqlparser.LoadQueryWithRules(schema, DefaultQuery+op, nil); len(errs) > 0 {
			t.Errorf("pasted under the default document, the README's\n%s\nfails: %v", op, errs)
		}
	}
}
