package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/idgraph/idgraph/internal/config"
)

// gqlResponse is a GraphQL response, kept raw for assertions.
type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     json.RawMessage `json:"errors"`
	Extensions json.RawMessage `json:"extensions"`
	status     int
}

// postGraphQL sends one operation to base/graphql without a credential and
// decodes the answer.
func postGraphQL(t *testing.T, base, query string, vars map[string]any) gqlResponse {
	t.Helper()
	return postGraphQLAs(t, base, "", query, vars)
}

// postGraphQLAs sends one operation with a bearer credential (none when
// empty) and decodes the answer.
func postGraphQLAs(t *testing.T, base, credential, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if credential != "" {
		req.Header.Set("Authorization", "Bearer "+credential)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("status %d, body %s: %v", res.StatusCode, raw, err)
	}
	out.status = res.StatusCode
	if res.StatusCode >= 500 {
		t.Fatalf("status %d: %s", res.StatusCode, raw)
	}
	return out
}

func base64URL(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }

// testConfig is the configuration idgraph reads from env (and defaults),
// as `run` would.
func testConfig(t *testing.T, vars map[string]string) config.Config {
	t.Helper()
	cfg, err := config.Load(nil, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
