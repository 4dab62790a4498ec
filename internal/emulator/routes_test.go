package emulator

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAuthenticationAndRouting(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name   string
		method string
		path   string
		auth   string
		status int
		inMsg  string
	}{
		{"no key is 401", "GET", sessionsURL, "", 401, "You did not provide an API key"},
		{"a restricted test key is accepted", "GET", sessionsURL, "Bearer rk_test_abc", 200, ""},
		{"basic auth with the key as user is accepted", "GET", sessionsURL, "Basic " + base64.StdEncoding.EncodeToString([]byte("sk_test_abc:")), 200, ""},
		{"a publishable key is refused", "GET", sessionsURL, "Bearer pk_test_abc", 401, "publishable"},
		{"a malformed key is refused and masked", "GET", sessionsURL, "Bearer sk_test_", 401, "Invalid API Key"},
		{"an unknown URL is Stripe's 404", "GET", "/v1/identity/nothing", "Bearer sk_test_abc", 404, "Unrecognized request URL (GET: /v1/identity/nothing)"},
		{"a wrong method is Stripe's 404, not 405", "DELETE", sessionsURL, "Bearer sk_test_abc", 404, "Unrecognized request URL"},
		{"events are listed", "GET", "/v1/events?type=identity.verification_session.created", "Bearer sk_test_abc", 200, ""},
		{"an unknown event is 404", "GET", "/v1/events/evt_nope", "Bearer sk_test_abc", 404, "No such event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, h.srv.URL+tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			body := doJSON(t, req, tt.status)
			if tt.inMsg != "" {
				msg, _ := body["error"].(map[string]any)["message"].(string)
				if !strings.Contains(msg, tt.inMsg) {
					t.Fatalf("message %q does not contain %q", msg, tt.inMsg)
				}
			}
		})
	}
}

func TestHostedPageIsMountedAtVerify(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, nil)
	u := strings.Replace(vs.URL, "http://emu.test", h.srv.URL, 1)
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.PostForm(u, url.Values{"action": {"pass"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := h.retrieve(t, vs.ID); got.Status != "processing" {
		t.Fatalf("after the page's pass: status %q (page answered %d)", got.Status, resp.StatusCode)
	}
}
