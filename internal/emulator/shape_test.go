package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
)

// TestAnswersMatchStripesSpec validates every kind of JSON object the
// emulator answers with against the response schemas of Stripe's OpenAPI
// spec (testdata/identity-openapi.json, a copy of Stripe's), and also checks
// that no object has a field the spec does not declare.
func TestAnswersMatchStripesSpec(t *testing.T) {
	doc := openAPISpec(t)
	h := newHarness(t)
	// A restricted key, which may expand every sensitive result.
	key := "rk_test_shape"
	call := func(method, path string, form url.Values) (int, any) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, h.srv.URL+path, body)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp.StatusCode, v
	}
	id := func(v any) string { return v.(map[string]any)["id"].(string) }
	created := func(typ string, extra url.Values) string {
		t.Helper()
		f := url.Values{"type": {typ}, "metadata[k]": {"v"}, "provided_details[email]": {"j@example.com"},
			"options[document][require_matching_selfie]": {"true"}, "options[document][require_id_number]": {"true"},
			"related_person[account]": {"acct_1"}, "related_person[person]": {"person_1"}, "client_reference_id": {"c"}}
		for k, v := range extra {
			f[k] = v
		}
		_, v := call("POST", sessionsURL, f)
		return id(v)
	}
	pass, fail, abandon, redactedS := created("document", nil), created("document", nil), created("id_number", nil), created("document", nil)
	flow := created("", url.Values{"type": nil, "verification_flow": {"vf_1"}})
	for sid, code := range map[string]string{pass: "", fail: "selfie_face_mismatch", abandon: "abandoned", redactedS: ""} {
		_, v := call("GET", sessionsURL+"/"+sid, nil)
		u := v.(map[string]any)["url"].(string)
		o := hostedpage.Outcome{Abandon: code == "abandoned"}
		if !o.Abandon {
			o.ErrorCode = code
		}
		if _, err := h.e.Submit(context.Background(), tokenOf(t, u), o); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Advance(testDelay)
	call("POST", sessionsURL+"/"+redactedS+"/redact", url.Values{})
	for _, code := range []string{"", "email_unverified_other", "phone_verification_declined", "id_number_mismatch", "consent_declined", "document_expired"} {
		// A verification flow, played with email and phone checks of the
		// provided details: the only sessions that run them (checksOf).
		s := created("", url.Values{"type": nil, "verification_flow": {"vf_1"}, "provided_details[phone]": {"+15555550100"}})
		_, v := call("GET", sessionsURL+"/"+s, nil)
		if _, err := h.e.Submit(context.Background(), tokenOf(t, v.(map[string]any)["url"].(string)), hostedpage.Outcome{ErrorCode: code}); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Advance(testDelay)

	sessionPaths := []string{"verified_outputs", "provided_details", "last_verification_report"}
	sessionPaths = append(sessionPaths, sessionObject.sensitive...)
	reportPaths := reportObject.sensitive
	all := "expand[]=" + strings.Join(sessionPaths, "&expand[]=")
	allReport := "expand[]=" + strings.Join(reportPaths, "&expand[]=")
	listAll := strings.ReplaceAll(all, "expand[]=", "expand[]=data.")
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	listSchema := func(path string) *openapi3.Schema {
		return doc.Paths.Value(path).Get.Responses.Value("200").Value.Content.Get("application/json").Schema.Value
	}
	_, rep := call("GET", sessionsURL+"/"+pass+"?expand[]=last_verification_report", nil)
	repID := id(rep.(map[string]any)["last_verification_report"])

	cases := []struct {
		name, method, path string
		form               url.Values
		schema             *openapi3.Schema
	}{
		{"a new session", "POST", sessionsURL, url.Values{"type": {"document"}}, schema("identity.verification_session")},
		{"a verified session, everything expanded", "GET", sessionsURL + "/" + pass + "?" + all, nil, schema("identity.verification_session")},
		{"a failed session, everything expanded", "GET", sessionsURL + "/" + fail + "?" + all, nil, schema("identity.verification_session")},
		{"an abandoned session", "GET", sessionsURL + "/" + abandon + "?" + all, nil, schema("identity.verification_session")},
		{"a redacted session", "GET", sessionsURL + "/" + redactedS + "?" + all, nil, schema("identity.verification_session")},
		{"a verification flow session", "GET", sessionsURL + "/" + flow, nil, schema("identity.verification_session")},
		{"an updated session", "POST", sessionsURL + "/" + flow, url.Values{"metadata[x]": {"y"}, "options[document]": {""}}, schema("identity.verification_session")},
		{"a canceled session", "POST", sessionsURL + "/" + flow + "/cancel", url.Values{}, schema("identity.verification_session")},
		{"a report, everything expanded", "GET", reportsURL + "/" + repID + "?" + allReport, nil, schema("identity.verification_report")},
		{"a list of sessions, everything expanded", "GET", sessionsURL + "?limit=100&" + listAll, nil, listSchema(sessionsURL)},
		{"a list of reports, everything expanded", "GET", reportsURL + "?limit=100&" + strings.ReplaceAll(allReport, "expand[]=", "expand[]=data."), nil, listSchema(reportsURL)},
		{"an empty list", "GET", sessionsURL + "?client_reference_id=none", nil, listSchema(sessionsURL)},
		{"a 404", "GET", sessionsURL + "/vs_nope", nil, schema("error")},
		{"a 400", "POST", sessionsURL, url.Values{"nope": {"1"}}, schema("error")},
		{"an unrecognized URL", "GET", "/v1/identity/nothing", nil, schema("error")},
	}
	t.Run("the check itself catches a bad object", func(t *testing.T) {
		bad := map[string]any{"object": "identity.verification_session", "id": "vs_1", "status": "done", "surprise": 1}
		if schema("identity.verification_session").VisitJSON(bad) == nil || len(undeclared(schema("identity.verification_session"), bad, "")) != 1 {
			t.Fatal("a bad session passed")
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, v := call(c.method, c.path, c.form)
			if err := c.schema.VisitJSON(v); err != nil {
				t.Fatalf("does not match the spec: %v\n%s", err, mustJSON(v))
			}
			if extra := undeclared(c.schema, v, ""); len(extra) > 0 {
				t.Fatalf("fields the spec does not declare: %v", extra)
			}
		})
	}
	// Last, as they change the key and move the clock.
	refusals := []struct {
		name, key string
		advance   time.Duration
	}{
		{"a secret key's sensitive refusal", "sk_test_shape", 0},
		{"a restricted key's refusal past 48 hours", "rk_test_shape", 49 * time.Hour},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			key = r.key
			h.clock.Advance(r.advance)
			status, v := call("GET", sessionsURL+"/"+pass+"?expand[]=verified_outputs.dob", nil)
			if status != http.StatusForbidden {
				t.Fatalf("status %d: %s", status, mustJSON(v))
			}
			if err := schema("error").VisitJSON(v); err != nil {
				t.Fatalf("does not match the spec: %v\n%s", err, mustJSON(v))
			}
			if extra := undeclared(schema("error"), v, ""); len(extra) > 0 {
				t.Fatalf("fields the spec does not declare: %v", extra)
			}
		})
	}
}

// undeclared lists the object keys in v that schema s does not declare,
// following anyOf branches that v matches, items and properties.
func undeclared(s *openapi3.Schema, v any, path string) []string {
	if s == nil || v == nil {
		return nil
	}
	if len(s.AnyOf) > 0 {
		for _, b := range s.AnyOf {
			if b.Value.VisitJSON(v) == nil {
				return undeclared(b.Value, v, path)
			}
		}
		return nil
	}
	var out []string
	switch x := v.(type) {
	case []any:
		if s.Items != nil {
			for i, e := range x {
				out = append(out, undeclared(s.Items.Value, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case map[string]any:
		if len(s.Properties) == 0 {
			return nil // a free map such as metadata
		}
		for k, e := range x {
			p, ok := s.Properties[k]
			if !ok {
				out = append(out, path+"."+k)
				continue
			}
			out = append(out, undeclared(p.Value, e, path+"."+k)...)
		}
	}
	sort.Strings(out)
	return out
}
