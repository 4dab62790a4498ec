package requestid

import (
	"context"
	"crypto/rand"
	"net/http"
)

// Header is the HTTP header that carries a request ID, in and out.
const Header = "X-Request-Id"

// MaxLen bounds the length of a caller's request ID.
const MaxLen = 128

// Middleware gives each request its ID: the caller's X-Request-Id when it is
// well formed (Valid), a new random one otherwise. It sets the ID on the
// response's X-Request-Id before the handler runs, so that every answer
// carries it (refusals and panics included), and stores it in the request's
// context (FromContext).
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !Valid(id) || len(r.Header.Values(Header)) > 1 {
			id = New()
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
	})
}

// New returns a new request ID: 128 random bits in 26 characters of
// base32 (crypto/rand's Text).
func New() string { return rand.Text() }

// Valid tells whether id may be taken from a caller: 1 to MaxLen
// characters of [A-Za-z0-9._-].
func Valid(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

type contextKey struct{}

// NewContext returns ctx carrying the request ID id.
func NewContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, contextKey{}, id)
}

// FromContext returns the request ID of ctx; "" when it has none.
func FromContext(ctx context.Context) string {
	id, _ := ctx.Value(contextKey{}).(string)
	return id
}
