package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/browsertest"
)

// These tests run examples/web, the React example app, as its users do: the
// built app (vite build's dist/, which .ci/run makes before `go test`) is
// served from an origin of its own, idgraph runs whole on its emulator with
// a real clock and its default CORS origins, and headless Chromium clicks
// through the app and the emulator's hosted page.

// webAppDist is the example app's build output.
const webAppDist = "examples/web/dist"

// webAppSecret signs end users' tokens (IDGRAPH_AUTH_HS256_SECRET): the
// app server's /dev/token mints with it, as the example's dev server mints
// with `idgraph token`.
const webAppSecret = "web-app-test-secret-0123456789abcdef-0123"

// webAppProcessing is the emulator's processing delay: long enough for the
// app to be back from the hosted page and subscribed before the result,
// on a busy machine too.
const webAppProcessing = 3 * time.Second

// webAppWait bounds each wait for what the app shows.
const webAppWait = 15 * time.Second

// webAppBuilt returns the app's build output, or skips the test, saying how
// to build it. IDGRAPH_REQUIRE_WEB_BUILD=1 (set by .ci/run, which builds
// it) makes a missing build a failure instead.
func webAppBuilt(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(webAppDist, "index.html")); err != nil {
		msg := "the example app is not built (" + webAppDist + "/index.html): run `npm ci && npm run build` in examples/web (.ci/run does)"
		if os.Getenv("IDGRAPH_REQUIRE_WEB_BUILD") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return webAppDist
}

// serveWebIdgraph serves idgraph on an in-memory emulator with the real
// clock, HS256 end-user tokens and no CORS setting (the emulator's default
// allows any http://127.0.0.1 port), configured further by vars.
func serveWebIdgraph(t *testing.T, vars map[string]string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	cfg := testConfig(t, mergeVars(map[string]string{
		"IDGRAPH_PUBLIC_URL":                base,
		"IDGRAPH_EMULATOR_PROCESSING_DELAY": webAppProcessing.String(),
		"IDGRAPH_AUTH_HS256_SECRET":         webAppSecret,
		"IDGRAPH_AUTH_CLOCK_SKEW":           "0s", // a token expires when it says
	}, vars))
	cfg.EmulatorDB = "" // in memory
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv.Config.Handler = a.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	return base
}

// idgraphMeta is the tag the app reads idgraph's URL from.
var idgraphMeta = regexp.MustCompile(`<meta name="idgraph-url" content="[^"]*">`)

