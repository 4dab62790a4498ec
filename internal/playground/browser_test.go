package playground

import (
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/idgraph/idgraph/internal/browsertest"
)

// recordCSPViolations runs in the page before its own scripts. CSP
// violations also reach the console, but the securitypolicyviolation event
// names the directive, which makes a failure easy to read. DevTools scripts
// are not subject to the page's CSP.
const recordCSPViolations = `
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
    ' at ' + e.sourceFile + ':' + e.lineNumber + ' ' + (e.sample || ''));
});
`

// introspection is a tiny schema for the stub endpoint, enough for GraphiQL
// to build a schema, so that the docs and the explorer render content (and
// the docs render a markdown description) rather than an error.
const introspection = `{"data":{"__schema":{
"description":null,
"queryType":{"name":"Query"},"mutationType":null,"subscriptionType":null,
"types":[
 {"kind":"OBJECT","name":"Query","description":"The **root** query type.","interfaces":[],
  "fields":[{"name":"verificationSession","description":"Looks up a session by id.",
   "args":[{"name":"id","description":null,"type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"ID","ofType":null}},"defaultValue":null,"isDeprecated":false,"deprecationReason":null}],
   "type":{"kind":"OBJECT","name":"VerificationSession","ofType":null},"isDeprecated":false,"deprecationReason":null}]},
 {"kind":"OBJECT","name":"VerificationSession","description":"A Stripe Identity verification session.","interfaces":[],
  "fields":[
   {"name":"id","description":null,"args":[],"type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"ID","ofType":null}},"isDeprecated":false,"deprecationReason":null},
   {"name":"url","description":null,"args":[],"type":{"kind":"SCALAR","name":"String","ofType":null},"isDeprecated":false,"deprecationReason":null}]},
 {"kind":"SCALAR","name":"ID","description":null},
 {"kind":"SCALAR","name":"String","description":null},
 {"kind":"SCALAR","name":"Boolean","description":null}
],
"directives":[]}}}`

// TestBrowser opens the playground in headless Chromium and checks that
// GraphiQL renders and works under the page's CSP without a single
// violation: the unit tests read the HTML, but only a browser can tell
// whether the bundles need more than the CSP allows.
func TestBrowser(t *testing.T) {
	var introspected atomic.Bool
	srv := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(string(body), "__schema") {
			introspected.Store(true)
			io.WriteString(w, introspection)
			return
		}
		io.WriteString(w, `{"data":null}`)
	}))

	ctx := browsertest.Start(t, 90*time.Second)
	// Subscribe to the console before loading the page, so no message is
	// lost.
	var (
		mu      sync.Mutex
		console []chromedp.ConsoleMessage
	)
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			console = append(console, m)
			mu.Unlock()
		}
	}()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: recordCSPViolations}); err != nil {
		t.Fatal(err)
	}

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("load the page",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-container")),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .CodeMirror")),
	)

	editor, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()`))
	if err != nil {
		t.Fatal(err)
	}
	if editor != DefaultQuery {
		t.Errorf("query editor does not show the default query; it has:\n%s", editor)
	}
	// The default document tells the user to select an example and
	// uncomment it with Ctrl-/: that must give the operation.
	const cm = `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`
	step("select the first example and press Ctrl-/",
		chromedp.Evaluate[chromedp.Void](`(() => {
			const e = `+cm+`, lines = e.getValue().split('\n');
			const from = lines.findIndex(l => l.startsWith('# mutation '));
			const to = lines.findIndex((l, i) => i > from && l === '# }');
			e.focus();
			e.setSelection({line: from, ch: 0}, {line: to, ch: 3});
		})()`),
		chromedp.KeyEvent("/", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
	)
	uncommented, err := chromedp.Run(ctx, chromedp.Evaluate[string](cm+`.getSelection()`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(uncommented, "mutation StartVerification {\n") || !strings.HasSuffix(uncommented, "\n}") ||
		strings.Contains(uncommented, "#") {
		t.Errorf("Ctrl-/ on the first example gave:\n%s", uncommented)
	}

	// Each of these exercises code that the first render does not: the
	// dialog injects a <style> element (the reason for the style nonce),
	// the docs render markdown, and the explorer is a separate bundle.
	step("open the settings dialog",
		chromedp.Click(chromedp.CSS(`button[aria-label="Open settings dialog"]`)),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-dialog")),
	)
	// While a dialog is open, react-remove-scroll-bar's <style> is in the
	// page; it must carry the nonce that playground.js handed over.
	styles, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](
		`Array.from(document.querySelectorAll('style'), s => s.nonce !== '')`))
	if err != nil {
		t.Fatal(err)
	}
	if len(styles) == 0 {
		t.Error("the settings dialog injected no <style>: the style nonce may no longer be needed")
	}
	for i, hasNonce := range styles {
		if !hasNonce {
			t.Errorf("<style> %d has no nonce", i)
		}
	}
	step("close the settings dialog",
		chromedp.KeyEvent("\x1b"), // Escape
		chromedp.WaitNotPresent(chromedp.CSS(".graphiql-dialog")),
	)
	step("open the docs",
		chromedp.Click(chromedp.CSS(`button[aria-label="Show Documentation Explorer"]`)),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-doc-explorer")),
		chromedp.Click(chromedp.CSS(`.graphiql-doc-explorer a.graphiql-doc-explorer-type-name`)),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-doc-explorer .graphiql-markdown-description")),
	)
	step("open the explorer",
		chromedp.Click(chromedp.CSS(`button[aria-label="Show GraphiQL Explorer"]`)),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-explorer-root")),
	)
	if !introspected.Load() {
		t.Error("GraphiQL never sent its introspection query to the endpoint")
	}

	cspViolations := func() []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__cspViolations`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, v := range cspViolations() {
		t.Errorf("CSP violation: %s", v)
	}
	mu.Lock()
	for _, m := range console {
		text := m.String()
		if m.IsException() || m.Type == chromedp.ConsoleError || strings.Contains(text, "Content Security Policy") {
			t.Errorf("console %s (%s:%d)", text, m.URL, m.Line+1)
		} else {
			t.Logf("console %s", text)
		}
	}
	mu.Unlock()

	// PLAYGROUND_SCREENSHOT=file.png saves what the browser shows, to look
	// at after a change to the page.
	if file := os.Getenv("PLAYGROUND_SCREENSHOT"); file != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A control: an inline <style> without the nonce must be refused and
	// seen, or the clean result above would prove nothing.
	before := len(cspViolations())
	step("inject a style without the nonce", chromedp.Evaluate[chromedp.Void](
		`const s = document.createElement('style'); s.textContent = 'p{}'; document.head.appendChild(s)`))
	control, err := chromedp.Run(ctx, chromedp.PollFunction[[]string](
		`n => window.__cspViolations.length > n && window.__cspViolations.slice(n)`,
		chromedp.WithPollingArgs(before), chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		t.Fatalf("the control <style> caused no CSP violation (is the CSP enforced, the listener working?): %v", err)
	}
	if len(control) != 1 || !strings.HasPrefix(control[0], "style-src") {
		t.Errorf("control violations = %q, want one for style-src", control)
	}
}
