package hostedpage

import "testing"

func TestFormActionFor(t *testing.T) {
	tests := []struct {
		name      string
		returnURL string
		want      string
	}{
		{"no return_url allows this page only", "", "'self'"},
		{"an https return_url adds its origin", "https://shop.example/done?x=1#y", "'self' https://shop.example"},
		{"a port is part of the origin", "http://localhost:3000/after", "'self' http://localhost:3000"},
		{"the host is lowercased", "https://Shop.Example/done", "'self' https://shop.example"},
		{"user info is not part of the origin", "https://u:p@shop.example/", "'self' https://shop.example"},
		{"a javascript URL adds nothing", "javascript:alert(1)", "'self'"},
		{"a relative URL adds nothing", "/done", "'self'"},
		{"a scheme-relative URL adds nothing", "//shop.example/done", "'self'"},
		{"a custom scheme adds nothing", "myapp://done", "'self'"},
		{"a semicolon in the host cannot inject a directive", "https://evil.example;script-src/x", "'self'"},
		{"a comma in the host cannot add a policy", "https://evil.example,x/", "'self'"},
		{"an IPv6 literal, outside CSP's grammar, adds nothing", "http://[::1]:3000/", "'self'"},
		{"an IDN host, which CSP wants as punycode, adds nothing", "https://bücher.example/", "'self'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formActionFor(tt.returnURL); got != tt.want {
				t.Errorf("formActionFor(%q) = %q, want %q", tt.returnURL, got, tt.want)
			}
		})
	}
}

func TestReturnTarget(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		wantOK bool
	}{
		{"an https URL is followed", "https://shop.example/done", true},
		{"an http URL is followed", "http://localhost:3000/", true},
		{"an empty return_url is not", "", false},
		{"a javascript URL is not", "javascript:alert(1)", false},
		{"a relative path is not", "/done", false},
		{"a scheme-relative URL is not", "//evil.example/", false},
		{"an unparsable URL is not", "https://shop.example/%zz", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := returnTarget(tt.raw); ok != tt.wantOK {
				t.Errorf("returnTarget(%q) ok = %v, want %v", tt.raw, ok, tt.wantOK)
			}
		})
	}
}
