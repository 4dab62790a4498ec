package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/browsertest"
	"github.com/idgraph/idgraph/internal/emulator"
)

// These tests put idgraph where a web app meets it: the app's pages, served
// from their own origin, call idgraph's /graphql from the browser with the
// signed-in user's bearer token. idgraph runs whole (newApp) on its
// emulator, with HS256 end-user tokens and exactly one CORS origin, the
// app's.

// browserAuthSecret signs the end users' tokens (IDGRAPH_AUTH_HS256_SECRET).
const browserAuthSecret = "browser-auth-test-secret-0123456789abcdef"

// browserProcessingDelay is the emulator's processing delay: the manual
// clock is advanced by it after a submission.
const browserProcessingDelay = 2 * time.Second

// browserAppPage is the app's one page. It stands in for a single-page app that
// has signed its user in and holds their token: the app server writes the
// token and idgraph's URL into the page (here chosen by ?user=, which is the
// app's business, not idgraph's). gql is how the page calls idgraph; on
// load the page shows the user's sessions, as an app's dashboard would.
var browserAppPage = template.Must(template.New("app").Parse(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>app: {{.User}}</title>
<h1>Verifications of {{.User}}</h1>
<pre id="sessions" data-state="loading">loading</pre>
<script>
const idgraph = {{.Idgraph}};
const token = {{.Token}};
// gql POSTs one operation to idgraph as the signed-in user and resolves to
// what the page could read: the status and JSON body, or fetch's error.
async function gql(query, variables) {
  const headers = {"Content-Type": "application/json"};
  if (token) headers.Authorization = "Bearer " + token;
  try {
    const r = await fetch(idgraph + "/graphql", {method: "POST", headers, body: JSON.stringify({query, variables})});
    return {status: r.status, body: await r.json()};
  } catch (e) {
    return {error: e.name + ": " + e.message};
  }
}
gql("{ verificationSessions { nodes { id status clientReferenceId } } }").then(res => {
  const out = document.getElementById("sessions");
  out.textContent = JSON.stringify(res);
  out.dataset.state = "done";
});
</script>
</html>
`))

// browserAppHandler serves the app: its page for a user of tokens (a user it does
// not know gets a page without a token) and an empty favicon, so that the
// browser's console holds no 404.
func browserAppHandler(idgraphURL string, tokens map[string]string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		user := r.URL.Query().Get("user")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		browserAppPage.Execute(w, map[string]string{"User": user, "Idgraph": idgraphURL, "Token": tokens[user]})
	})
	return mux
}

// browserRequestLog records the method and Origin of each request idgraph
// gets for /graphql, to tell a request the browser never sent from one
// refused.
type browserRequestLog struct {
	mu       sync.Mutex
	requests []string // "POST http://127.0.0.1:1234"
}

func (l *browserRequestLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/graphql" {
			l.mu.Lock()
			l.requests = append(l.requests, r.Method+" "+r.Header.Get("Origin"))
			l.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// count is the number of /graphql requests with method from origin.
func (l *browserRequestLog) count(method, origin string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.requests {
		if r == method+" "+origin {
			n++
		}
	}
	return n
}

// browserApp is idgraph and the app whose origin it allows.
type browserApp struct {
	idgraph string // idgraph's base URL
	origin  string // the app's origin, http://127.0.0.1:<port>: the one CORS origin
	handler http.Handler
	clock   *emulator.ManualClock
	tokens  map[string]string // end users' tokens by subject
	log     *browserRequestLog
}

// serveBrowserApp starts the app on a free port, then idgraph on the
// emulator with authentication and the app's origin as its only CORS origin.
func serveBrowserApp(t *testing.T) browserApp {
	t.Helper()
	appSrv := httptest.NewUnstartedServer(nil) // listening: its port is known
	idgSrv := httptest.NewUnstartedServer(nil)
	b := browserApp{
		idgraph: "http://" + idgSrv.Listener.Addr().String(),
		origin:  "http://" + appSrv.Listener.Addr().String(),
		clock:   emulator.NewManualClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)),
		tokens:  map[string]string{},
		log:     &browserRequestLog{},
	}
	cfg := testConfig(t, map[string]string{
		"IDGRAPH_PUBLIC_URL":                b.idgraph,
		"IDGRAPH_EMULATOR_PROCESSING_DELAY": browserProcessingDelay.String(),
		"IDGRAPH_AUTH_HS256_SECRET":         browserAuthSecret,
		"IDGRAPH_CORS_ORIGINS":              b.origin,
	})
	cfg.EmulatorDB = "" // in memory
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler), b.clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	idgSrv.Config.Handler = b.log.wrap(a.Handler)
	idgSrv.Start()
	t.Cleanup(idgSrv.Close)

	for _, user := range []string{"alice", "bob"} {
		tok, err := auth.MintDevToken([]byte(browserAuthSecret), user, []string{"identity:read_outputs"}, time.Hour, "", "")
		if err != nil {
			t.Fatal(err)
		}
		b.tokens[user] = tok
	}
	b.handler = browserAppHandler(b.idgraph, b.tokens)
	appSrv.Config.Handler = b.handler
	appSrv.Start()
	t.Cleanup(appSrv.Close)
	return b
}

// pageCall is what the app's page read from one call to idgraph.
type pageCall struct {
	Status int `json:"status"`
	Body   struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string `json:"message"`
			Path       []any  `json:"path"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	} `json:"body"`
	Error string `json:"error"` // fetch's failure: "TypeError: Failed to fetch"
}

