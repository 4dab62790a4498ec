package websafe

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// appBody marks an answer that came from the wrapped handler.
const appBody = `{"data":{"app":true}}`

func appHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(appBody))
	})
}

func TestCORS(t *testing.T) {
	handler := CORS(DevOrigins())(appHandler())
	tests := []struct {
		name         string
		method       string
		origin       string
		reqMethod    string // Access-Control-Request-Method; preflight when set
		reqHeaders   string // Access-Control-Request-Headers
		wantOrigin   string // Access-Control-Allow-Origin; "" means refused
		wantHeaders  string // Access-Control-Allow-Headers on a preflight
		wantExposed  string // Access-Control-Expose-Headers on an actual request
		wantAppReach bool
	}{
		{
			name: "a preflight from localhost:3000 is allowed", method: "OPTIONS",
			origin: "http://localhost:3000", reqMethod: "POST", reqHeaders: "authorization,content-type",
			wantOrigin: "http://localhost:3000", wantHeaders: "Authorization, Content-Type",
		},
		{
			name: "a preflight from 127.0.0.1:5173 is allowed with every header a graphql client sends", method: "OPTIONS",
			origin: "http://127.0.0.1:5173", reqMethod: "POST", reqHeaders: "accept, authorization, content-type, x-request-id",
			wantOrigin: "http://127.0.0.1:5173", wantHeaders: "Accept, Authorization, Content-Type, X-Request-Id",
		},
		{
			name: "a preflight from [::1] is allowed", method: "OPTIONS",
			origin: "http://[::1]:8081", reqMethod: "GET",
			wantOrigin: "http://[::1]:8081",
		},
		{
			name: "a preflight from another site is refused", method: "OPTIONS",
			origin: "http://evil.example", reqMethod: "POST", reqHeaders: "authorization",
		},
		{
			name: "a preflight from a name that starts with localhost is refused", method: "OPTIONS",
			origin: "http://localhost.evil.com", reqMethod: "POST", reqHeaders: "authorization",
		},
		{
			name: "a preflight from localhost over https is refused (scheme mismatch)", method: "OPTIONS",
			origin: "https://localhost:3000", reqMethod: "POST", reqHeaders: "authorization",
		},
		{
			name: "a preflight whose origin hides another host behind user info is refused", method: "OPTIONS",
			origin: "http://localhost:80@evil.example", reqMethod: "POST",
		},
		{
			name: "a preflight from an opaque origin is refused", method: "OPTIONS",
			origin: "null", reqMethod: "POST",
		},
		{
			name: "a preflight asking for a method other than GET and POST is refused", method: "OPTIONS",
			origin: "http://localhost:3000", reqMethod: "DELETE",
		},
		{
			name: "a preflight asking for a header not on the list is refused", method: "OPTIONS",
			origin: "http://localhost:3000", reqMethod: "POST", reqHeaders: "authorization, x-evil",
		},
		{
			name: "a GET from an allowed origin gets Allow-Origin and Expose-Headers", method: "GET",
			origin:     "http://localhost:3000",
			wantOrigin: "http://localhost:3000", wantExposed: "Retry-After, X-Request-Id, Www-Authenticate", wantAppReach: true,
		},
		{
			name: "a POST from an allowed origin gets Allow-Origin and Expose-Headers", method: "POST",
			origin:     "http://127.0.0.1:5173",
			wantOrigin: "http://127.0.0.1:5173", wantExposed: "Retry-After, X-Request-Id, Www-Authenticate", wantAppReach: true,
		},
		{
			// The browser, not the server, withholds the answer from the page.
			name: "a POST from another site reaches the app without CORS headers", method: "POST",
			origin: "http://evil.example", wantAppReach: true,
		},
		{
			name: "a same-origin request without Origin gets no CORS headers", method: "GET",
			wantAppReach: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/graphql", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.reqMethod != "" {
				r.Header.Set("Access-Control-Request-Method", tt.reqMethod)
			}
			if tt.reqHeaders != "" {
				r.Header.Set("Access-Control-Request-Headers", tt.reqHeaders)
			}
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			h := w.Header()

			if got := h.Get("Access-Control-Allow-Origin"); got != tt.wantOrigin {
				t.Errorf("Allow-Origin = %q, want %q", got, tt.wantOrigin)
			}
			if got := h.Get("Access-Control-Allow-Credentials"); got != "" {
				t.Errorf("Allow-Credentials = %q, want none", got)
			}
			if got := strings.Contains(w.Body.String(), appBody); got != tt.wantAppReach {
				t.Errorf("reached the app = %v, want %v (status %d)", got, tt.wantAppReach, w.Code)
			}
			if tt.reqMethod != "" && tt.wantOrigin != "" {
				if got := h.Get("Access-Control-Allow-Headers"); got != tt.wantHeaders {
					t.Errorf("Allow-Headers = %q, want %q", got, tt.wantHeaders)
				}
				if got := h.Get("Access-Control-Allow-Methods"); got != tt.reqMethod {
					t.Errorf("Allow-Methods = %q, want %q", got, tt.reqMethod)
				}
				if got := h.Get("Access-Control-Max-Age"); got != "600" {
					t.Errorf("Max-Age = %q, want 600", got)
				}
				if w.Code != http.StatusOK {
					t.Errorf("preflight status = %d, want 200", w.Code)
				}
			}
			if got := h.Get("Access-Control-Expose-Headers"); got != tt.wantExposed {
				t.Errorf("Expose-Headers = %q, want %q", got, tt.wantExposed)
			}
		})
	}
}

