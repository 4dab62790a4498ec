package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// gqlResponse is a GraphQL response, kept raw for assertions.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors json.RawMessage `json:"errors"`
	status int
}

// postGraphQL sends one operation to base/graphql and decodes the answer.
func postGraphQL(t *testing.T, base, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
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
