package websafe

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestHostCheck(t *testing.T) {
	allowed := AllowedHosts("http://localhost:8080", []string{"idgraph.prod.svc"}, true)
	// CORS inside, as wired: what HostCheck refuses must not get its headers.
	handler := HostCheck(allowed, "/healthz", "/readyz")(CORS(DevOrigins())(appHandler()))
	tests := []struct {
		name string
		host string
		path string
		want bool // served by the app; false means 421
	}{
		{"localhost with a port passes on loopback", "localhost:8080", "/graphql", true},
		{"127.0.0.1 with a port passes on loopback", "127.0.0.1:8080", "/graphql", true},
		{"[::1] with a port passes on loopback", "[::1]:8080", "/graphql", true},
		{"[::1] without a port passes on loopback", "[::1]", "/graphql", true},
		{"a host in upper case passes", "LocalHost:8080", "/graphql", true},
		{"a host with a trailing dot passes", "localhost.:8080", "/graphql", true},
		{"a host on another port passes (ports are not checked)", "localhost:9999", "/graphql", true},
		{"an extra host passes", "idgraph.prod.svc", "/graphql", true},
		{"an attacker's host is misdirected", "attacker.example", "/graphql", false},
		{"an attacker's host with a port is misdirected", "attacker.example:8080", "/", false},
		{"a name that starts with localhost is misdirected", "localhost.attacker.example:8080", "/graphql", false},
		{"another loopback address is misdirected", "127.0.0.2:8080", "/graphql", false},
		{"an unbracketed IPv6 host is misdirected", "::1", "/graphql", false},
		{"a host with a non-numeric port is misdirected", "localhost:http", "/graphql", false},
		{"garbage after brackets is misdirected", "[::1]x", "/graphql", false},
		{"an empty host is misdirected", "", "/graphql", false},
		{"an exempt path answers any host", "attacker.example", "/healthz", true},
		{"a second exempt path answers any host", "10.1.2.3:8080", "/readyz", true},
		{"exempt paths are exact", "attacker.example", "/healthz/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", tt.path, nil)
			r.Host = tt.host
			r.Header.Set("Origin", "http://localhost:3000")
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)

			served := strings.Contains(w.Body.String(), appBody)
			if served != tt.want {
				t.Fatalf("served = %v, want %v (status %d, body %q)", served, tt.want, w.Code, w.Body)
			}
			if tt.want {
				return
			}
			if w.Code != http.StatusMisdirectedRequest {
				t.Errorf("status = %d, want 421", w.Code)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type = %q, want text/plain", ct)
			}
			for k := range w.Header() {
				if strings.HasPrefix(k, "Access-Control-") {
					t.Errorf("header %s on a 421: %q", k, w.Header().Get(k))
				}
			}
			if body := w.Body.String(); !strings.Contains(body, "misdirected") || len(body) > 100 {
				t.Errorf("body = %q, want a short note", body)
			}
		})
	}
}

func TestHostCheckPanicsOnABadList(t *testing.T) {
	for _, allowed := range [][]string{nil, {"localhost:8080"}, {"https://idgraph.example"}} {
		t.Run("HostCheck of "+strings.Join(allowed, ",")+" panics", func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			HostCheck(allowed)
		})
	}
}

func TestAllowedHosts(t *testing.T) {
	tests := []struct {
		name      string
		publicURL string
		extra     []string
		loopback  bool
		want      []string
	}{
		{"a public URL gives its host without the port", "https://IDGraph.example.com:8443/", nil, false, []string{"idgraph.example.com"}},
		{"extra hosts follow the public one", "https://idgraph.example.com", []string{"lb.internal", "idgraph.prod.svc"}, false, []string{"idgraph.example.com", "lb.internal", "idgraph.prod.svc"}},
		{"a loopback bind adds the loopback names", "http://localhost:8080", nil, true, []string{"localhost", "127.0.0.1", "::1"}},
		{"an IPv6 public URL gives its address", "http://[::1]:8080", nil, false, []string{"::1"}},
		{"duplicates are dropped", "http://127.0.0.1:8080", []string{"LOCALHOST."}, true, []string{"127.0.0.1", "localhost", "::1"}},
		{"an empty public URL adds nothing", "", []string{"idgraph.prod.svc"}, false, []string{"idgraph.prod.svc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AllowedHosts(tt.publicURL, tt.extra, tt.loopback); !slices.Equal(got, tt.want) {
				t.Errorf("AllowedHosts = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseHosts(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		want    []string
		wantErr string // a part of the error; "" means no error
	}{
		{name: "an empty list is empty", csv: "", want: nil},
		{name: "names are lower-cased without a trailing dot", csv: "IDGraph.Prod.svc.cluster.local., lb.internal", want: []string{"idgraph.prod.svc.cluster.local", "lb.internal"}},
		{name: "underscores are allowed (Compose service names)", csv: "idgraph_api", want: []string{"idgraph_api"}},
		{name: "IP addresses are allowed, IPv6 with or without brackets", csv: "10.0.0.7,::1,[fe80::1]", want: []string{"10.0.0.7", "::1", "fe80::1"}},
		{name: "duplicates and empty entries are dropped", csv: "a.example,,A.example ,", want: []string{"a.example"}},
		{name: "a scheme is refused", csv: "https://idgraph.example.com", wantErr: "without a scheme"},
		{name: "a port is refused", csv: "idgraph.example.com:443", wantErr: "without a port"},
		{name: "an IPv6 address with a port is refused", csv: "[::1]:8080", wantErr: "without a port"},
		{name: "a path is refused", csv: "idgraph.example.com/graphql", wantErr: "without a path"},
		{name: "user info is refused", csv: "me@idgraph.example.com", wantErr: "without user info"},
		{name: "a wildcard is refused", csv: "*.example.com", wantErr: "wildcards are not supported"},
		{name: "a bracketed name is refused", csv: "[idgraph.example.com]", wantErr: "IPv6 address only"},
		{name: "an empty label is refused", csv: "idgraph..example.com", wantErr: "1 to 63 characters"},
		{name: "a bad character is refused", csv: "idgraph example.com", wantErr: "not allowed in a host name"},
		{name: "a non-ASCII name is refused with the way out", csv: "bücher.example", wantErr: "punycode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHosts(tt.csv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseHosts(%q) error = %v, want one containing %q", tt.csv, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHosts(%q): %v", tt.csv, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseHosts(%q) = %q, want %q", tt.csv, got, tt.want)
			}
		})
	}
}