func TestCORSWithoutOrigins(t *testing.T) {
	handler := CORS(nil)(appHandler())
	for _, method := range []string{"OPTIONS", "POST"} {
		t.Run("a "+method+" with no origins configured gets no CORS headers", func(t *testing.T) {
			r := httptest.NewRequest(method, "/graphql", nil)
			r.Header.Set("Origin", "http://localhost:3000")
			r.Header.Set("Access-Control-Request-Method", "POST")
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			for k := range w.Header() {
				if strings.HasPrefix(k, "Access-Control-") || k == "Vary" {
					t.Errorf("header %s: %q, want none", k, w.Header().Get(k))
				}
			}
		})
	}
}

func TestCORSPanicsOnABadOrigin(t *testing.T) {
	for _, origins := range [][]string{{"*"}, {"http://localhost:3000", "localhost"}} {
		t.Run("CORS of "+strings.Join(origins, ",")+" panics", func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			CORS(origins)
		})
	}
}

func TestOriginAllowed(t *testing.T) {
	tests := []struct {
		name    string
		origins []string
		origin  string
		want    bool
	}{
		{"any port on localhost matches a port wildcard", DevOrigins(), "http://localhost:3000", true},
		{"the highest port matches a port wildcard", DevOrigins(), "http://localhost:65535", true},
		{"localhost without a port (80) matches a port wildcard", DevOrigins(), "http://localhost", true},
		{"an upper-case host matches", DevOrigins(), "http://LOCALHOST:3000", true},
		{"IPv6 loopback matches its pattern", DevOrigins(), "http://[::1]:3000", true},
		{"IPv6 loopback written long matches its pattern", DevOrigins(), "http://[0:0:0:0:0:0:0:1]:3000", true},
		{"https does not match an http pattern", DevOrigins(), "https://localhost:3000", false},
		{"a longer host does not match", DevOrigins(), "http://localhost.evil.com", false},
		{"a longer host with a port does not match", DevOrigins(), "http://localhost.evil.com:3000", false},
		{"user info hiding another host does not match", DevOrigins(), "http://localhost:80@evil.example", false},
		{"a non-numeric port does not match", DevOrigins(), "http://localhost:3000.evil.com", false},
		{"a port out of range does not match", DevOrigins(), "http://localhost:65536", false},
		{"a literal star port does not match", DevOrigins(), "http://localhost:*", false},
		{"an origin with a path does not match", DevOrigins(), "http://localhost:3000/x", false},
		{"the opaque origin null does not match", DevOrigins(), "null", false},
		{"an empty origin does not match", DevOrigins(), "", false},
		{"an exact origin matches itself", []string{"https://app.example.com"}, "https://app.example.com", true},
		{"an exact origin matches with its default port", []string{"https://app.example.com"}, "https://app.example.com:443", true},
		{"an exact origin does not match another port", []string{"https://app.example.com"}, "https://app.example.com:8443", false},
		{"an exact origin does not match a subdomain", []string{"https://app.example.com"}, "https://x.app.example.com", false},
		{"an exact origin does not match http", []string{"https://app.example.com"}, "http://app.example.com", false},
		{"an exact port matches only that port", []string{"http://127.0.0.1:5173"}, "http://127.0.0.1:5173", true},
		{"an exact port does not match another", []string{"http://127.0.0.1:5173"}, "http://127.0.0.1:5174", false},
		{"a star pattern is ignored rather than matching everything", []string{"*"}, "http://evil.example", false},
		{"no patterns match nothing", nil, "http://localhost:3000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OriginAllowed(tt.origins, tt.origin); got != tt.want {
				t.Errorf("OriginAllowed(%q, %q) = %v, want %v", tt.origins, tt.origin, got, tt.want)
			}
		})
	}
}

