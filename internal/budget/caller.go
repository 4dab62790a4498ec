package budget

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/idgraph/idgraph/internal/auth"
)

// ServerCaller is the caller key of every server key: the Principal does
// not say which key authenticated, so all server keys share one bucket
// (Config.ServerCapacity, larger than an end user's).
const ServerCaller = "server"

// CallerKey names the bucket of the caller of r: "user:<subject>" for an
// end user, ServerCaller for a server key, and "ip:<address>" for anyone
// else (development, or no credential) by client IP. The client IP is r's
// peer (RemoteAddr) unless the peer is one of trustedProxies; then it is
// the right-most address of X-Forwarded-For that is not a trusted proxy
// (the left-hand entries are the client's own to write). An IPv6 client is
// keyed by its /64, which one host can hold whole. With no request (r nil)
// or no parsable peer, anonymous callers share "ip:unknown".
func CallerKey(p auth.Principal, r *http.Request, trustedProxies []netip.Prefix) string {
	switch {
	case p.Kind == auth.EndUser && p.Subject != "":
		return "user:" + p.Subject
	case p.Kind == auth.Server:
		return ServerCaller
	}
	return "ip:" + clientIP(r, trustedProxies)
}

// clientIP is CallerKey's client address, as a key.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	if r == nil {
		return "unknown"
	}
	client, ok := parseAddr(r.RemoteAddr)
	if !ok {
		return "unknown"
	}
	if isTrusted(client, trusted) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, ok := parseAddr(hops[i])
			if !ok {
				// Garbage that a trusted proxy passed on: the nearest
				// hop known is the best there is.
				break
			}
			client = hop
			if !isTrusted(hop, trusted) {
				break
			}
		}
	}
	if client.Is6() {
		p, _ := client.Prefix(64)
		return p.String()
	}
	return client.String()
}

// parseAddr reads an address as RemoteAddr and X-Forwarded-For give it:
// "ip", "ip:port" or "[ipv6]:port", IPv4-mapped IPv6 as IPv4, without zone.
func parseAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		host, _, serr := net.SplitHostPort(s)
		if serr != nil {
			return netip.Addr{}, false
		}
		if a, err = netip.ParseAddr(host); err != nil {
			return netip.Addr{}, false
		}
	}
	return a.Unmap().WithZone(""), true
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// callerKey is the context key of the request's caller key.
type callerKey struct{}

// Middleware stores the caller key of each request (CallerKey, with
// trustedProxies) in its context, for the GraphQL extension to find. It
// goes after authentication, which puts the Principal there. A nil
// Budget's Middleware passes requests through.
func (b *Budget) Middleware(trustedProxies []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if b == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := CallerKey(auth.FromContext(r.Context()), r, trustedProxies)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, key)))
		})
	}
}

// Caller returns the caller key of ctx: Middleware's, or without it the
// one its Principal gives (anonymous callers then share "ip:unknown").
func Caller(ctx context.Context) string {
	if key, ok := ctx.Value(callerKey{}).(string); ok {
		return key
	}
	return CallerKey(auth.FromContext(ctx), nil, nil)
}
