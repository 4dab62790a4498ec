package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/idgraph/idgraph/internal/browsertest"
)

// browserRecordCSP runs in every document before the page's own scripts and
// keeps the page's CSP violations, which name the directive. The violations
// reach the browser log too; this makes a failure easy to read.
const browserRecordCSP = `
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
    ' at ' + e.sourceFile + ':' + e.lineNumber + ' ' + (e.sample || ''));
});
`

// TestBrowserVerificationFlow is the README's "first verification" as a new
// user does it, in a real browser: create a session in GraphiQL, pass it on
// the emulator's hosted page, land on the return URL, and read the verified
// result back in GraphiQL. It fails on any CSP violation, uncaught exception
// or console error along the way.
//
// BROWSER_SCREENSHOT_DIR=dir saves a screenshot of each step there.
func TestBrowserVerificationFlow(t *testing.T) {
	s := serveOnEmulator(t)
	ctx := browsertest.Start(t, 60*time.Second)
	// Subscribe to the console (console API calls, uncaught exceptions and
	// browser log entries, CSP violations among them) before loading any
	// page, so that no message is lost.
	con := collectConsole(ctx)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: browserRecordCSP}); err != nil {
		t.Fatal(err)
	}

	shots := 0
	screenshot := func(name string) {
		t.Helper()
		dir := os.Getenv("BROWSER_SCREENSHOT_DIR")
		if dir == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		shots++
		file := filepath.Join(dir, fmt.Sprintf("verification-flow-%d-%s.png", shots, name))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		t.Logf("screenshot: %s", file)
	}
	// Runs last (and also after a t.Fatal): what the browser showed, and
	// every console message, failing on the bad ones.
	defer func() {
		if t.Failed() {
			screenshot("failed")
		}
		con.check(ctx, t)
	}()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// Each document keeps its own CSP violations: read them before leaving.
	checkCSP := func(where string) {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__cspViolations || []`))
		if err != nil {
			t.Fatalf("reading the CSP violations of %s: %v", where, err)
		}
		for _, v := range v {
			t.Errorf("CSP violation on %s: %s", where, v)
		}
	}

	// 1. Create a session in GraphiQL.
	step("open GraphiQL",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .CodeMirror")),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-execute-button")),
	)
	returnURL := s.url + "/healthz"
	created := runInGraphiQL(ctx, t, fmt.Sprintf(`mutation {
  createVerificationSession(input: {type: DOCUMENT, returnUrl: %q}) {
    verificationSession { id status url }
    userErrors { field message code }
  }
}`, returnURL), "vs_")
	var createRes struct {
		Data struct {
			CreateVerificationSession struct {
				VerificationSession *session
				UserErrors          []json.RawMessage
			}
		}
		Errors json.RawMessage
	}
	if err := json.Unmarshal([]byte(created), &createRes); err != nil {
		t.Fatalf("GraphiQL's result is not JSON: %v\n%s", err, created)
	}
	sess := createRes.Data.CreateVerificationSession.VerificationSession
	if len(createRes.Errors) > 0 || sess == nil || !strings.HasPrefix(sess.ID, "vs_") || sess.URL == "" {
		t.Fatalf("createVerificationSession in GraphiQL:\n%s", created)
	}
	if sess.Status != "REQUIRES_INPUT" {
		t.Errorf("a new session is %s, want REQUIRES_INPUT", sess.Status)
	}
	t.Logf("created %s", sess.ID)
	screenshot("created")
	checkCSP("GraphiQL")

	// 2. Play the end user on the hosted page.
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(sess.URL))
	if err != nil {
		t.Fatalf("open the hosted page: %v", err)
	}
	if res.Status != 200 {
		t.Fatalf("the hosted page %s answered %d (is it mounted in internal/emulator/routes.go?)", sess.URL, res.Status)
	}
	passButton := chromedp.CSS(`form:has(input[name=action][value=pass]) button[type=submit]`)
	step("wait for the hosted page's form", chromedp.WaitVisible(passButton))
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, sess.ID) {
		t.Errorf("the hosted page does not show the session ID %s:\n%s", sess.ID, text)
	}
	if label, err := chromedp.Run(ctx, chromedp.Text(passButton)); err != nil || strings.TrimSpace(label) != "Submit and pass" {
		t.Errorf("pass button: %q, %v", label, err)
	}
	screenshot("hosted-page")
	checkCSP("the hosted page")

	pending := s.clock.Pending()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(passButton))); err != nil {
		t.Fatalf("submit and pass: %v", err)
	}
	at, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	if err != nil {
		t.Fatal(err)
	}
	if at != returnURL || strings.TrimSpace(body) != "ok" {
		t.Fatalf("after submitting, the browser is at %s showing %q; want the return URL %s showing \"ok\"", at, body, returnURL)
	}
	screenshot("returned")

	// 3. Processing completes after the emulator's delay.
	if s.clock.Pending() <= pending {
		t.Errorf("submitting scheduled no processing (%d timers pending before, %d after)", pending, s.clock.Pending())
	}
	s.clock.Advance(2 * time.Second)

	// 4. Read the result in GraphiQL.
	step("back to GraphiQL",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .CodeMirror")),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-execute-button")),
	)
	result := runInGraphiQL(ctx, t, fmt.Sprintf(`{
  verificationSession(id: %q) {
    status
    verifiedOutputs { firstName }
    lastVerificationReport { document { status } }
  }
}`, sess.ID), "VERIFIED")
	var readRes struct {
		Data struct {
			VerificationSession *struct {
				Status          string
				VerifiedOutputs *struct{ FirstName string }
				// The report's document check.
				LastVerificationReport *struct {
					Document *struct{ Status string }
				}
			}
		}
		Errors json.RawMessage
	}
	if err := json.Unmarshal([]byte(result), &readRes); err != nil {
		t.Fatalf("GraphiQL's result is not JSON: %v\n%s", err, result)
	}
	v := readRes.Data.VerificationSession
	switch {
	case len(readRes.Errors) > 0 || v == nil:
		t.Errorf("verificationSession in GraphiQL:\n%s", result)
	case v.Status != "VERIFIED":
		t.Errorf("status %s, want VERIFIED:\n%s", v.Status, result)
	case v.VerifiedOutputs == nil || v.VerifiedOutputs.FirstName == "":
		t.Errorf("no verified firstName:\n%s", result)
	case v.LastVerificationReport == nil || v.LastVerificationReport.Document == nil || v.LastVerificationReport.Document.Status != "VERIFIED":
		t.Errorf("the report's document check is not VERIFIED:\n%s", result)
	}
	screenshot("verified")
	checkCSP("GraphiQL")
}

// runInGraphiQL replaces the query editor's content with query, runs it with
// the execute button, and returns the response editor's text once it
// contains want (or an error). GraphiQL's editors are CodeMirror 5: setting
// the value through the CodeMirror instance is what typing would do, without
// the editor's auto-closing of brackets getting in the way.
func runInGraphiQL(ctx context.Context, t *testing.T, query, want string) string {
	t.Helper()
	const editor = `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`
	q, _ := json.Marshal(query)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const e = %s; e.setValue(%s); return e.getValue(); })()`, editor, q)))
	if err != nil {
		t.Fatalf("set the query editor: %v", err)
	}
	if got != query {
		t.Fatalf("the query editor holds\n%s\nwant\n%s", got, query)
	}
	return runGraphiQLEditor(ctx, t, want)
}