func TestParseOrigins(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		want    []string
		wantErr string // a part of the error; "" means no error
	}{
		{name: "an empty list means same-origin only", csv: "", want: nil},
		{name: "the dev origins parse as they are", csv: "http://localhost:*, http://127.0.0.1:*, http://[::1]:*", want: DevOrigins()},
		{name: "origins are lower-cased and default ports dropped", csv: "HTTPS://App.Example.com:443,http://a.example:80", want: []string{"https://app.example.com", "http://a.example"}},
		{name: "an explicit port is kept", csv: "https://app.example.com:8443", want: []string{"https://app.example.com:8443"}},
		{name: "duplicates and empty entries are dropped", csv: "https://a.example, ,https://A.example,", want: []string{"https://a.example"}},
		{name: "a star is refused", csv: "https://a.example,*", wantErr: `origin "*" is not allowed`},
		{name: "a bare host is refused", csv: "app.example.com", wantErr: "must start with http:// or https://"},
		{name: "another scheme is refused", csv: "ftp://app.example.com", wantErr: "must start with http:// or https://"},
		{name: "a trailing slash is refused", csv: "https://app.example.com/", wantErr: "has a path"},
		{name: "a path is refused", csv: "https://app.example.com/app", wantErr: "has a path"},
		{name: "a query is refused", csv: "https://app.example.com?x=1", wantErr: "has a path, query or fragment"},
		{name: "user info is refused", csv: "https://me@app.example.com", wantErr: "has user info"},
		{name: "a host wildcard is refused", csv: "https://*.example.com", wantErr: "only the port may be a wildcard"},
		{name: "a non-numeric port is refused", csv: "http://localhost:abc", wantErr: "localhost:abc"},
		{name: "port 0 is refused", csv: "http://localhost:0", wantErr: "not a number from 1 to 65535"},
		{name: "an empty port is refused", csv: "http://localhost:", wantErr: "has an empty port"},
		{name: "a port and a wildcard are refused", csv: "http://localhost:3000:*", wantErr: "has two ports"},
		{name: "a missing host is refused", csv: "https://", wantErr: "has no host"},
		{name: "a non-ASCII host is refused with the way out", csv: "https://bücher.example", wantErr: "punycode"},
		{name: "a host with a bad character is refused", csv: "https://app!.example", wantErr: "not allowed in a host name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOrigins(tt.csv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseOrigins(%q) error = %v, want one containing %q", tt.csv, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseOrigins(%q): %v", tt.csv, err)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || len(got) != len(tt.want) {
				t.Errorf("ParseOrigins(%q) = %q, want %q", tt.csv, got, tt.want)
			}
		})
	}
}
