package hostedpage

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeBackend is a Backend whose behaviour each test sets through function
// fields; it records the calls it receives. A nil field fails the test, so a
// test states every call it expects.
type fakeBackend struct {
	t              *testing.T
	sessionByToken func(ctx context.Context, token string) (Session, error)
	submit         func(ctx context.Context, token string, o Outcome) (Session, error)

	mu      sync.Mutex
	lookups []string
	submits []submitCall
}

type submitCall struct {
	Token   string
	Outcome Outcome
}

func (f *fakeBackend) SessionByToken(ctx context.Context, token string) (Session, error) {
	f.mu.Lock()
	f.lookups = append(f.lookups, token)
	f.mu.Unlock()
	if f.sessionByToken == nil {
		f.t.Errorf("unexpected SessionByToken(%q)", token)
		return Session{}, ErrNotFound
	}
	return f.sessionByToken(ctx, token)
}

func (f *fakeBackend) Submit(ctx context.Context, token string, o Outcome) (Session, error) {
	f.mu.Lock()
	f.submits = append(f.submits, submitCall{Token: token, Outcome: o})
	f.mu.Unlock()
	if f.submit == nil {
		f.t.Errorf("unexpected Submit(%q, %+v)", token, o)
		return Session{}, ErrNotFound
	}
	return f.submit(ctx, token, o)
}

func (f *fakeBackend) submitCalls() []submitCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]submitCall(nil), f.submits...)
}

// testToken is long and distinctive so that a leak into a log is easy to spot.
const testToken = "tok_secret_3f9a1c7e"

// serve sends one request to a handler over b and returns the response and
// everything the handler logged.
func serve(t *testing.T, b Backend, r *http.Request) (*httptest.ResponseRecorder, string) {
	t.Helper()
	var logs bytes.Buffer
	rec := httptest.NewRecorder()
	New(b, slog.New(slog.NewTextHandler(&logs, nil))).ServeHTTP(rec, r)
	return rec, logs.String()
}

func postForm(target, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// assertPageHeaders checks the headers that every HTML response must carry,
// with the CSP's form-action source list.
func assertPageHeaders(t *testing.T, h http.Header, formAction string) {
	t.Helper()
	want := map[string]string{
		"Content-Type": "text/html; charset=utf-8",
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action " + formAction +
			"; base-uri 'none'; frame-ancestors 'none'",
		"Cache-Control":          "no-store",
		"Referrer-Policy":        "no-referrer",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	}
	for name, value := range want {
		if got := h.Get(name); got != value {
			t.Errorf("header %s = %q, want %q", name, got, value)
		}
	}
}

// assertNoScript checks that a page carries no script of any kind.
func assertNoScript(t *testing.T, body string) {
	t.Helper()
	lower := strings.ToLower(body)
	for _, bad := range []string{"<script", "javascript:", " onclick=", " onsubmit=", " onload="} {
		if strings.Contains(lower, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

// countLogs is the number of records in slog text output.
func countLogs(logs string) int {
	return strings.Count(logs, "\n")
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return string(b)
}