// serveWebApp serves the built app from dist on an origin of its own,
// pointed at idgraphURL by rewriting index.html's <meta name="idgraph-url">
// (as a host of the built app may), with the dev server's POST /dev/token.
func serveWebApp(t *testing.T, dist, idgraphURL string) string {
	t.Helper()
	index, err := os.ReadFile(filepath.Join(dist, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !idgraphMeta.Match(index) {
		t.Fatalf("%s/index.html has no <meta name=\"idgraph-url\">", dist)
	}
	index = idgraphMeta.ReplaceAll(index, []byte(`<meta name="idgraph-url" content="`+idgraphURL+`">`))
	files := http.FileServer(http.Dir(dist))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /dev/token", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Sub    string   `json:"sub"`
			Scopes []string `json:"scopes"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Sub == "" {
			http.Error(w, `{"error": "send {\"sub\": …}"}`, http.StatusBadRequest)
			return
		}
		tok, err := auth.MintDevToken([]byte(webAppSecret), in.Sub, in.Scopes, time.Hour, "", "")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"token": tok})
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" || r.URL.Path == "/index.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(index)
			return
		}
		files.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// appTab is one browser tab on the app.
type appTab struct {
	t   *testing.T
	ctx context.Context
}

// newTab opens another tab of the browser of ctx: its sessionStorage, where
// the app keeps the sign-in, is its own.
func newTab(t *testing.T, ctx context.Context) appTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	// The tab lives as long as the context of its first action: open it
	// now, not under the deadline of a step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return appTab{t: t, ctx: ctx}
}

// fail ends the test with what the tab shows.
func (a appTab) fail(format string, args ...any) {
	a.t.Helper()
	at, _ := chromedp.Run(a.ctx, chromedp.Location())
	shown, _ := chromedp.Run(a.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	a.t.Fatalf("%s\nthe tab at %s shows:\n%s", fmt.Sprintf(format, args...), at, shown)
}

// do runs actions, failing with what is shown.
func (a appTab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(a.ctx, webAppWait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		a.fail("%s: %v", what, err)
	}
}

// wait polls the page until expr is truthy and returns its value as a
// string. A navigation during the wait (the app leaving for the hosted page
// or coming back) ends one poll; the next poll runs in the new page.
func (a appTab) wait(what, expr string) string {
	a.t.Helper()
	deadline := time.Now().Add(webAppWait)
	for {
		v, err := chromedp.Run(a.ctx, chromedp.Poll[string](`(() => { const v = (`+expr+`); return v ? String(v) : null; })()`,
			chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return v
		}
		// "Inspected target navigated or closed", "Cannot find context
		// with specified id": the page changed under the poll.
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "(-32000)") {
			a.fail("waiting for %s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// eval evaluates expr, a JSON value, into out.
func (a appTab) eval(expr string, out any) {
	a.t.Helper()
	raw, err := chromedp.Run(a.ctx, chromedp.Evaluate[string](`JSON.stringify(`+expr+`)`))
	if err != nil {
		a.fail("evaluate %s: %v", expr, err)
	}
	if err := json.Unmarshal([]byte(raw), out); err != nil {
		a.fail("decode %s: %v", raw, err)
	}
}

// signIn opens the app at origin and signs in as a development user,
// allowed to read their verified name or not.
func (a appTab) signIn(origin, user string, readName bool) {
	a.t.Helper()
	a.do("open the sign-in page", chromedp.Navigate(origin+"/"), chromedp.WaitVisible(chromedp.CSS(`#user`)))
	if !readName {
		a.do("untick the name scope", chromedp.Click(chromedp.CSS(`input[name=read-outputs]`)))
	}
	a.do("sign in as "+user, chromedp.SendKeys(chromedp.CSS(`#user`), user), chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if got := a.wait("the signed-in page", `document.querySelector('#signed-in-user')?.textContent`); got != user {
		a.fail("signed in as %q, want %q", got, user)
	}
}

// hostedPage is the emulator's hosted verification page's button of a form.
func hostedPage(action string) chromedp.CSS {
	return chromedp.CSS(`form:has(input[name=action][value=` + action + `]) button[type=submit]`)
}

// finishOnHostedPage plays the user on the hosted page the tab is sent to:
// passes, or fails with failCode; the browser then returns to the app.
func (a appTab) finishOnHostedPage(idgraphURL, failCode string) {
	a.t.Helper()
	if failCode == "" {
		a.do("wait for the hosted page", chromedp.WaitVisible(hostedPage("pass")))
	} else {
		a.do("wait for the hosted page", chromedp.WaitVisible(hostedPage("fail")))
	}
	if at, _ := chromedp.Run(a.ctx, chromedp.Location()); !strings.HasPrefix(at, idgraphURL+"/verify/") {
		a.fail("the app sent the browser to %s, not to idgraph's hosted page", at)
	}
	if failCode == "" {
		a.do("submit and pass", chromedp.Click(hostedPage("pass")))
	} else {
		a.do("submit and fail", chromedp.SetValue(chromedp.CSS(`select[name=code]`), failCode), chromedp.Click(hostedPage("fail")))
	}
}

// verify starts a verification in the app, finishes it on the hosted page
// and waits until the app, back at its returnUrl, shows wantStatus live. It
// returns the session's ID and the statuses the page received.
func (a appTab) verify(idgraphURL, failCode, wantStatus string) (id string, updates []string) {
	a.t.Helper()
	a.do("click Verify my identity", chromedp.Click(chromedp.CSS(`#verify`)))
	a.finishOnHostedPage(idgraphURL, failCode)
	return a.awaitStatus(wantStatus)
}

// awaitStatus waits, back in the app, for the live status to be want.
func (a appTab) awaitStatus(want string) (id string, updates []string) {
	a.t.Helper()
	a.wait("the return to the app", `location.pathname === '/' && !location.search && document.querySelector('#status')`)
	a.wait("status "+want, `document.querySelector('#status')?.dataset.status === '`+want+`' &&
		document.querySelector('#status-updates li:last-child')?.textContent === '`+want+`'`)
	a.eval(`[...document.querySelectorAll('#status-updates li')].map(li => li.textContent)`, &updates)
	id = a.wait("the session's ID", `document.querySelector('#status-heading code')?.textContent`)
	return id, updates
}

// listedSession is a row of "My verifications".
type listedSession struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Text   string `json:"text"`
}

// listed returns the rows of "My verifications" once it has loaded.
func (a appTab) listed() []listedSession {
	a.t.Helper()
	a.wait("the list", `document.querySelector('#sessions li.session, #sessions li.muted:not(:empty)') && !document.querySelector('#sessions li.muted')?.textContent.startsWith('Loading')`)
	var rows []listedSession
	a.eval(`[...document.querySelectorAll('#sessions li.session')].map(li => ({id: li.dataset.id, status: li.dataset.status, text: li.innerText}))`, &rows)
	return rows
}

func ids(rows []listedSession) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

// TestWebAppTwoUsersVerify is the example app's whole flow, for two users in
// two tabs: each signs in, verifies on the hosted page and comes back to
// the status arriving live; each sees only their own verifications; a
// failed verification shows its reason; the list pages, cancels and redacts,
// with a userError shown on its row.
func TestWebAppTwoUsersVerify(t *testing.T) {
	dist := webAppBuilt(t)
	ctx := browsertest.Start(t, 120*time.Second)
	idgraphURL := serveWebIdgraph(t, nil)
	origin := serveWebApp(t, dist, idgraphURL)
	alice, bob := appTab{t: t, ctx: ctx}, newTab(t, ctx)
	// No tab logs an error or an exception: a React warning or a failed
	// request fails the test (checked last, also after a t.Fatal).
	for _, tab := range []appTab{alice, bob} {
		con := collectConsole(tab.ctx)
		defer con.check(tab.ctx, t)
	}

	// alice may read her verified name; bob may not.
	alice.signIn(origin, "alice", true)
	bob.signIn(origin, "bob", false)
	if rows := alice.listed(); len(rows) != 0 {
		t.Fatalf("a new user's list: %+v, want none", rows)
	}

	aliceID, updates := alice.verify(idgraphURL, "", "VERIFIED")
	t.Logf("alice verified %s; the page received %v", aliceID, updates)
	// PROCESSING then VERIFIED on the same page load: the result came live.
	if len(updates) < 2 || updates[len(updates)-2] != "PROCESSING" || updates[len(updates)-1] != "VERIFIED" {
		t.Errorf("alice's page received %v, want PROCESSING then VERIFIED", updates)
	}
	if name := alice.wait("the verified name", `document.querySelector('#verified-name')?.textContent`); !strings.Contains(name, "Jenny") {
		t.Errorf("alice's verified name: %q, want the emulator's Jenny", name)
	}

	bobID, updates := bob.verify(idgraphURL, "document_expired", "REQUIRES_INPUT")
	t.Logf("bob failed %s; the page received %v", bobID, updates)
	if len(updates) < 2 || updates[len(updates)-2] != "PROCESSING" || updates[len(updates)-1] != "REQUIRES_INPUT" {
		t.Errorf("bob's page received %v, want PROCESSING then REQUIRES_INPUT", updates)
	}
	if reason := bob.wait("the failure's reason", `document.querySelector('#status-reason')?.textContent`); !strings.Contains(reason, "The provided identity document has expired.") {
		t.Errorf("bob's failure shows %q, want the reason in plain words", reason)
	}
	if headline := bob.wait("the headline", `document.querySelector('#status-headline')?.textContent`); !strings.Contains(headline, "did not go through") {
		t.Errorf("bob's headline: %q", headline)
	}

	t.Run("each user lists only their own verifications", func(t *testing.T) {
		if got := ids(alice.listed()); !slices.Equal(got, []string{aliceID}) {
			t.Errorf("alice's list: %v, want [%s]", got, aliceID)
		}
		if got := ids(bob.listed()); !slices.Equal(got, []string{bobID}) {
			t.Errorf("bob's list: %v, want [%s]", got, bobID)
		}
	})

	t.Run("retrying passes; without the scope the name is not shown, and the page says why", func(t *testing.T) {
		bob.do("click Try again", chromedp.Click(chromedp.CSS(`#status a[href*="/verify/"]`)))
		bob.finishOnHostedPage(idgraphURL, "")
		id, updates := bob.awaitStatus("VERIFIED")
		if id != bobID || !slices.Contains(updates, "PROCESSING") {
			t.Errorf("bob's retry: %s received %v, want %s through PROCESSING", id, updates, bobID)
		}
		bob.wait("the note that the name needs a scope", `document.querySelector('#verified-name-hidden')`)
		var name any
		bob.eval(`document.querySelector('#verified-name')?.textContent ?? null`, &name)
		if name != nil {
			t.Errorf("bob, without identity:read_outputs, sees %q", name)
		}
	})

	t.Run("another user's session is not found, as one that does not exist", func(t *testing.T) {
		if _, err := chromedp.Run(alice.ctx, chromedp.Evaluate[bool](`sessionStorage.setItem('idgraph-example.current-session', '`+bobID+`'), true`)); err != nil {
			t.Fatal(err)
		}
		alice.do("show bob's session in alice's tab", chromedp.Reload())
		msg := alice.wait("an error", `document.querySelector('#status-error')?.textContent`)
		if !strings.Contains(msg, "does not exist, or it is not yours") {
			t.Errorf("alice opening bob's session sees %q", msg)
		}
		alice.do("back to her own", chromedp.Click(chromedp.CSS(`li[data-id="`+aliceID+`"] button.show`)))
		alice.wait("her status", `document.querySelector('#status')?.dataset.status === 'VERIFIED'`)
	})

	t.Run("the list pages with Load more, cancels and redacts", func(t *testing.T) {
		aliceToken, err := auth.MintDevToken([]byte(webAppSecret), "alice", nil, time.Hour, "", "")
		if err != nil {
			t.Fatal(err)
		}
		var created []string // oldest first
		for range 6 {
			res := postGraphQLAs(t, idgraphURL, aliceToken, `mutation { createVerificationSession(input: {type: DOCUMENT}) {
				verificationSession { id } userErrors { message } } }`, nil)
			var out struct {
				CreateVerificationSession struct{ VerificationSession *session }
			}
			if err := json.Unmarshal(res.Data, &out); err != nil || out.CreateVerificationSession.VerificationSession == nil {
				t.Fatalf("create: %s %s", res.Data, res.Errors)
			}
			created = append(created, out.CreateVerificationSession.VerificationSession.ID)
		}
		alice.do("reload", chromedp.Reload())
		first := alice.listed()
		if len(first) != 5 {
			t.Fatalf("the first page: %d rows (%v), want 5", len(first), ids(first))
		}
		alice.do("load more", chromedp.Click(chromedp.CSS(`#load-more`)))
		alice.wait("the second page", `document.querySelectorAll('#sessions li.session').length === 7`)
		all := alice.listed()
		want := append(slices.Clone(created), aliceID)
		slices.Sort(want)
		got := ids(all)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("alice's two pages: %v, want her 7 sessions %v", ids(all), want)
		}
		var more bool
		alice.eval(`!!document.querySelector('#load-more')`, &more)
		if more {
			t.Error("Load more is still offered after the last page")
		}

		newest, stale := created[5], created[4]
		row := func(id string) string { return `li[data-id="` + id + `"]` }
		alice.do("cancel the newest",
			chromedp.Click(chromedp.CSS(row(newest)+` button.cancel`)),
			chromedp.Click(chromedp.CSS(row(newest)+` button.confirm-yes`)))
		alice.wait("the canceled row", `document.querySelector('`+row(newest)+`')?.dataset.status === 'CANCELED'`)

		// Canceled elsewhere while the list showed it: the payload's
		// userError is shown on that session's row.
		res := postGraphQLAs(t, idgraphURL, aliceToken, `mutation($id: ID!) { cancelVerificationSession(input: {id: $id}) { userErrors { message } } }`,
			map[string]any{"id": stale})
		if strings.Contains(string(res.Data), "message") && !strings.Contains(string(res.Data), `"userErrors":[]`) {
			t.Fatalf("cancel %s: %s", stale, res.Data)
		}
		alice.do("cancel a session already canceled elsewhere",
			chromedp.Click(chromedp.CSS(row(stale)+` button.cancel`)),
			chromedp.Click(chromedp.CSS(row(stale)+` button.confirm-yes`)))
		shown := alice.wait("the userError on its row", `document.querySelector('`+row(stale)+` .user-errors li[data-code="INVALID_STATE"]')?.textContent`)
		t.Logf("the stale cancel shows: %q", shown)

		alice.do("redact the verified session",
			chromedp.Click(chromedp.CSS(row(aliceID)+` button.redact`)),
			chromedp.Click(chromedp.CSS(row(aliceID)+` button.confirm-yes`)))
		alice.wait("the redacted row", `document.querySelector('`+row(aliceID)+`')?.innerText.includes('personal data erased')`)
	})
}

// TestWebAppErrors: each failure a user can meet gets its own message in
// the app, not a blank page: an expired token (also on an open
// subscription), idgraph out of reach, and a THROTTLED budget.
func TestWebAppErrors(t *testing.T) {
	dist := webAppBuilt(t)
	ctx := browsertest.Start(t, 90*time.Second)

	t.Run("an expired token ends the sign-in, even on an open subscription", func(t *testing.T) {
		idgraphURL := serveWebIdgraph(t, nil)
		origin := serveWebApp(t, dist, idgraphURL)
		tab := newTab(t, ctx)
		const ttl = 5 * time.Second
		tok, err := auth.MintDevToken([]byte(webAppSecret), "carol", nil, ttl, "", "")
		if err != nil {
			t.Fatal(err)
		}
		minted := time.Now()
		res := postGraphQLAs(t, idgraphURL, tok, `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id } } }`, nil)
		var out struct {
			CreateVerificationSession struct{ VerificationSession *session }
		}
		if err := json.Unmarshal(res.Data, &out); err != nil || out.CreateVerificationSession.VerificationSession == nil {
			t.Fatalf("create: %s %s", res.Data, res.Errors)
		}
		id := out.CreateVerificationSession.VerificationSession.ID

		tab.do("sign in with a pasted token",
			chromedp.Navigate(origin+"/"),
			chromedp.Click(chromedp.CSS(`details summary`)),
			chromedp.SendKeys(chromedp.CSS(`#token`), tok),
			chromedp.Click(chromedp.CSS(`details button[type=submit]`)))
		tab.wait("carol's page", `document.querySelector('#signed-in-user')?.textContent === 'carol'`)
		tab.do("follow her session live", chromedp.Click(chromedp.CSS(`li[data-id="`+id+`"] button.show`)))
		tab.wait("its live status", `document.querySelector('#status')?.dataset.status === 'REQUIRES_INPUT'`)
		if time.Since(minted) >= ttl {
			t.Fatalf("the page took %v to subscribe, longer than the token's %v", time.Since(minted), ttl)
		}
		// Nothing else happens on the page: the subscription's end is what
		// tells the app that the token expired.
		msg := tab.wait("the sign-in page saying why", `document.querySelector('#signed-out-reason')?.textContent`)
		// exp is in whole seconds: the token may end up to a second early.
		if !strings.Contains(msg, "expired") || time.Since(minted) < ttl-time.Second {
			t.Errorf("after %v: %q, want the expiry explained after about %v", time.Since(minted), msg, ttl)
		}
		tab.wait("the sign-in form", `document.querySelector('#user')`)
	})

	t.Run("a token already expired: the first query returns to the sign-in", func(t *testing.T) {
		idgraphURL := serveWebIdgraph(t, nil)
		origin := serveWebApp(t, dist, idgraphURL)
		tab := newTab(t, ctx)
		tok, err := auth.MintDevToken([]byte(webAppSecret), "carol", nil, time.Second, "", "")
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second + 100*time.Millisecond)
		tab.do("sign in with a pasted token",
			chromedp.Navigate(origin+"/"),
			chromedp.Click(chromedp.CSS(`details summary`)),
			chromedp.SendKeys(chromedp.CSS(`#token`), tok),
			chromedp.Click(chromedp.CSS(`details button[type=submit]`)))
		// The list's query is answered 401 UNAUTHENTICATED.
		msg := tab.wait("the sign-in page saying why", `document.querySelector('#signed-out-reason')?.textContent`)
		if !strings.Contains(msg, "expired") {
			t.Errorf("with an expired token: %q", msg)
		}
	})

	t.Run("idgraph out of reach", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		down := "http://" + l.Addr().String()
		l.Close() // nothing listens there now
		origin := serveWebApp(t, dist, down)
		tab := newTab(t, ctx)
		tab.signIn(origin, "dave", true)
		msg := tab.wait("the list's error", `document.querySelector('#list-error')?.textContent`)
		t.Logf("with idgraph down, the list shows %q", msg)
		if !strings.Contains(msg, "Cannot reach idgraph at "+down) {
			t.Errorf("with idgraph down, the list shows %q", msg)
		}
	})

	t.Run("THROTTLED says how long to wait", func(t *testing.T) {
		// A bucket of one Stripe call, regained once in 1,000 seconds: the
		// list takes it, and the next operation is throttled.
		idgraphURL := serveWebIdgraph(t, map[string]string{"IDGRAPH_BUDGET_CAPACITY": "1", "IDGRAPH_BUDGET_RESTORE_RATE": "0.001"})
		origin := serveWebApp(t, dist, idgraphURL)
		tab := newTab(t, ctx)
		tab.signIn(origin, "erin", true)
		tab.listed()
		tab.do("click Verify my identity", chromedp.Click(chromedp.CSS(`#verify`)))
		msg := tab.wait("the throttled message", `document.querySelector('section[aria-labelledby=verify-heading] .error')?.textContent`)
		t.Logf("throttled, the page shows %q", msg)
		if !strings.Contains(msg, "Too many requests just now. Please wait") {
			t.Errorf("throttled, the page shows %q", msg)
		}
	})
}
