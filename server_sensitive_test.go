package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/emulator"
)

// passOnHostedPage plays the end user: submits and passes on the session's
// hosted page, then lets the processing delay pass.
func passOnHostedPage(t *testing.T, sessionURL string, clock *emulator.ManualClock) {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(sessionURL, url.Values{"action": {"pass"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// Without a return_url the page itself says it is done (200).
	if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusOK {
		t.Fatalf("submit: status %d", res.StatusCode)
	}
	clock.Advance(10 * time.Second)
}

const sensitiveQuery = `query($id: ID!) { verificationSession(id: $id) {
	status
	verifiedOutputs { firstName dob { year } idNumber }
	lastVerificationReport { document { number } }
} }`

// fieldErrors maps the dotted path of each error to its code and message.
func fieldErrors(t *testing.T, raw json.RawMessage) map[string]string {
	t.Helper()
	var errs []struct {
		Message    string
		Path       []any
		Extensions map[string]any
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &errs); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]string{}
	for _, e := range errs {
		var parts []string
		for _, p := range e.Path {
			if s, ok := p.(string); ok {
				parts = append(parts, s)
			}
		}
		out[strings.Join(parts, ".")] = e.Extensions["code"].(string) + ": " + e.Message
	}
	return out
}

// Personal data needs its scope, and Stripe's rule on sensitive results
// (restricted key, 48 hours) shows through the emulator as it would on
// Stripe.
func TestSensitiveResultsOnTheEmulator(t *testing.T) {
	s := serveSecured(t, nil)
	resp := postGraphQLAs(t, s.url, s.alice, `mutation { createVerificationSession(input: {type: DOCUMENT, options: {document: {requireIdNumber: true}}}) { verificationSession { id url } } }`, nil)
	var created struct {
		CreateVerificationSession struct{ VerificationSession struct{ ID, URL string } }
	}
	if err := json.Unmarshal(resp.Data, &created); err != nil || created.CreateVerificationSession.VerificationSession.URL == "" {
		t.Fatalf("create: %s %s", resp.Data, resp.Errors)
	}
	id := created.CreateVerificationSession.VerificationSession.ID
	passOnHostedPage(t, created.CreateVerificationSession.VerificationSession.URL, s.clock)

	read := func(t *testing.T, scopes ...string) (string, map[string]string) {
		t.Helper()
		resp := postGraphQLAs(t, s.url, userToken(t, "alice", scopes...), sensitiveQuery, map[string]any{"id": id})
		return string(resp.Data), fieldErrors(t, resp.Errors)
	}
	const vs = "verificationSession."

	t.Run("without identity:read_outputs the outputs and report are FORBIDDEN", func(t *testing.T) {
		data, errs := read(t)
		if !strings.Contains(data, `"status":"VERIFIED"`) || !strings.Contains(data, `"verifiedOutputs":null`) ||
			!strings.HasPrefix(errs[vs+"verifiedOutputs"], "FORBIDDEN") || !strings.HasPrefix(errs[vs+"lastVerificationReport"], "FORBIDDEN") {
			t.Errorf("data %s, errors %v", data, errs)
		}
	})
	t.Run("without identity:read_sensitive the name arrives and dob is FORBIDDEN", func(t *testing.T) {
		data, errs := read(t, auth.ScopeReadOutputs)
		if !strings.Contains(data, `"firstName":"`) || !strings.Contains(data, `"dob":null`) ||
			!strings.HasPrefix(errs[vs+"verifiedOutputs.dob"], "FORBIDDEN") || !strings.Contains(errs[vs+"verifiedOutputs.dob"], auth.ScopeReadSensitive) {
			t.Errorf("data %s, errors %v", data, errs)
		}
	})
	t.Run("with both scopes dob, idNumber and the document number arrive", func(t *testing.T) {
		data, errs := read(t, auth.ScopeReadOutputs, auth.ScopeReadSensitive)
		if len(errs) > 0 || !strings.Contains(data, `"dob":{"year":`) || strings.Contains(data, `"idNumber":null`) || strings.Contains(data, `"number":null`) {
			t.Errorf("data %s, errors %v", data, errs)
		}
	})
	t.Run("past 48 hours Stripe refuses them, and idgraph says which rule", func(t *testing.T) {
		s.clock.Advance(49 * time.Hour)
		data, errs := read(t, auth.ScopeReadOutputs, auth.ScopeReadSensitive)
		if !strings.Contains(data, `"firstName":"`) || !strings.HasPrefix(errs[vs+"verifiedOutputs.dob"], "FORBIDDEN") ||
			!strings.Contains(errs[vs+"verifiedOutputs.dob"], "48 hours") || !strings.Contains(errs[vs+"lastVerificationReport.document.number"], "48 hours") {
			t.Errorf("data %s, errors %v", data, errs)
		}
	})
}

// Fronting Stripe with a secret key (sk_), sensitive results are refused by
// Stripe; idgraph answers FORBIDDEN on exactly those fields, naming the
// fix, and the rest of the session answers. The emulator here stands in for
// Stripe over HTTP, as Stripe would answer.
func TestSensitiveResultsWithASecretKey(t *testing.T) {
	clock := emulator.NewManualClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	stripeSrv := httptest.NewUnstartedServer(nil)
	stripeBase := "http://" + stripeSrv.Listener.Addr().String()
	em, err := emulator.New(context.Background(), emulator.Options{PublicURL: stripeBase, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { em.Close() })
	stripeSrv.Config.Handler = em.Handler()
	stripeSrv.Start()
	t.Cleanup(stripeSrv.Close)

	key, hash, err := auth.NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, map[string]string{"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_API_BASE": stripeBase, "IDGRAPH_API_KEY_SHA256": hash})
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	idgraph := httptest.NewServer(a.Handler)
	t.Cleanup(idgraph.Close)

	resp := postGraphQLAs(t, idgraph.URL, key, `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id url } } }`, nil)
	var created struct {
		CreateVerificationSession struct{ VerificationSession struct{ ID, URL string } }
	}
	if err := json.Unmarshal(resp.Data, &created); err != nil || created.CreateVerificationSession.VerificationSession.URL == "" {
		t.Fatalf("create: %s %s", resp.Data, resp.Errors)
	}
	passOnHostedPage(t, created.CreateVerificationSession.VerificationSession.URL, clock)

	resp = postGraphQLAs(t, idgraph.URL, key, sensitiveQuery, map[string]any{"id": created.CreateVerificationSession.VerificationSession.ID})
	errs := fieldErrors(t, resp.Errors)
	if !strings.Contains(string(resp.Data), `"firstName":"`) || len(errs) != 3 {
		t.Fatalf("data %s, errors %v", resp.Data, errs)
	}
	for path, e := range errs {
		if !strings.HasPrefix(e, "FORBIDDEN") || !strings.Contains(e, "restricted API key") || strings.Contains(e, "rejected idgraph's API key") {
			t.Errorf("%s: %s", path, e)
		}
	}
}