// runGraphiQLEditor runs the query editor's operation with the execute
// button and returns the response editor's text once it contains want (or
// an error).
func runGraphiQLEditor(ctx context.Context, t *testing.T, want string) string {
	t.Helper()
	const editor = `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`
	const response = `document.querySelector('.graphiql-response .CodeMirror')`
	// GraphiQL parses the editor's content 100ms after a change (debounced),
	// and the run button runs the operation of that parse: wait for it, as a
	// user's click would come later. Until then, after the default query's
	// two operations, the button is still a menu to choose one from.
	if err := chromedp.Do(ctx, chromedp.PollFunction[chromedp.Void](fmt.Sprintf(`() => {
		const e = %s, b = document.querySelector('.graphiql-execute-button');
		return e.documentAST && e.documentAST.loc && e.documentAST.loc.source.body === e.getValue() &&
			b && !b.hasAttribute('aria-haspopup');
	}`, editor), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("waiting for GraphiQL to parse the query: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatalf("click the run button: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.PollFunction[string](fmt.Sprintf(`want => {
		const r = %s;
		const v = r && r.CodeMirror ? r.CodeMirror.getValue() : '';
		return (v.includes(want) || v.includes('"errors"')) && v;
	}`, response), chromedp.WithPollingArgs(want), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		last, _ := chromedp.Run(ctx, chromedp.Evaluate[string](response+`?.CodeMirror?.getValue() ?? '(no response editor)'`))
		t.Fatalf("waiting for %q in GraphiQL's response: %v; it shows:\n%s", want, err, last)
	}
	return text
}

// browserConsole collects a tab's console messages.
type browserConsole struct {
	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
	err      error
	// expected are substrings of bad messages that a test expects, which
	// check logs rather than fails on.
	expected []string
}

// expect makes check log, not fail on, bad messages that contain text
// (in "message (url:line)").
func (c *browserConsole) expect(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expected = append(c.expected, text)
}

func collectConsole(ctx context.Context) *browserConsole {
	c := &browserConsole{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			c.mu.Lock()
			if err != nil {
				c.err = err
				c.mu.Unlock()
				return
			}
			c.messages = append(c.messages, m)
			c.mu.Unlock()
		}
	}()
	return c
}

// check waits until every message the page wrote so far has arrived (a
// marker written last must arrive), then logs them all and fails on an
// uncaught exception, a console error, a failed load or a CSP violation.
func (c *browserConsole) check(ctx context.Context, t *testing.T) {
	t.Helper()
	const marker = "browser_test: end of console"
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`console.debug(`+fmt.Sprintf("%q", marker)+`)`)); err == nil {
		deadline := time.Now().Add(5 * time.Second)
		for !c.has(marker) && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		if !c.has(marker) {
			t.Errorf("the console's messages did not all arrive (%v)", c.err)
		}
	} else if !t.Failed() {
		t.Errorf("writing the console marker: %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.messages {
		if m.Text == marker {
			continue
		}
		text := m.String()
		if m.Source != "" {
			text = m.Source + " " + text
		}
		bad := m.IsException() || m.Type == chromedp.ConsoleError || m.Source == "security" ||
			strings.Contains(m.Text, "Content Security Policy")
		at := fmt.Sprintf("%s (%s:%d)", text, m.URL, m.Line+1)
		if bad && !slices.ContainsFunc(c.expected, func(e string) bool { return strings.Contains(at, e) }) {
			t.Errorf("console %s", at)
		} else {
			t.Logf("console %s", at)
		}
	}
}

func (c *browserConsole) has(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.messages {
		if m.Text == text {
			return true
		}
	}
	return false
}
