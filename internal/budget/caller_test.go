package budget

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/idgraph/idgraph/internal/auth"
)

func TestCallerKey(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	anon := auth.Principal{Kind: auth.Development}
	tests := []struct {
		name    string
		p       auth.Principal
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"an end user is their subject", auth.Principal{Kind: auth.EndUser, Subject: "u_1"}, "192.0.2.1:5000", nil, nil, "user:u_1"},
		{"every server key shares one bucket", auth.Principal{Kind: auth.Server}, "192.0.2.1:5000", nil, nil, "server"},
		{"development is by client IP", anon, "192.0.2.1:5000", nil, nil, "ip:192.0.2.1"},
		{"no principal is by client IP", auth.Principal{}, "192.0.2.1:5000", nil, nil, "ip:192.0.2.1"},
		{"an end user without a subject is by client IP", auth.Principal{Kind: auth.EndUser}, "192.0.2.1:5000", nil, nil, "ip:192.0.2.1"},
		{"X-Forwarded-For from an untrusted peer is ignored", anon, "192.0.2.1:5000", []string{"198.51.100.7"}, proxies, "ip:192.0.2.1"},
		{"X-Forwarded-For is ignored without trusted proxies", anon, "10.0.0.2:5000", []string{"198.51.100.7"}, nil, "ip:10.0.0.2"},
		{"a trusted proxy's client is the right-most address", anon, "10.0.0.2:5000", []string{"198.51.100.7"}, proxies, "ip:198.51.100.7"},
		{"addresses the client wrote left of it do not count", anon, "10.0.0.2:5000", []string{"203.0.113.9, 198.51.100.7"}, proxies, "ip:198.51.100.7"},
		{"trusted hops are skipped from the right", anon, "10.0.0.2:5000", []string{"203.0.113.9, 198.51.100.7, 10.1.2.3"}, proxies, "ip:198.51.100.7"},
		{"several header lines are one list", anon, "10.0.0.2:5000", []string{"203.0.113.9", "198.51.100.7", "10.1.2.3"}, proxies, "ip:198.51.100.7"},
		{"garbage stops at the nearest trusted hop", anon, "10.0.0.2:5000", []string{"198.51.100.7, nonsense, 10.1.2.3"}, proxies, "ip:10.1.2.3"},
		{"a trusted peer without X-Forwarded-For is the client", anon, "10.0.0.2:5000", nil, proxies, "ip:10.0.0.2"},
		{"a hop with a port", anon, "10.0.0.2:5000", []string{"198.51.100.7:4711"}, proxies, "ip:198.51.100.7"},
		{"IPv6 is by /64", anon, "[2001:db8:1:2:3:4:5:6]:5000", nil, nil, "ip:2001:db8:1:2::/64"},
		{"IPv6 behind a proxy is by /64", anon, "[fd00::1]:5000", []string{"2001:db8:1:2::99"}, proxies, "ip:2001:db8:1:2::/64"},
		{"IPv4-mapped IPv6 is IPv4", anon, "[::ffff:192.0.2.1]:5000", nil, nil, "ip:192.0.2.1"},
		{"an unparsable peer is unknown", anon, "@", nil, nil, "ip:unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := CallerKey(tt.p, r, tt.trusted); got != tt.want {
				t.Errorf("CallerKey = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMiddlewarePutsTheCallerInTheContext(t *testing.T) {
	b := newBudget(t, newClock(), Config{})
	var got string
	h := b.Middleware(nil)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = Caller(r.Context()) }))
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.RemoteAddr = "192.0.2.1:5000"
	h.ServeHTTP(httptest.NewRecorder(), r.WithContext(auth.NewContext(r.Context(), auth.Principal{Kind: auth.Development})))
	if got != "ip:192.0.2.1" {
		t.Errorf("Caller = %q, want ip:192.0.2.1", got)
	}
	// Without the middleware, the principal still names end users.
	ctx := auth.NewContext(r.Context(), auth.Principal{Kind: auth.EndUser, Subject: "u_1"})
	if got := Caller(ctx); got != "user:u_1" {
		t.Errorf("Caller without the middleware = %q", got)
	}
	var off *Budget
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if h := off.Middleware(nil)(next); h == nil {
		t.Error("a nil budget's middleware is nil")
	}
}
