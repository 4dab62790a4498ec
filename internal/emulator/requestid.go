package emulator

import (
	"context"
	"net/http"
)

type requestIDKey struct{}

// withRequestID gives every answer a Request-Id header (req_…), as Stripe
// does, and Stripe's standard response headers.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := prefixRequest + randomString(14)
		h := w.Header()
		h.Set("Request-Id", id)
		h.Set("Stripe-Version", apiVersion)
		h.Set("Cache-Control", "no-cache, no-store")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// requestID is the Request-Id of the API request being served; "" outside
// one (the hosted page, a timer).
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
