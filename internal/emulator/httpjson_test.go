package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

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
