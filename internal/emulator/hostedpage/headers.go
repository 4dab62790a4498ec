package hostedpage

import (
	"net/http"
	"net/url"
	"strings"
)

// setPageHeaders sets the headers every response of the page carries.
//
// formAction is the CSP form-action source list: "'none'" on pages without a
// form. On the verification page it is 'self' plus the return_url's origin,
// because Chrome (and the CSP3 drafts it follows) checks form-action against
// the redirects that follow a form submission too: without that origin, the
// 303 to return_url after a POST would be blocked. The limit: a return_url
// that itself redirects to yet another origin can still be blocked by such
// browsers; only the first hop's origin is known here.
func setPageHeaders(h http.Header, formAction string) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy",
		"default-src 'none'; style-src 'self'; form-action "+formAction+
			"; base-uri 'none'; frame-ancestors 'none'")
	setSecretHeaders(h)
	// Older browsers ignore frame-ancestors.
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Robots-Tag", "noindex, nofollow")
}

// setSecretHeaders keeps the token in the url out of caches and out of the
// Referer of any request that follows, including the redirect to return_url.
func setSecretHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
}

// formActionFor is the form-action source list for the verification page of
// a session with this return_url.
func formActionFor(returnURL string) string {
	u, ok := returnTarget(returnURL)
	if !ok {
		return "'self'"
	}
	origin, ok := cspOrigin(u)
	if !ok {
		return "'self'"
	}
	return "'self' " + origin
}

// returnTarget parses a session's return_url and reports whether the browser
// may be sent there: only an absolute http or https URL. Stripe validates
// return_url when a session is created; checking again here means a bad
// stored value shows the "thanks" page instead of redirecting to javascript:
// or to some path on this host.
func returnTarget(raw string) (*url.URL, bool) {
	if raw == "" {
		return nil, false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, false
	}
	return u, true
}

// cspOrigin is u's origin as a CSP source expression. It refuses hosts that
// are not plain ASCII names or IPv4 addresses (IDN, IPv6 literals), because
// the host lands in a header whose grammar has no escaping: a ";" or space
// would start a new directive. The redirect still happens without it; only
// browsers that check form-action on redirects would block it.
func cspOrigin(u *url.URL) (string, bool) {
	host := strings.ToLower(u.Hostname())
	if host == "" || !onlyBytes(host, isHostByte) || !onlyBytes(u.Port(), isDigit) {
		return "", false
	}
	origin := u.Scheme + "://" + host
	if port := u.Port(); port != "" {
		origin += ":" + port
	}
	return origin, true
}

func onlyBytes(s string, ok func(byte) bool) bool {
	for i := range len(s) {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHostByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || c == '-' || c == '.'
}
