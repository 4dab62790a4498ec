package websafe

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// HostCheck returns a middleware that serves only requests whose Host is one
// of allowed, and answers any other with 421 Misdirected Request and a short
// plain-text body. A DNS rebinding attack points a name the attacker owns at
// 127.0.0.1 (or a cluster address) so that the attacker's page becomes
// same-origin with idgraph; the browser still sends the attacker's name as
// the Host, which is what this refuses.
//
// Hosts compare without their port, ignoring case, a trailing dot and IPv6
// brackets. Requests for the exempt paths (exact, such as "/healthz") are
// served whatever their Host, so that probes which address the server by a
// pod IP keep working; exempt only paths that reveal nothing.
//
// Put HostCheck outside CORS and the app: what it refuses gets nothing of
// theirs. HostCheck panics when allowed is empty or holds a name ParseHosts
// refuses, since configuration goes through AllowedHosts and ParseHosts and
// such a list would refuse every request.
func HostCheck(allowed []string, exempt ...string) func(http.Handler) http.Handler {
	if len(allowed) == 0 {
		panic("websafe.HostCheck: no allowed hosts; every request would be refused")
	}
	hosts := make(map[string]bool, len(allowed))
	for _, h := range allowed {
		n, err := parseHost(h)
		if err != nil {
			panic("websafe.HostCheck: " + err.Error())
		}
		hosts[n] = true
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if h, ok := requestHost(r.Host); (ok && hosts[h]) || slices.Contains(exempt, r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			http.Error(w, "misdirected request: this server does not answer for that host", http.StatusMisdirectedRequest)
		})
	}
}

// AllowedHosts builds HostCheck's list: the host of publicURL (the URL
// browsers reach idgraph at), the extra hosts (a load balancer's name, a
// cluster service's names) and, when idgraph listens on a loopback address,
// localhost, 127.0.0.1 and ::1. Names are normalized as ParseHosts does and
// duplicates dropped; an empty or unparsable publicURL adds nothing.
func AllowedHosts(publicURL string, extra []string, loopbackBind bool) []string {
	var candidates []string
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		candidates = append(candidates, u.Hostname())
	}
	candidates = append(candidates, extra...)
	if loopbackBind {
		candidates = append(candidates, "localhost", "127.0.0.1", "::1")
	}
	var out []string
	for _, c := range candidates {
		if n, err := parseHost(c); err == nil && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// ParseHosts reads a comma-separated list of extra host names for
// AllowedHosts. Each is a bare host: a DNS name ("idgraph.prod.svc") or an
// IP address ("10.0.0.7", "::1" or "[::1]"), with no scheme, port or path,
// since HostCheck ignores ports. Names are returned in lower case without a
// trailing dot; empty entries are skipped.
func ParseHosts(csv string) ([]string, error) {
	var out []string
	for _, raw := range strings.Split(csv, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		n, err := parseHost(raw)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// parseHost validates and normalizes a configured bare host.
func parseHost(s string) (string, error) {
	switch {
	case strings.Contains(s, "://"):
		return "", fmt.Errorf("host %q: give a bare host name, without a scheme (idgraph.example.com, not https://idgraph.example.com)", s)
	case strings.ContainsAny(s, "/?#"):
		return "", fmt.Errorf("host %q: give a bare host name, without a path", s)
	case strings.Contains(s, "@"):
		return "", fmt.Errorf("host %q: give a bare host name, without user info", s)
	case strings.Contains(s, "*"):
		return "", fmt.Errorf("host %q: wildcards are not supported; list each host", s)
	}
	h := s
	if strings.HasPrefix(h, "[") && strings.Contains(h, "]:") {
		return "", fmt.Errorf("host %q: give a bare host name, without a port (the Host check ignores ports)", s)
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
		if _, err := netip.ParseAddr(h); err != nil || !strings.Contains(h, ":") {
			return "", fmt.Errorf("host %q: brackets hold an IPv6 address only", s)
		}
	} else if strings.Count(h, ":") == 1 {
		return "", fmt.Errorf("host %q: give a bare host name, without a port (the Host check ignores ports)", s)
	}
	n := normalizeHost(h)
	if err := checkHostName(n); err != nil {
		return "", fmt.Errorf("host %q: %v", s, err)
	}
	return n, nil
}

// requestHost is the host of a request's Host header, normalized, without
// its port; ok is false when the header is empty or malformed.
func requestHost(hostport string) (host string, ok bool) {
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", false
		}
		host, port = hostport[1:end], hostport[end+1:]
		if port != "" && port[0] != ':' {
			return "", false
		}
	} else if i := strings.IndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i:]
	}
	if host == "" || strings.Trim(strings.TrimPrefix(port, ":"), "0123456789") != "" {
		return "", false // an unbracketed IPv6 address lands here too
	}
	return normalizeHost(host), true
}

// normalizeHost lowercases h, drops one trailing dot (the fully qualified
// spelling of the same name) and writes IP addresses canonically.
func normalizeHost(h string) string {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if a, err := netip.ParseAddr(h); err == nil {
		return a.String()
	}
	return h
}

// checkHostName accepts an IP address or a DNS name of letters, digits,
// hyphens and underscores (Docker Compose service names have them).
func checkHostName(h string) error {
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if h == "" {
		return errors.New("empty host")
	}
	if len(h) > 253 {
		return errors.New("host name longer than 253 characters")
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 {
			return errors.New("each dot-separated label must have 1 to 63 characters")
		}
		for _, c := range label {
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			case c > 127:
				return errors.New("non-ASCII host name; write its punycode (xn--) form")
			default:
				return fmt.Errorf("character %q is not allowed in a host name", c)
			}
		}
	}
	return nil
}
