package emulator

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
	"github.com/stripe/stripe-go/v85"
)

// Stripe's shapes of IDs and client secrets.
var (
	sessionIDRe = regexp.MustCompile(`^vs_[A-Za-z0-9]{24}$`)
	reportIDRe  = regexp.MustCompile(`^vr_[A-Za-z0-9]{24}$`)
	secretRe    = regexp.MustCompile(`^vs_[A-Za-z0-9]{24}_secret_[A-Za-z0-9]{24}$`)
)

// openAPISpec loads testdata/identity-openapi.json, the copy of Stripe's
// OpenAPI spec that the tests hold the emulator to.
func openAPISpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("testdata/identity-openapi.json")
	if err != nil {
		t.Fatalf("load the spec: %v", err)
	}
	return doc
}

// epoch is the fake clock's start: 2026-09-01T00:00:00Z.
var epoch = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

const testDelay = 2 * time.Second

// harness is an emulator on a manual clock, served over httptest, with a
// stripe-go client pointed at it: most tests drive the emulator with
// stripe-go itself, as idgraph does, over HTTP.
type harness struct {
	e     *Emulator
	clock *ManualClock
	srv   *httptest.Server
	sc    *stripe.Client // with a secret key, sk_test_emulator
	rk    *stripe.Client // with a restricted key, rk_test_emulator
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	clock := NewManualClock(epoch)
	e, err := New(context.Background(), Options{PublicURL: "http://emu.test", ProcessingDelay: testDelay, Clock: clock})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &harness{e: e, clock: clock, srv: srv, sc: newStripeClient(srv.URL, nil),
		rk: newStripeClientWithKey("rk_test_emulator", srv.URL, nil)}
}

// newStripeClient builds stripe-go's client for baseURL with a secret key,
// without retries (so that error answers reach the test unchanged) and
// without logging.
func newStripeClient(baseURL string, hc *http.Client) *stripe.Client {
	return newStripeClientWithKey("sk_test_emulator", baseURL, hc)
}

func newStripeClientWithKey(key, baseURL string, hc *http.Client) *stripe.Client {
	cfg := &stripe.BackendConfig{
		URL:               stripe.String(baseURL),
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		HTTPClient:        hc,
	}
	return stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(cfg)))
}

// create makes a document session with defaults.
func (h *harness) create(t *testing.T, p *stripe.IdentityVerificationSessionCreateParams) *stripe.IdentityVerificationSession {
	t.Helper()
	if p == nil {
		p = &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
	}
	vs, err := h.sc.V1IdentityVerificationSessions.Create(context.Background(), p)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return vs
}

func (h *harness) retrieve(t *testing.T, id string, expand ...string) *stripe.IdentityVerificationSession {
	t.Helper()
	return h.retrieveWith(t, h.sc, id, expand...)
}

// retrieveWith retrieves with the client sc (h.sc or h.rk).
func (h *harness) retrieveWith(t *testing.T, sc *stripe.Client, id string, expand ...string) *stripe.IdentityVerificationSession {
	t.Helper()
	p := &stripe.IdentityVerificationSessionRetrieveParams{}
	for _, x := range expand {
		p.AddExpand(x)
	}
	vs, err := sc.V1IdentityVerificationSessions.Retrieve(context.Background(), id, p)
	if err != nil {
		t.Fatalf("retrieve %s: %v", id, err)
	}
	return vs
}

// submit plays the end user on the session's url: errorCode "" passes,
// "abandoned" abandons. It does not advance the clock.
func (h *harness) submit(t *testing.T, vs *stripe.IdentityVerificationSession, errorCode string) hostedpage.Session {
	t.Helper()
	o := hostedpage.Outcome{ErrorCode: errorCode}
	if errorCode == "abandoned" {
		o = hostedpage.Outcome{Abandon: true}
	}
	got, err := h.e.Submit(context.Background(), tokenOf(t, vs.URL), o)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return got
}

// tokenOf returns the token of a session url.
func tokenOf(t *testing.T, url string) string {
	t.Helper()
	const marker = "/verify/"
	for i := 0; i+len(marker) <= len(url); i++ {
		if url[i:i+len(marker)] == marker {
			return url[i+len(marker):]
		}
	}
	t.Fatalf("url %q has no token", url)
	return ""
}

// stripeErr asserts that err is a *stripe.Error with the given fields.
func stripeErr(t *testing.T, err error, status int, typ stripe.ErrorType, code stripe.ErrorCode, param string) *stripe.Error {
	t.Helper()
	var se *stripe.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *stripe.Error", err, err)
	}
	if se.HTTPStatusCode != status || se.Type != typ || se.Code != code || se.Param != param {
		t.Fatalf("error = {status %d, type %q, code %q, param %q, %q}, want {%d, %q, %q, %q}",
			se.HTTPStatusCode, se.Type, se.Code, se.Param, se.Msg, status, typ, code, param)
	}
	if len(se.RequestID) < len("req_")+10 || se.RequestID[:4] != "req_" {
		t.Fatalf("error request ID = %q, want req_…", se.RequestID)
	}
	return se
}

// openFile starts an emulator on path (a manual clock, no delay) and
// closes it at the end of the test.
func openFile(t *testing.T, path string) *Emulator {
	t.Helper()
	e, err := New(context.Background(), Options{Path: path, PublicURL: "http://emu.test", Clock: NewManualClock(epoch)})
	if err != nil {
		t.Fatalf("New(%q): %v", path, err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func inProcessClient(e *Emulator) *stripe.Client {
	return newStripeClient("http://in-process.invalid", &http.Client{Transport: e.RoundTripper()})
}

// doJSON sends req and decodes the JSON answer, which must have status want.
func doJSON(t *testing.T, req *http.Request, want int) map[string]any {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", req.Method, req.URL, resp.StatusCode, want, b)
	}
	if resp.Header.Get("Request-Id") == "" {
		t.Fatalf("%s %s: no Request-Id", req.Method, req.URL)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: %v: %s", req.Method, req.URL, err, b)
	}
	return m
}

// startChildProcess runs this test binary again as a child process, with
// the environment variable env set to value (TestMain turns it into the
// child that env names), and returns it with the first line it printed.
// Its stdin stays open until the test ends, when the child is killed.
func startChildProcess(t *testing.T, env, value string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+value)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("child: %q %v", line, err)
	}
	return cmd, line
}
