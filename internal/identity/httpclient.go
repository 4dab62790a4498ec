package identity

import (
	"net"
	"net/http"
	"time"
)

// NewHTTPClient returns the HTTP client idgraph gives stripe-go: an
// HTTP/1.1 transport that works in the calling goroutine (transport.go),
// with NewTransport for what it does not carry (proxies). Go's default
// transport keeps 2 idle connections per host, so under concurrent load most
// requests open a new TLS connection and close it again, leaving thousands
// of sockets in TIME_WAIT; this one keeps enough idle connections to Stripe
// for the concurrency idgraph serves, and bounds every phase of a request.
func NewHTTPClient() *http.Client {
	fallback := NewTransport()
	// No http.Client.Timeout: the transport bounds each request itself
	// (see transport.requestTimeout), to stripe-go's own default.
	return &http.Client{Transport: newTransport(fallback, fallback.MaxIdleConnsPerHost, 80*time.Second)}
}

// NewTransport returns net/http's transport as idgraph sets it up for
// Stripe: the fallback of NewHTTPClient's.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}
