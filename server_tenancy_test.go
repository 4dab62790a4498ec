package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/emulator"
)

// securedServer is idgraph on its emulator with authentication configured:
// end users' HS256 tokens and one server key.
type securedServer struct {
	url   string
	clock *emulator.ManualClock
	// alice and bob are end users' tokens; server is a server key.
	alice, bob, server string
}

const testHS256Secret = "a-test-secret-of-at-least-32-bytes!!"

func serveSecured(t *testing.T, extra map[string]string) securedServer {
	t.Helper()
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	s := startOnEmulator(t, mergeVars(map[string]string{"IDGRAPH_AUTH_HS256_SECRET": testHS256Secret, "IDGRAPH_API_KEY_SHA256": hash}, extra))
	return securedServer{url: s.url, clock: s.clock, alice: userToken(t, "alice"), bob: userToken(t, "bob"), server: key}
}

func userToken(t *testing.T, sub string, scopes ...string) string {
	t.Helper()
	tok, err := auth.MintDevToken([]byte(testHS256Secret), sub, scopes, time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// as runs one operation as the caller with credential, and returns its
// answer without what differs per request: idgraph's request ID, the value
// (not the presence) of Stripe's, and the caller's bucket in
// extensions.cost (what the operation cost stays), so that two answers
// compare equal when they tell the caller the same.
func (s securedServer) as(t *testing.T, credential, query string, vars map[string]any) string {
	t.Helper()
	resp := postGraphQLAs(t, s.url, credential, query, vars)
	var errs []map[string]any
	if len(resp.Errors) > 0 {
		if err := json.Unmarshal(resp.Errors, &errs); err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			if ext, ok := e["extensions"].(map[string]any); ok {
				if _, ok := ext["stripeRequestId"]; ok {
					ext["stripeRequestId"] = "req_X"
				}
				delete(ext, "requestId")
			}
		}
	}
	var ext map[string]any
	if len(resp.Extensions) > 0 {
		if err := json.Unmarshal(resp.Extensions, &ext); err != nil {
			t.Fatal(err)
		}
		if cost, ok := ext["cost"].(map[string]any); ok {
			delete(cost, "throttleStatus")
		}
	}
	out, err := json.Marshal(map[string]any{"data": resp.Data, "errors": errs, "extensions": ext, "status": resp.status})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// createAs creates a session as credential and returns its ID.
func (s securedServer) createAs(t *testing.T, credential string, input map[string]any) string {
	t.Helper()
	var out struct {
		Data struct {
			CreateVerificationSession payload `json:"createVerificationSession"`
		} `json:"data"`
	}
	body := s.as(t, credential, `mutation($input: CreateVerificationSessionInput!) { createVerificationSession(input: $input) {
		verificationSession { id } userErrors { field message code } } }`, map[string]any{"input": input})
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Data.CreateVerificationSession.VerificationSession == nil {
		t.Fatalf("create: %s", body)
	}
	return out.Data.CreateVerificationSession.VerificationSession.ID
}

// idPattern matches session IDs, so that answers about two IDs compare.
var idPattern = regexp.MustCompile(`vs_[A-Za-z0-9]+`)

// A tenancy suite with two users and a server key: every query, mutation,
// filter and node/nodes is tried across tenants and with guessed IDs. What
// an end user learns of another's session is exactly what they learn of one
// that does not exist, with the session cache on (the emulator feeds it):
// errors, their Stripe request ID (none), extensions.cache (not shown to
// end users) and what the operation cost.
func TestTenancyAcrossUsers(t *testing.T) {
	s := serveSecured(t, nil)
	aliceID := s.createAs(t, s.alice, map[string]any{"type": "DOCUMENT"})
	bobID := s.createAs(t, s.bob, map[string]any{"type": "ID_NUMBER"})
	serverID := s.createAs(t, s.server, map[string]any{"type": "DOCUMENT", "clientReferenceId": "carol"})
	const guessed = "vs_1NoSuchSessionExists0000"

	t.Run("an end user's session carries their subject as client reference", func(t *testing.T) {
		body := s.as(t, s.alice, `query($id: ID!) { verificationSession(id: $id) { clientReferenceId url clientSecret } }`, map[string]any{"id": aliceID})
		if !strings.Contains(body, `"clientReferenceId":"alice"`) || !strings.Contains(body, `"url":"http`) || !strings.Contains(body, `"clientSecret":"vs_`) {
			t.Errorf("alice reading her own session: %s", body)
		}
	})

	t.Run("creating for another user is FORBIDDEN on clientReferenceId", func(t *testing.T) {
		body := s.as(t, s.alice, `mutation { createVerificationSession(input: {type: DOCUMENT, clientReferenceId: "bob"}) {
			verificationSession { id } userErrors { field code } } }`, nil)
		if !strings.Contains(body, `"userErrors":[{"field":["clientReferenceId"],"code":"FORBIDDEN"}]`) || !strings.Contains(body, `"verificationSession":null`) {
			t.Errorf("got %s", body)
		}
	})

	// Each operation by ID, as alice, on bob's session and on a guessed one.
	byID := []struct {
		name, query string
	}{
		{"verificationSession", `query($id: ID!) { verificationSession(id: $id) { id status url clientSecret } }`},
		{"verificationSession, as the cache serves it", `query($id: ID!) { verificationSession(id: $id) { id status } }`},
		{"node", `query($id: ID!) { node(id: $id) { id ... on VerificationSession { url } } }`},
		{"nodes", `query($id: ID!) { nodes(ids: [$id]) { id } }`},
		{"update", `mutation($id: ID!) { updateVerificationSession(input: {id: $id, metadata: [{key: "k", value: "v"}]}) { verificationSession { id } userErrors { field message code } } }`},
		{"cancel", `mutation($id: ID!) { cancelVerificationSession(input: {id: $id}) { verificationSession { id } userErrors { field message code } } }`},
		{"redact", `mutation($id: ID!) { redactVerificationSession(input: {id: $id}) { verificationSession { id } userErrors { field message code } } }`},
		{"a page after its cursor", `query($id: String!) { verificationSessions(first: 5, after: $id) { nodes { id } } }`},
	}
	for _, op := range byID {
		t.Run(op.name+" on another's session answers as on one that does not exist", func(t *testing.T) {
			arg := func(id string) map[string]any {
				if strings.HasPrefix(op.name, "a page") {
					return map[string]any{"id": encodeTestCursor(id)}
				}
				return map[string]any{"id": id}
			}
			// bob's session is in the session cache (its create's
			// answer was written through; bob reads it again here, should
			// the TTL have passed); the guessed one never is. Twice: the
			// second time, whatever the first left in the cache.
			s.as(t, s.bob, `query($id: ID!) { verificationSession(id: $id) { id status } }`, map[string]any{"id": bobID})
			for range 2 {
				others := s.as(t, s.alice, op.query, arg(bobID))
				missing := s.as(t, s.alice, op.query, arg(guessed))
				if strings.Contains(others, bobID) {
					t.Errorf("bob's session leaks: %s", others)
				}
				if a, b := idPattern.ReplaceAllString(others, "vs_X"), idPattern.ReplaceAllString(missing, "vs_X"); a != b {
					t.Errorf("another's and a missing session differ:\n%s\n%s", a, b)
				}
				if !strings.Contains(others, "NOT_FOUND") && !strings.Contains(others, "BAD_USER_INPUT") {
					t.Errorf("no NOT_FOUND: %s", others)
				}
			}
		})
	}

	t.Run("bob's session is untouched by alice's attempts", func(t *testing.T) {
		body := s.as(t, s.bob, `query($id: ID!) { verificationSession(id: $id) { status metadata { key } } }`, map[string]any{"id": bobID})
		if !strings.Contains(body, `"status":"REQUIRES_INPUT"`) || !strings.Contains(body, `"metadata":[]`) {
			t.Errorf("bob's session changed: %s", body)
		}
	})

	t.Run("nodes answers each ID for itself", func(t *testing.T) {
		body := s.as(t, s.alice, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{aliceID, bobID, serverID}})
		if !strings.Contains(body, `"nodes":[{"id":"`+aliceID+`"},null,null]`) || strings.Count(body, "NOT_FOUND") != 2 {
			t.Errorf("got %s", body)
		}
	})

	lists := []struct {
		name, credential string
		filter           map[string]any
		want             []string
	}{
		{"alice lists only her sessions", s.alice, nil, []string{aliceID}},
		{"bob lists only his", s.bob, nil, []string{bobID}},
		{"a filter naming another user is empty", s.alice, map[string]any{"clientReferenceId": "bob"}, nil},
		{"a filter naming oneself works", s.alice, map[string]any{"clientReferenceId": "alice"}, []string{aliceID}},
		{"other filters stay within one's own", s.alice, map[string]any{"status": "REQUIRES_INPUT"}, []string{aliceID}},
		{"a server key lists everyone's", s.server, nil, []string{serverID, bobID, aliceID}},
	}
	for _, tt := range lists {
		t.Run(tt.name, func(t *testing.T) {
			var out struct {
				Data struct {
					VerificationSessions struct{ Nodes []struct{ ID string } } `json:"verificationSessions"`
				} `json:"data"`
			}
			body := s.as(t, tt.credential, `query($filter: VerificationSessionFilter) { verificationSessions(first: 100, filter: $filter) { nodes { id } } }`, map[string]any{"filter": tt.filter})
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range out.Data.VerificationSessions.Nodes {
				got = append(got, n.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v (%s)", got, tt.want, body)
			}
		})
	}

	t.Run("a server key reads and changes any session", func(t *testing.T) {
		body := s.as(t, s.server, `query($id: ID!) { verificationSession(id: $id) { clientReferenceId url } }`, map[string]any{"id": aliceID})
		if !strings.Contains(body, `"clientReferenceId":"alice"`) || !strings.Contains(body, `"url":"http`) {
			t.Errorf("got %s", body)
		}
		body = s.as(t, s.server, `mutation($id: ID!) { cancelVerificationSession(input: {id: $id}) { verificationSession { status } userErrors { code } } }`, map[string]any{"id": bobID})
		if !strings.Contains(body, `"status":"CANCELED"`) {
			t.Errorf("got %s", body)
		}
	})

	t.Run("an end user changes their own session", func(t *testing.T) {
		body := s.as(t, s.alice, `mutation($id: ID!) { updateVerificationSession(input: {id: $id, metadata: [{key: "plan", value: "pro"}]}) { verificationSession { metadata { key value } } userErrors { code } } }`, map[string]any{"id": aliceID})
		if !strings.Contains(body, `"metadata":[{"key":"plan","value":"pro"}]`) {
			t.Errorf("got %s", body)
		}
	})
}

// Without a valid credential, /graphql answers 401 with RFC 6750's
// challenge, and never echoes the token.
func TestUnauthenticatedRequests(t *testing.T) {
	s := serveSecured(t, nil)
	tests := []struct {
		name, credential, wantChallenge string
	}{
		{"no credential", "", `Bearer realm="idgraph"`},
		{"a malformed token", "not.a.jwt", `error="invalid_token"`},
		{"a token signed with another secret", func() string {
			tok, _ := auth.MintDevToken([]byte(strings.Repeat("x", 40)), "alice", nil, time.Hour, "", "")
			return tok
		}(), `error="invalid_token"`},
		{"an unknown API key", "idg_" + strings.Repeat("A", 43), `error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
			req.Header.Set("Content-Type", "application/json")
			if tt.credential != "" {
				req.Header.Set("Authorization", "Bearer "+tt.credential)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			json.NewDecoder(res.Body).Decode(&body)
			challenge := res.Header.Get("WWW-Authenticate")
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(challenge, tt.wantChallenge) ||
				len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Errorf("status %d, WWW-Authenticate %q, body %+v", res.StatusCode, challenge, body)
			}
			if tt.credential != "" && (strings.Contains(challenge, tt.credential) || len(body.Errors) > 0 && strings.Contains(body.Errors[0].Message, tt.credential)) {
				t.Error("the answer echoes the credential")
			}
		})
	}
}

// What alice learns of bob's session, which the cache holds, equals what
// she learns of a session that does not exist: read twice, neither shows
// extensions.cache, and neither error carries a Stripe request ID (a
// session read from the cache has none).
func TestAnotherUsersCachedSessionIsNoExistenceOracle(t *testing.T) {
	s := serveSecured(t, nil)
	bobID := s.createAs(t, s.bob, map[string]any{"type": "ID_NUMBER"})
	const guessed = "vs_1NoSuchSessionExists0000"
	q := `query($id: ID!) { verificationSession(id: $id) { id status } }`
	show := func(id string) (cache json.RawMessage, stripeRequestID any) {
		postGraphQLAs(t, s.url, s.alice, q, map[string]any{"id": id})
		resp := postGraphQLAs(t, s.url, s.alice, q, map[string]any{"id": id})
		var ext struct{ Cache json.RawMessage }
		var errs []struct{ Extensions map[string]any }
		if err := errors.Join(json.Unmarshal(resp.Extensions, &ext), json.Unmarshal(resp.Errors, &errs)); err != nil || len(errs) != 1 {
			t.Fatalf("answer %s %s: %v", resp.Extensions, resp.Errors, err)
		}
		return ext.Cache, errs[0].Extensions["stripeRequestId"]
	}
	bc, br := show(bobID)
	gc, gr := show(guessed)
	if bc != nil || gc != nil || br != nil || gr != nil {
		t.Errorf("bob's: cache %s, stripeRequestId %v; guessed: cache %s, stripeRequestId %v; want neither", bc, br, gc, gr)
	}
}
