package identity

import (
	"context"
	"net/http"
	"slices"

	"github.com/stripe/stripe-go/v85"
)

// Config configures the stripe-go client.
type Config struct {
	// Key is the Stripe secret or restricted key.
	Key string
	// BaseURL is the API base without a path, e.g. "https://api.stripe.com"
	// or a stripe-mock's "http://127.0.0.1:12111". Empty means Stripe's.
	BaseURL string
	// HTTPClient carries the requests; nil means NewHTTPClient's defaults.
	HTTPClient *http.Client
	// MaxNetworkRetries is how often stripe-go retries a failed request
	// (with the same idempotency key).
	MaxNetworkRetries int64
}

// Stripe is the Client over stripe-go.
type Stripe struct {
	sessions stripeSessions
}

// stripeSessions is stripe-go's VerificationSession service, as the methods
// this package uses.
type stripeSessions interface {
	Create(context.Context, *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error)
	Retrieve(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error)
	Update(context.Context, string, *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error)
	Cancel(context.Context, string, *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error)
	Redact(context.Context, string, *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error)
	List(context.Context, *stripe.IdentityVerificationSessionListParams) *stripe.V1List[*stripe.IdentityVerificationSession]
}

var _ Client = (*Stripe)(nil)

// NewStripe returns a Client that calls Stripe (or whatever speaks Stripe's
// API at cfg.BaseURL) through stripe-go.
func NewStripe(cfg Config) *Stripe {
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = NewHTTPClient()
	}
	retries := cfg.MaxNetworkRetries
	// stripe-go logs every error response at its default level; idgraph
	// logs upstream errors itself, once, without secrets.
	backendCfg := &stripe.BackendConfig{
		HTTPClient:        httpClient,
		MaxNetworkRetries: &retries,
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		EnableTelemetry:   stripe.Bool(false),
	}
	if cfg.BaseURL != "" {
		backendCfg.URL = stripe.String(cfg.BaseURL)
	}
	sc := stripe.NewClient(cfg.Key, stripe.WithBackends(stripe.NewBackendsWithConfig(backendCfg)))
	return &Stripe{sessions: sc.V1IdentityVerificationSessions}
}

// Create implements Client.
func (s *Stripe) Create(ctx context.Context, p *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
	return s.sessions.Create(ctx, p)
}

// Retrieve implements Client.
func (s *Stripe) Retrieve(ctx context.Context, id string, p *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	return s.sessions.Retrieve(ctx, id, p)
}

// Update implements Client.
func (s *Stripe) Update(ctx context.Context, id string, p *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
	return s.sessions.Update(ctx, id, p)
}

// Cancel implements Client.
func (s *Stripe) Cancel(ctx context.Context, id string, p *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
	return s.sessions.Cancel(ctx, id, p)
}

// Redact implements Client.
func (s *Stripe) Redact(ctx context.Context, id string, p *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
	return s.sessions.Redact(ctx, id, p)
}

// List implements Client. It asks stripe-go for a single page; stripe-go
// reverses pages fetched with ending_before (so that its iterator can walk
// backwards), and List turns them back into Stripe's list order.
func (s *Stripe) List(ctx context.Context, p *stripe.IdentityVerificationSessionListParams) (Page, error) {
	if p == nil {
		p = &stripe.IdentityVerificationSessionListParams{}
	}
	p.Single = true
	l := s.sessions.List(ctx, p)
	if err := l.Err(); err != nil {
		return Page{}, err
	}
	sessions := slices.Clone(l.Data())
	if p.EndingBefore != nil {
		slices.Reverse(sessions)
	}
	return Page{Sessions: sessions, HasMore: l.Meta().HasMore}, nil
}
