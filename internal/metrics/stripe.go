package metrics

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/idgraph/idgraph/internal/metrics/stripepath"
)

// InstrumentStripe wraps the transport of stripe-go's HTTP client so that
// each request to Stripe (each retry too) counts by endpoint template
// ("/v1/identity/verification_sessions/{id}/cancel": never an ID or a query
// string), method and status code, with the time to Stripe's response
// headers. A request that got no answer counts as "canceled" (the caller
// went away), "timeout" or "error".
func (m *Metrics) InstrumentStripe(rt http.RoundTripper) http.RoundTripper {
	if m == nil {
		return rt
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	return stripeTransport{next: rt, m: m}
}

type stripeTransport struct {
	next http.RoundTripper
	m    *Metrics
}

func (t stripeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := t.next.RoundTrip(req)
	d := time.Since(start)
	endpoint := stripepath.Template(req.URL.EscapedPath())
	meth := method(req.Method)
	var code string
	switch {
	case err == nil:
		code = statusCode(res.StatusCode)
	case errors.Is(err, context.Canceled):
		code = "canceled"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		code = "timeout"
	default:
		code = "error"
	}
	t.m.stripeRequests.WithLabelValues(endpoint, meth, code).Inc()
	t.m.stripeDuration.WithLabelValues(endpoint, meth).Observe(d.Seconds())
	return res, err
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}