// String is the call as JSON, for failure messages.
func (c pageCall) String() string { return browserJSON(c) }

// codes are the errors' extensions.code values.
func (c pageCall) codes() []string {
	var out []string
	for _, e := range c.Body.Errors {
		out = append(out, e.Extensions.Code)
	}
	return out
}

// data decodes the data of a call that must have succeeded.
func (c pageCall) data(t *testing.T, out any) {
	t.Helper()
	if c.Error != "" || c.Status != http.StatusOK || len(c.Body.Errors) > 0 {
		t.Fatalf("the page's call failed: %+v", c)
	}
	if err := json.Unmarshal(c.Body.Data, out); err != nil {
		t.Fatalf("decode %s: %v", c.Body.Data, err)
	}
}

// openApp loads the app's page at origin for user in the tab of ctx and
// returns what the page shows once its first call is done: the user's
// sessions, or why it could not read them.
func openApp(ctx context.Context, t *testing.T, origin, user string) pageCall {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(origin+"/?user="+user)); err != nil {
		t.Fatalf("open the app at %s: %v", origin, err)
	}
	return shownSessions(ctx, t)
}

// shownSessions waits for the page's list and returns it.
func shownSessions(ctx context.Context, t *testing.T) pageCall {
	t.Helper()
	shown, err := chromedp.Run(ctx, chromedp.Poll[string](
		`document.getElementById("sessions")?.dataset.state === "done" && document.getElementById("sessions").textContent`))
	if err != nil {
		t.Fatalf("waiting for the page's sessions: %v", err)
	}
	var c pageCall
	if err := json.Unmarshal([]byte(shown), &c); err != nil {
		t.Fatalf("the page shows %q: %v", shown, err)
	}
	return c
}

