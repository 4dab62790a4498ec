package auth

import (
	"context"
	"slices"
	"time"
)

// The scopes that guard personal data, beyond what every caller may read.
const (
	// ScopeReadOutputs reads verifiedOutputs and lastVerificationReport:
	// names, addresses, document details.
	ScopeReadOutputs = "identity:read_outputs"
	// ScopeReadSensitive reads what Stripe calls sensitive verification
	// results: dates of birth, ID numbers, document numbers, sex, place of
	// birth.
	ScopeReadSensitive = "identity:read_sensitive"
)

// Kind is the kind of caller a Principal is.
type Kind int

// The kinds of callers. The zero Kind is no caller at all, and may do
// nothing: code that forgets to authenticate fails closed.
const (
	// EndUser is a person, authenticated by a JWT: they see and change only
	// the sessions whose client_reference_id is their subject.
	EndUser Kind = iota + 1
	// Server is a backend holding an API key: it acts for every user and
	// holds every scope.
	Server
	// Development is any caller of an emulator-mode idgraph with no
	// authentication configured: full access, as a server key.
	Development
)

// Principal is the authenticated caller of one request.
type Principal struct {
	Kind Kind
	// Subject is an end user's ID (the JWT's subject claim); empty for
	// other kinds.
	Subject string
	// Scopes are an end user's scopes; other kinds hold every scope.
	Scopes []string
	// Expires is when the credential stops being valid (a JWT's exp); zero
	// when it does not expire. Long-lived connections end then.
	Expires time.Time
}

// FullAccess tells whether the principal sees and does everything: a server
// key, or development without authentication.
func (p Principal) FullAccess() bool { return p.Kind == Server || p.Kind == Development }

// HasScope tells whether the principal holds scope.
func (p Principal) HasScope(scope string) bool {
	return p.FullAccess() || (p.Kind == EndUser && slices.Contains(p.Scopes, scope))
}

// Owns tells whether the principal may see and change a session whose
// client_reference_id is clientReferenceID.
func (p Principal) Owns(clientReferenceID string) bool {
	return p.FullAccess() || (p.Kind == EndUser && p.Subject != "" && p.Subject == clientReferenceID)
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of ctx; without one, the zero Principal,
// which may do nothing.
func FromContext(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}
