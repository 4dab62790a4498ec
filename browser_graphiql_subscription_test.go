package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/browsertest"
)

// The query and response editors of GraphiQL 3 (CodeMirror 5).
const (
	graphiqlEditor   = `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`
	graphiqlResponse = `(document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue() ?? '')`
)

// TestBrowserGraphiQLSubscription is issue 9's walkthrough in GraphiQL: in
// one tab, paste the README's first mutation under the default document and
// run it, then run a subscription to the new session; in a second tab, pass
// the session on the hosted page; the first tab's result pane shows
// REQUIRES_INPUT, then PROCESSING, then VERIFIED as they arrive over
// GraphiQL's WebSocket. Once in development (no credential) and once as an
// end user whose dev token is in GraphiQL's Headers tab, which the
// WebSocket carries in connection_init. It fails on any CSP violation,
// uncaught exception or console error in GraphiQL's tab.
func TestBrowserGraphiQLSubscription(t *testing.T) {
	const secret = "a-browser-test-secret-of-32-bytes-or-more"
	tests := []struct {
		name string
		vars map[string]string
		// users sign in with dev tokens; none in development.
		users bool
	}{
		{"in development, without a credential", nil, false},
		{"as an end user, with a dev token in the Headers tab", map[string]string{"IDGRAPH_AUTH_HS256_SECRET": secret}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startOnEmulator(t, mergeVars(map[string]string{"IDGRAPH_EMULATOR_PROCESSING_DELAY": "2s"}, tt.vars))
			var token, othersSession string
			if tt.users {
				token = mintToken(t, secret, "user_graphiql")
				// Another user's session, which the subscription's
				// credential must not reach.
				resp := postGraphQLAs(t, s.url, mintToken(t, secret, "user_other"),
					`mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id } } }`, nil)
				var out struct{ CreateVerificationSession payload }
				if err := json.Unmarshal(resp.Data, &out); err != nil || out.CreateVerificationSession.VerificationSession == nil {
					t.Fatalf("another user's session: %s %s (%v)", resp.Data, resp.Errors, err)
				}
				othersSession = out.CreateVerificationSession.VerificationSession.ID
			}
			graphiqlWalkthrough(t, s, token, othersSession)
		})
	}
}

