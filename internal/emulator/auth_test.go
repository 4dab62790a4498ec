package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAPIKeysRestrictTheRESTAPI(t *testing.T) {
	e, err := New(context.Background(), Options{APIKeys: []string{"sk_test_facade_0001", "rk_test_sdk_0002"}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	tests := []struct {
		name   string
		key    string
		status int
		inMsg  string
	}{
		{"a listed secret key is accepted", "sk_test_facade_0001", 200, ""},
		{"a listed restricted key is accepted", "rk_test_sdk_0002", 200, ""},
		{"a well-formed key that is not listed is Stripe's invalid key, masked", "sk_test_stranger_abcd", 401, "Invalid API Key provided: sk_test_********abcd"},
		{"a listed key with a suffix is not listed", "sk_test_facade_00012", 401, "Invalid API Key provided"},
		{"a prefix of a listed key is not listed", "sk_test_facade_000", 401, "Invalid API Key provided"},
		{"a listed key's secret part under the other prefix is not listed", "rk_test_facade_0001", 401, "Invalid API Key provided"},
		{"a live key is still refused as live", "sk_live_facade_0001", 401, "test mode only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+sessionsURL, nil)
			req.Header.Set("Authorization", "Bearer "+tt.key)
			body := doJSON(t, req, tt.status)
			if tt.inMsg == "" {
				return
			}
			e, _ := body["error"].(map[string]any)
			if msg, _ := e["message"].(string); !strings.Contains(msg, tt.inMsg) || e["type"] != "invalid_request_error" {
				t.Fatalf("error %v, want a message containing %q", e, tt.inMsg)
			}
			if strings.Contains(e["message"].(string), tt.key) {
				t.Fatalf("the message shows the whole key: %q", e["message"])
			}
		})
	}
}

func TestAPIKeysMustBeTestKeys(t *testing.T) {
	for _, key := range []string{"sk_live_abc", "pk_test_abc", "sk_test_", "whatever"} {
		if e, err := New(context.Background(), Options{APIKeys: []string{key}}); err == nil {
			e.Close()
			t.Errorf("New accepted APIKeys %q", key)
		}
	}
}

func TestKeyListWithoutKeysAllowsAll(t *testing.T) {
	var l keyList
	if !l.allows("sk_test_anything") {
		t.Fatal("an empty list refused a key")
	}
}

func TestMaskKey(t *testing.T) {
	tests := []struct{ name, key, want string }{
		{"a secret key keeps its prefix and last four", "sk_test_abcdefghijkl", "sk_test_********ijkl"},
		{"underscores in the secret part do not hide the prefix", "rk_test_my_key_wxyz", "rk_test_********wxyz"},
		{"an unknown prefix is not shown", "whatever_long_key_1234", "********1234"},
		{"a short key is all stars", "sk_test_abc", "***********"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := maskKey(tt.key); got != tt.want {
				t.Fatalf("maskKey(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}
