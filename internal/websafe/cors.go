package websafe

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/cors"
)

// corsMaxAge is how long, in seconds, a browser may reuse a preflight
// answer. Chromium caps it at 7200; 10 minutes keeps a changed origin list
// from being cached for long.
const corsMaxAge = 600

// CORS returns a middleware that lets pages from origins call the API: GET,
// POST and OPTIONS, with the Authorization, Content-Type, Accept and
// X-Request-Id request headers, exposing Retry-After, X-Request-Id and
// WWW-Authenticate (which tells an expired token from a missing one).
// Credentials (cookies) are never allowed: idgraph's callers present bearer
// tokens, which a page sends explicitly.
//
// origins are exact origins ("https://app.example.com") or origins with a
// port wildcard ("http://localhost:*"), as ParseOrigins accepts them and
// OriginAllowed matches them. No origins means same-origin only: the
// middleware adds no CORS headers at all. CORS panics on an origin
// ParseOrigins refuses, "*" included, since configuration goes through
// ParseOrigins and a pattern silently ignored would show up only as a
// browser's opaque CORS failure.
func CORS(origins []string) func(http.Handler) http.Handler {
	if len(origins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	patterns, err := parsePatterns(origins)
	if err != nil {
		panic("websafe.CORS: " + err.Error())
	}
	return cors.Handler(cors.Options{
		// go-chi/cors's own wildcard is a plain prefix/suffix match:
		// "http://localhost:*" would also take "http://localhost:1@evil"
		// or "http://localhost:x.evil.com". Origins are matched here
		// instead, by scheme, host and port.
		AllowOriginFunc: func(_ *http.Request, origin string) bool { return matchAny(patterns, origin) },
		AllowedMethods:  []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:  []string{"Authorization", "Content-Type", "Accept", "X-Request-Id"},
		ExposedHeaders:  []string{"Retry-After", "X-Request-Id", "WWW-Authenticate"},
		MaxAge:          corsMaxAge,
	})
}

// DevOrigins returns the origins allowed in emulator mode: any port on the
// loopback addresses, where a developer's app runs beside idgraph.
func DevOrigins() []string {
	return []string{"http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"}
}

// OriginAllowed reports whether origin, an Origin header's value, matches one
// of origins. The scheme and host must be equal (the host ignoring case);
// the port must be equal, or any port for a pattern whose port is "*". A
// port the origin omits is its scheme's default. The value "null", anything
// with a path, query, fragment or user info, and patterns ParseOrigins
// refuses never match.
func OriginAllowed(origins []string, origin string) bool {
	var patterns []originPattern
	for _, o := range origins {
		if p, err := parseOrigin(o); err == nil {
			patterns = append(patterns, p)
		}
	}
	return matchAny(patterns, origin)
}

// ParseOrigins reads a comma-separated list of allowed origins, as CORS and
// OriginAllowed take them, and returns them normalized: scheme and host in
// lower case, a default port dropped, duplicates removed. Empty entries are
// skipped; an empty list means same-origin only. "*" is refused.
func ParseOrigins(csv string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, raw := range strings.Split(csv, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		p, err := parseOrigin(raw)
		if err != nil {
			return nil, err
		}
		if s := p.String(); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// originPattern is a parsed allowed origin. port is "" for any port, else
// the effective port (the scheme's default when the origin names none).
type originPattern struct {
	scheme, host, port string
}

// String is the pattern in ParseOrigins's normalized form.
func (p originPattern) String() string {
	h := p.host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	switch p.port {
	case "":
		return p.scheme + "://" + h + ":*"
	case defaultPort(p.scheme):
		return p.scheme + "://" + h
	}
	return p.scheme + "://" + h + ":" + p.port
}

func (p originPattern) match(o originPattern) bool {
	return p.scheme == o.scheme && p.host == o.host && (p.port == "" || p.port == o.port)
}

func parsePatterns(origins []string) ([]originPattern, error) {
	patterns := make([]originPattern, 0, len(origins))
	for _, o := range origins {
		p, err := parseOrigin(o)
		if err != nil {
			return nil, err
		}
		patterns = append(patterns, p)
	}
	return patterns, nil
}

func matchAny(patterns []originPattern, origin string) bool {
	o, err := parseOriginValue(origin, false)
	if err != nil {
		return false
	}
	for _, p := range patterns {
		if p.match(o) {
			return true
		}
	}
	return false
}

// parseOrigin parses an allowed origin, which may have a "*" port.
func parseOrigin(s string) (originPattern, error) {
	if strings.TrimSpace(s) == "*" {
		return originPattern{}, errors.New(`origin "*" is not allowed: it would let any web site call the API with a user's bearer token; list the app's origins, e.g. https://app.example.com`)
	}
	return parseOriginValue(s, true)
}

// parseOriginValue parses scheme://host[:port]; wildcardPort allows ":*".
func parseOriginValue(s string, wildcardPort bool) (originPattern, error) {
	anyPort := false
	rest := s
	if wildcardPort && strings.HasSuffix(s, ":*") {
		// net/url refuses a "*" port, so it is taken off first.
		anyPort, rest = true, strings.TrimSuffix(s, ":*")
	}
	u, err := url.Parse(rest)
	if err != nil {
		return originPattern{}, fmt.Errorf("origin %q: %v", s, errors.Unwrap(err))
	}
	p := originPattern{scheme: strings.ToLower(u.Scheme), host: strings.ToLower(u.Hostname()), port: u.Port()}
	switch {
	case p.scheme != "http" && p.scheme != "https":
		return originPattern{}, fmt.Errorf("origin %q: must start with http:// or https://", s)
	case u.Opaque != "" || u.Host == "":
		return originPattern{}, fmt.Errorf("origin %q: has no host; write scheme://host[:port]", s)
	case u.User != nil:
		return originPattern{}, fmt.Errorf("origin %q: has user info; an origin is scheme://host[:port]", s)
	case u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return originPattern{}, fmt.Errorf("origin %q: has a path, query or fragment (a trailing / too); an origin is scheme://host[:port]", s)
	case strings.Contains(p.host, "*"):
		return originPattern{}, fmt.Errorf("origin %q: only the port may be a wildcard (http://localhost:*), not the host", s)
	case strings.HasSuffix(u.Host, ":"):
		return originPattern{}, fmt.Errorf("origin %q: has an empty port", s)
	case anyPort && p.port != "":
		return originPattern{}, fmt.Errorf("origin %q: has two ports", s)
	}
	if err := checkHostName(p.host); err != nil {
		return originPattern{}, fmt.Errorf("origin %q: %v", s, err)
	}
	if a, err := netip.ParseAddr(p.host); err == nil {
		p.host = a.String() // browsers write IPv6 addresses in this form
	}
	if anyPort {
		p.port = ""
		return p, nil
	}
	if p.port == "" {
		p.port = defaultPort(p.scheme)
	} else if n, err := strconv.Atoi(p.port); err != nil || n < 1 || n > 65535 {
		return originPattern{}, fmt.Errorf("origin %q: port %q is not a number from 1 to 65535", s, p.port)
	} else {
		p.port = strconv.Itoa(n) // "03000" is port 3000
	}
	return p, nil
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}
