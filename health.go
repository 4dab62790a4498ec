package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/idgraph/idgraph/graph"
)

// readinessCheck tells whether one dependency lets idgraph serve, and why
// not.
type readinessCheck func(ctx context.Context) (ok bool, reason string)

// readyz answers 200 "ok" when every check passes, else 503 with each
// failing check's reason on a line: a load balancer stops sending traffic,
// and an operator reads why. A failing note (a shared Redis down, worked
// around with per-process buckets) is said, and idgraph stays ready: taking
// every replica out at once would serve no one. /healthz stays liveness.
func readyz(checks, notes []readinessCheck) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		reasons := failing(ctx, checks)
		warnings := failing(ctx, notes)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		var b strings.Builder
		if len(reasons) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			b.WriteString("not ready:\n" + strings.Join(reasons, "\n") + "\n")
		} else {
			b.WriteString("ok\n")
		}
		for _, warning := range warnings {
			b.WriteString("warning: " + warning + "\n")
		}
		io.WriteString(w, b.String())
	}
}

func failing(ctx context.Context, checks []readinessCheck) []string {
	var reasons []string
	for _, check := range checks {
		if ok, reason := check(ctx); !ok {
			reasons = append(reasons, reason)
		}
	}
	return reasons
}

// withDeadline gives each request its operation's deadline, shared by all
// its Stripe calls and their retries; the server's write timeout is longer,
// so the answer saying it passed still reaches the client.
func withDeadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if graph.IsLongLived(r) {
				// Subscriptions live as long as their client; the graph
				// handler bounds each operation sent over them.
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
