package metrics

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Middleware counts the requests in flight and, once each is served, its
// method, chi's route pattern (never the path: the hosted page's paths
// carry a session's secret token), status and duration. It goes on the
// root router, so that the route is known when the request is done.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.httpInFlight.Inc()
		// Deferred: a panic that goes through still leaves the gauge.
		defer m.httpInFlight.Dec()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := "unmatched"
		if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePattern() != "" {
			route = rctx.RoutePattern()
		}
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		meth := method(r.Method)
		m.httpRequests.WithLabelValues(meth, route, statusCode(status)).Inc()
		m.httpDuration.WithLabelValues(meth, route).Observe(time.Since(start).Seconds())
	})
}