// callFromPage runs one operation through the page's gql, in the browser.
func callFromPage(ctx context.Context, t *testing.T, query string, vars map[string]any) pageCall {
	t.Helper()
	q, _ := json.Marshal(query)
	v, err := json.Marshal(vars)
	if err != nil {
		t.Fatal(err)
	}
	c, err := chromedp.Run(ctx, chromedp.Evaluate[pageCall](fmt.Sprintf(`gql(%s, %s)`, q, v), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("gql in the page: %v", err)
	}
	return c
}

// browserSession is a session as these tests select it.
type browserSession struct {
	ID                string  `json:"id"`
	Status            string  `json:"status"`
	ClientReferenceID *string `json:"clientReferenceId"`
	URL               *string `json:"url"`
	Metadata          []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"metadata"`
	Redaction       *json.RawMessage `json:"redaction"`
	VerifiedOutputs *struct {
		FirstName string `json:"firstName"`
	} `json:"verifiedOutputs"`
}

// String is the session as JSON, for failure messages.
func (s browserSession) String() string { return browserJSON(s) }

func browserJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// sessionsShown are the sessions of the page's on-load list.
func sessionsShown(t *testing.T, c pageCall) []browserSession {
	t.Helper()
	var out struct {
		VerificationSessions struct{ Nodes []browserSession } `json:"verificationSessions"`
	}
	c.data(t, &out)
	return out.VerificationSessions.Nodes
}

const (
	createForUserMutation = `mutation($input: CreateVerificationSessionInput!) {
  createVerificationSession(input: $input) {
    verificationSession { id status clientReferenceId url }
    userErrors { field message code }
  }
}`
	readSessionQuery = `query($id: ID!) {
  verificationSession(id: $id) { id status clientReferenceId url metadata { key value } redaction { status } }
}`
)

// browserPayload is a VerificationSessionPayload.
type browserPayload struct {
	VerificationSession *browserSession `json:"verificationSession"`
	UserErrors          []struct {
		Field   []string `json:"field"`
		Message string   `json:"message"`
		Code    string   `json:"code"`
	} `json:"userErrors"`
}

func (m browserPayload) codes() []string {
	var out []string
	for _, e := range m.UserErrors {
		out = append(out, e.Code)
	}
	return out
}

// mutateFromPage runs a mutation whose one field is a payload, in the page.
func mutateFromPage(ctx context.Context, t *testing.T, field, query string, vars map[string]any) browserPayload {
	t.Helper()
	var out map[string]browserPayload
	callFromPage(ctx, t, query, vars).data(t, &out)
	return out[field]
}

// createFromPage creates a session in the page and fails the test unless it
// was created.
func createFromPage(ctx context.Context, t *testing.T, input map[string]any) browserSession {
	t.Helper()
	p := mutateFromPage(ctx, t, "createVerificationSession", createForUserMutation, map[string]any{"input": input})
	if len(p.UserErrors) > 0 || p.VerificationSession == nil {
		t.Fatalf("createVerificationSession in the page: %+v", p)
	}
	return *p.VerificationSession
}

// readFromPage reads a session in the page; nil with the errors' codes when
// there is none.
func readFromPage(ctx context.Context, t *testing.T, id string) (*browserSession, []string) {
	t.Helper()
	c := callFromPage(ctx, t, readSessionQuery, map[string]any{"id": id})
	if c.Error != "" || c.Status != http.StatusOK {
		t.Fatalf("verificationSession(%s) in the page: %+v", id, c)
	}
	var out struct{ VerificationSession *browserSession }
	if err := json.Unmarshal(c.Body.Data, &out); err != nil {
		t.Fatalf("decode %s: %v", c.Body.Data, err)
	}
	return out.VerificationSession, c.codes()
}

func orNull(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

// awaitConsole returns a channel that gets the first console message of the
// tab of ctx containing substr. It listens from the call on, until it finds
// one or ctx ends: give it a context that ends.
func awaitConsole(ctx context.Context, substr string) <-chan string {
	found := make(chan string, 1)
	messages := chromedp.Console(ctx) // subscribed now, before the caller acts
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if strings.Contains(m.Text, substr) {
				found <- m.Text
				return
			}
		}
	}()
	return found
}

// TestBrowserAppCallsIdgraphWithBearerToken is a web app's page, on an
// origin of its own, using idgraph from Chromium with its user's bearer
// token: it creates a session returning to the app, reads it back as its
// own, sends its user through the emulator's hosted page and reads the
// verified result. A page from an origin not allowed, with the same valid
// token, gets nothing: Chromium's CORS check refuses the preflight and the
// POST is never sent. A request for another Host name is misdirected.
func TestBrowserAppCallsIdgraphWithBearerToken(t *testing.T) {
	b := serveBrowserApp(t)
	ctx := browsertest.Start(t, 30*time.Second)
	con := collectConsole(ctx)
	// The stranger's tab, in the same browser, expects console errors (the
	// CORS refusals, a 401): the console of Alice's tab must stay clean.
	strangerCtx, closeStranger := chromedp.NewContext(ctx)
	defer closeStranger()
	// Open the tab now: a tab lives as long as the context of its first
	// action, and awaitConsole's are short.
	if err := chromedp.Do(strangerCtx); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	defer func() { con.check(ctx, t) }()

	// 1. Alice's app, on the allowed origin, reads her (empty) list.
	if got := sessionsShown(t, openApp(ctx, t, b.origin, "alice")); len(got) != 0 {
		t.Fatalf("Alice's new app shows sessions: %+v", got)
	}

	// 2. It creates a session for her, returning to the app, and reads it.
	returnURL := b.origin + "/?user=alice"
	created := createFromPage(ctx, t, map[string]any{"type": "DOCUMENT", "returnUrl": returnURL})
	got, codes := readFromPage(ctx, t, created.ID)
	switch {
	case got == nil:
		t.Fatalf("verificationSession(%s) of her own is null, codes %v", created.ID, codes)
	case got.ID != created.ID || got.Status != "REQUIRES_INPUT" || orNull(got.ClientReferenceID) != "alice":
		t.Errorf("read back %s: id %s, status %s, clientReferenceId %s; want REQUIRES_INPUT for alice",
			created.ID, got.ID, got.Status, orNull(got.ClientReferenceID))
	case got.URL == nil || !strings.HasPrefix(*got.URL, b.idgraph+"/verify/"):
		t.Errorf("the session's url is %s, want the emulator's hosted page under %s/verify/", orNull(got.URL), b.idgraph)
	}
	if got == nil || got.URL == nil {
		t.FailNow()
	}

	// 3. Alice passes on the hosted page and lands back in the app.
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(*got.URL))
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("open the hosted page: %v (status %v)", err, res)
	}
	passButton := chromedp.CSS(`form:has(input[name=action][value=pass]) button[type=submit]`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(passButton)); err != nil {
		t.Fatalf("the hosted page's pass button: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(passButton))); err != nil {
		t.Fatalf("submit and pass: %v", err)
	}
	if at, err := chromedp.Run(ctx, chromedp.Location()); err != nil || at != returnURL {
		t.Fatalf("after submitting, the browser is at %s (%v), want the return URL %s", at, err, returnURL)
	}
	if list := sessionsShown(t, shownSessions(ctx, t)); len(list) != 1 || list[0].ID != created.ID || list[0].Status != "PROCESSING" {
		t.Errorf("back in the app, Alice's sessions are %+v; want %s PROCESSING", list, created.ID)
	}

	// 4. After the processing delay, the app reads her verified name: her
	// token has identity:read_outputs.
	b.clock.Advance(browserProcessingDelay)
	var verified struct{ VerificationSession *browserSession }
	callFromPage(ctx, t, `query($id: ID!) { verificationSession(id: $id) { status verifiedOutputs { firstName } } }`,
		map[string]any{"id": created.ID}).data(t, &verified)
	if v := verified.VerificationSession; v == nil || v.Status != "VERIFIED" || v.VerifiedOutputs == nil || v.VerifiedOutputs.FirstName == "" {
		t.Errorf("after processing, Alice reads %+v; want VERIFIED with a first name", v)
	}

	// 5. Pages from origins not allowed, with Alice's valid token: the
	// same app on localhost (another host name, same port) and on another
	// port of 127.0.0.1.
	other := httptest.NewServer(b.handler)
	defer other.Close()
	for _, origin := range []string{
		strings.Replace(b.origin, "127.0.0.1", "localhost", 1),
		other.URL,
	} {
		// Chromium says why in the console; a bounded wait, so that a
		// failure here leaves the rest of the test its time.
		consoleCtx, stopConsole := context.WithTimeout(strangerCtx, 5*time.Second)
		blocked := awaitConsole(consoleCtx, "from origin '"+origin+"' has been blocked by CORS policy")
		if c := openApp(strangerCtx, t, origin, "alice"); c.Error != "TypeError: Failed to fetch" {
			t.Errorf("the page at %s read its list: %+v; want TypeError: Failed to fetch", origin, c)
		}
		if c := callFromPage(strangerCtx, t, createForUserMutation, map[string]any{"input": map[string]any{"type": "DOCUMENT"}}); c.Error != "TypeError: Failed to fetch" {
			t.Errorf("the page at %s created a session: %+v; want TypeError: Failed to fetch", origin, c)
		}
		select {
		case msg := <-blocked:
			t.Logf("Chromium: %s", msg)
		case <-consoleCtx.Done():
			t.Errorf("Chromium said nothing about CORS blocking %s: %v", origin, consoleCtx.Err())
		}
		stopConsole()
		if n := b.log.count(http.MethodOptions, origin); n == 0 {
			t.Errorf("no preflight from %s reached idgraph: the failure was not CORS's", origin)
		}
		if n := b.log.count(http.MethodPost, origin); n != 0 {
			t.Errorf("%d POSTs from %s reached idgraph; the browser must not send them", n, origin)
		}
	}
	// Nothing was created in Alice's name.
	resp := postGraphQLAs(t, b.idgraph, b.tokens["alice"], `{ verificationSessions { nodes { id } } }`, nil)
	var list struct {
		VerificationSessions struct{ Nodes []browserSession } `json:"verificationSessions"`
	}
	if err := json.Unmarshal(resp.Data, &list); err != nil || len(resp.Errors) > 0 || len(list.VerificationSessions.Nodes) != 1 {
		t.Errorf("Alice's sessions after the blocked pages: %s %s (%v); want only %s", resp.Data, resp.Errors, err, created.ID)
	}

	// 6. The allowed origin without a token reads the 401, so that an app
	// can tell its user to sign in rather than see a network error.
	if c := openApp(strangerCtx, t, b.origin, "nobody"); c.Status != http.StatusUnauthorized || !slices.Equal(c.codes(), []string{"UNAUTHENTICATED"}) {
		t.Errorf("a page without a token read %+v; want 401 with UNAUTHENTICATED", c)
	}

	// 7. DNS rebinding: a request for another Host name is refused, even
	// with a valid token.
	for _, path := range []string{"/graphql", "/"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.idgraph+path,
			strings.NewReader(`{"query":"{ verificationSessions { nodes { id } } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "attacker.example"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+b.tokens["alice"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("POST %s for Host attacker.example: %d, want 421", path, res.StatusCode)
		}
	}
}