func mintToken(t *testing.T, secret, user string) string {
	t.Helper()
	tok, err := auth.MintDevToken([]byte(secret), user, nil, time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// graphiqlWalkthrough runs the walkthrough on s, with token in the Headers
// tab unless it is "". othersSession, when set, is a session the token's
// user must not be able to subscribe to.
func graphiqlWalkthrough(t *testing.T, s emulatorServer, token, othersSession string) {
	ctx := browsertest.Start(t, 60*time.Second)
	con := collectConsole(ctx)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: browserRecordCSP}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__cspViolations || []`))
		if err != nil {
			t.Errorf("reading GraphiQL's CSP violations: %v", err)
		}
		for _, v := range v {
			t.Errorf("CSP violation in GraphiQL: %s", v)
		}
		con.check(ctx, t)
	}()
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// 1. Open GraphiQL; as a user, put the token in the Headers tab.
	step("open GraphiQL",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .CodeMirror")),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-execute-button")),
	)
	if token != "" {
		// GraphiQL asked for the schema on load, before the token was in
		// the Headers tab: idgraph answered 401, which a user meets too.
		con.expect("status of 401 (Unauthorized) (" + s.url + "/graphql:")
		headers, _ := json.Marshal(fmt.Sprintf(`{"Authorization": "Bearer %s"}`, token))
		step("fill in the Headers tab",
			chromedp.Click(chromedp.CSS(`.graphiql-editor-tools button[data-name=headers]`)),
			chromedp.WaitVisible(chromedp.CSS(`.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror`)),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').CodeMirror.setValue(`+string(headers)+`)`),
		)
	}

	// 2. Paste the README's first mutation under the default document and
	// run it. Its returnUrl becomes this server's, so that the hosted page
	// returns here rather than to a port of the README's.
	mutation := regexp.MustCompile(`returnUrl: "[^"]*"`).ReplaceAllString(readmeFirstOperation(t), fmt.Sprintf("returnUrl: %q", s.url+"/healthz"))
	pasted, _ := json.Marshal("\n" + mutation)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const e = %s; e.replaceRange(%s, {line: e.lastLine()}); })()`, graphiqlEditor, pasted))); err != nil {
		t.Fatalf("paste the README's mutation: %v", err)
	}
	created := runGraphiQLEditor(ctx, t, "vs_")
	var res struct {
		Data struct {
			CreateVerificationSession struct{ VerificationSession *session }
		}
		Errors json.RawMessage
	}
	if err := json.Unmarshal([]byte(created), &res); err != nil {
		t.Fatalf("GraphiQL's result is not JSON: %v\n%s", err, created)
	}
	sess := res.Data.CreateVerificationSession.VerificationSession
	if len(res.Errors) > 0 || sess == nil || sess.URL == "" {
		t.Fatalf("the README's mutation pasted under the default document:\n%s", created)
	}

	// 3. Subscribe; the session comes at once. The credential is the
	// Headers tab's: another user's session is NOT_FOUND.
	if othersSession != "" {
		got := runInGraphiQL(ctx, t, fmt.Sprintf(`subscription {
  verificationSessionUpdated(id: %q) { status }
}`, othersSession), "NOT_FOUND")
		if !strings.Contains(got, `"code": "NOT_FOUND"`) {
			t.Errorf("another user's session in GraphiQL: %s, want NOT_FOUND", got)
		}
		waitFor(t, "the refused subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
	}
	if first := runInGraphiQL(ctx, t, fmt.Sprintf(`subscription {
  verificationSessionUpdated(id: %q) { status }
}`, sess.ID), "REQUIRES_INPUT"); !strings.Contains(first, `"status": "REQUIRES_INPUT"`) {
		t.Fatalf("the subscription's first result in GraphiQL:\n%s", first)
	}
	waitFor(t, "the subscription in the hub", func() bool { return s.hub.Stats().Subscriptions == 1 })

	// 4. In a second tab, pass the session on the hosted page.
	tab, closeTab := chromedp.NewContext(ctx)
	defer closeTab()
	passButton := chromedp.CSS(`form:has(input[name=action][value=pass]) button[type=submit]`)
	if err := chromedp.Do(tab, chromedp.Navigate(sess.URL), chromedp.WaitVisible(passButton)); err != nil {
		t.Fatalf("open the hosted page in a second tab: %v", err)
	}
	if _, err := chromedp.Run(tab, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(passButton))); err != nil {
		t.Fatalf("submit and pass: %v", err)
	}

	// 5. The first tab shows each state as it arrives.
	waitInResponse(ctx, t, `"status": "PROCESSING"`)
	s.clock.Advance(2 * time.Second) // the emulator's processing delay
	final := waitInResponse(ctx, t, `"status": "VERIFIED"`)
	if strings.Contains(final, `"errors"`) {
		t.Errorf("the subscription's result has errors:\n%s", final)
	}
	// The subscription stays open for more; GraphiQL's stop button ends it.
	step("stop the subscription", chromedp.Click(chromedp.CSS(".graphiql-execute-button")))
	waitFor(t, "the subscription to end", func() bool { return s.hub.Stats().Subscriptions == 0 })
}

// waitInResponse waits until GraphiQL's result pane shows want, and returns
// what it shows.
func waitInResponse(ctx context.Context, t *testing.T, want string) string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.PollFunction[string](`want => {
		const v = `+graphiqlResponse+`;
		return v.includes(want) && v;
	}`, chromedp.WithPollingArgs(want), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		last, _ := chromedp.Run(ctx, chromedp.Evaluate[string](graphiqlResponse))
		t.Fatalf("waiting for %s in GraphiQL's result: %v; it shows:\n%s", want, err, last)
	}
	return got
}

// readmeFirstOperation is the README walkthrough's first GraphQL block, as
// a newcomer copies it (a list item's indentation removed).
func readmeFirstOperation(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindStringSubmatch(string(readme))
	if m == nil {
		t.Fatal("no GraphQL block in README.md")
	}
	return regexp.MustCompile(`(?m)^   `).ReplaceAllString(m[1], "")
}
