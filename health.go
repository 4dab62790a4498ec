package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// readinessCheck tells whether one dependency lets idgraph serve, and why
// not.
type readinessCheck func(ctx context.Context) (ok bool, reason string)

// readyz answers 200 "ok" when every check passes, else 503 with each
// failing check's reason on a line: a load balancer stops sending traffic,
// and an operator reads why. /healthz stays liveness: the process runs.
func readyz(checks ...readinessCheck) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var reasons []string
		for _, check := range checks {
			if ok, reason := check(ctx); !ok {
				reasons = append(reasons, reason)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if len(reasons) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "not ready:\n"+strings.Join(reasons, "\n")+"\n")
			return
		}
		io.WriteString(w, "ok\n")
	}
}

// withDeadline gives each request its operation's deadline, shared by all
// its Stripe calls and their retries; the server's write timeout is longer,
// so the answer saying it passed still reaches the client.
func withDeadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