// TestBrowserTwoUsersSeeAndChangeOnlyTheirOwnSessions is Alice and Bob,
// each in a browser of their own, using the same app: each sees only their
// own sessions, and Bob can neither read nor change Alice's, through any
// operation, nor create one in her name.
func TestBrowserTwoUsersSeeAndChangeOnlyTheirOwnSessions(t *testing.T) {
	b := serveBrowserApp(t)
	alice := browsertest.Start(t, 30*time.Second)
	bob := browsertest.Start(t, 30*time.Second)
	aliceCon, bobCon := collectConsole(alice), collectConsole(bob)
	defer func() {
		aliceCon.check(alice, t)
		bobCon.check(bob, t)
	}()

	openApp(alice, t, b.origin, "alice")
	openApp(bob, t, b.origin, "bob")
	a := createFromPage(alice, t, map[string]any{"type": "DOCUMENT", "returnUrl": b.origin + "/?user=alice",
		"metadata": []map[string]any{{"key": "order", "value": "a-1"}}})
	bs := createFromPage(bob, t, map[string]any{"type": "DOCUMENT", "returnUrl": b.origin + "/?user=bob"})
	if orNull(a.ClientReferenceID) != "alice" || orNull(bs.ClientReferenceID) != "bob" {
		t.Fatalf("sessions created for %s and %s, want alice and bob", orNull(a.ClientReferenceID), orNull(bs.ClientReferenceID))
	}

	// Bob's app, reloaded, shows his session only.
	if list := sessionsShown(t, openApp(bob, t, b.origin, "bob")); len(list) != 1 || list[0].ID != bs.ID || orNull(list[0].ClientReferenceID) != "bob" {
		t.Errorf("Bob's app shows %+v; want only %s", list, bs.ID)
	}
	var filtered struct {
		VerificationSessions struct{ Nodes []browserSession } `json:"verificationSessions"`
	}
	callFromPage(bob, t, `{ verificationSessions(filter: {clientReferenceId: "alice"}) { nodes { id } } }`, nil).data(t, &filtered)
	if n := filtered.VerificationSessions.Nodes; len(n) != 0 {
		t.Errorf("Bob's list filtered to alice holds %+v; want nothing", n)
	}

	// Bob cannot read Alice's session, by either field: it does not exist
	// for him.
	if got, codes := readFromPage(bob, t, a.ID); got != nil || !slices.Equal(codes, []string{"NOT_FOUND"}) {
		t.Errorf("Bob's verificationSession(%s): %+v, codes %v; want null with NOT_FOUND", a.ID, got, codes)
	}
	c := callFromPage(bob, t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": a.ID})
	if c.Error != "" || string(c.Body.Data) != `{"node":null}` || !slices.Equal(c.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("Bob's node(%s): %+v; want null with NOT_FOUND", a.ID, c)
	}

	// Nor change it. (Update first: were cancel to succeed, it would leave
	// the others nothing to change.)
	for _, tt := range []struct {
		field, mutation string
		input           map[string]any
	}{
		{"updateVerificationSession", `mutation($input: UpdateVerificationSessionInput!) {
  updateVerificationSession(input: $input) { verificationSession { id status } userErrors { field message code } } }`,
			map[string]any{"id": a.ID, "metadata": []map[string]any{{"key": "order", "value": "bob-was-here"}}}},
		{"cancelVerificationSession", `mutation($input: CancelVerificationSessionInput!) {
  cancelVerificationSession(input: $input) { verificationSession { id status } userErrors { field message code } } }`,
			map[string]any{"id": a.ID}},
		{"redactVerificationSession", `mutation($input: RedactVerificationSessionInput!) {
  redactVerificationSession(input: $input) { verificationSession { id status } userErrors { field message code } } }`,
			map[string]any{"id": a.ID}},
	} {
		p := mutateFromPage(bob, t, tt.field, tt.mutation, map[string]any{"input": tt.input})
		if p.VerificationSession != nil || !slices.Equal(p.codes(), []string{"NOT_FOUND"}) {
			t.Errorf("Bob's %s of Alice's session: %+v; want no session and a NOT_FOUND user error", tt.field, p)
		}
	}
	p := mutateFromPage(bob, t, "createVerificationSession", createForUserMutation,
		map[string]any{"input": map[string]any{"type": "DOCUMENT", "clientReferenceId": "alice"}})
	if p.VerificationSession != nil || !slices.Equal(p.codes(), []string{"FORBIDDEN"}) {
		t.Errorf("Bob's createVerificationSession for alice: %+v; want no session and a FORBIDDEN user error", p)
	}

	// Alice's session is as she left it, and her app shows it alone.
	got, codes := readFromPage(alice, t, a.ID)
	switch {
	case got == nil:
		t.Fatalf("Alice's verificationSession(%s) is null, codes %v", a.ID, codes)
	case got.Status != "REQUIRES_INPUT" || got.Redaction != nil || len(got.Metadata) != 1 || got.Metadata[0].Value != "a-1":
		t.Errorf("after Bob's attempts Alice's session is %s, redaction %v, metadata %+v; want REQUIRES_INPUT, not redacted, order=a-1",
			got.Status, got.Redaction, got.Metadata)
	}
	if list := sessionsShown(t, openApp(alice, t, b.origin, "alice")); len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("Alice's app shows %+v; want only %s", list, a.ID)
	}

	// Each cancels: Alice her own, and Bob's only in vain.
	const cancel = `mutation($id: ID!) { cancelVerificationSession(input: {id: $id}) {
  verificationSession { id status } userErrors { field message code } } }`
	p = mutateFromPage(alice, t, "cancelVerificationSession", cancel, map[string]any{"id": bs.ID})
	if p.VerificationSession != nil || !slices.Equal(p.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("Alice's cancel of Bob's session: %+v; want a NOT_FOUND user error", p)
	}
	p = mutateFromPage(alice, t, "cancelVerificationSession", cancel, map[string]any{"id": a.ID})
	if len(p.UserErrors) > 0 || p.VerificationSession == nil || p.VerificationSession.Status != "CANCELED" {
		t.Errorf("Alice's cancel of her session: %+v; want it CANCELED", p)
	}
	if got, codes := readFromPage(bob, t, bs.ID); got == nil || got.Status != "REQUIRES_INPUT" {
		t.Errorf("Bob's session after Alice's cancels: %+v, codes %v; want REQUIRES_INPUT", got, codes)
	}
}
