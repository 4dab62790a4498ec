package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Config is how idgraph authenticates its callers.
type Config struct {
	// JWKSURL is the identity provider's JWKS, whose keys verify end users'
	// RS256, ES256 and EdDSA tokens; "" accepts none of those.
	JWKSURL string
	// Issuer is the iss tokens must carry; "" leaves iss unchecked.
	Issuer string
	// Audience is a value tokens' aud must hold; "" leaves aud unchecked.
	Audience string
	// SubjectClaim names the claim that identifies the user; "" is "sub".
	SubjectClaim string
	// HS256Secret verifies HS256 tokens (development, or the emulator's
	// development secret); nil refuses HS256. At least 32 bytes.
	HS256Secret []byte
	// APIKeyHashes are the SHA-256 hashes of the servers' API keys.
	APIKeyHashes [][32]byte
	// ClockSkew is the leeway on exp, nbf and iat.
	ClockSkew time.Duration
	// Development lets a request without credentials in with full access:
	// the emulator with no authentication configured. A request with a
	// credential is still verified.
	Development bool
	// HTTPClient fetches the JWKS; nil is a client with timeouts.
	HTTPClient *http.Client
	// JWKSMinRefetch is the least time between two JWKS refetches caused
	// by tokens with unknown kids; 0 is 30 seconds.
	JWKSMinRefetch time.Duration
	// Logger receives the JWKS's fetch failures; nil discards.
	Logger *slog.Logger
}

// Bounds on credentials and secrets.
const (
	// maxCredentialLen bounds a credential, so that a huge header costs
	// nothing to refuse. Identity providers' JWTs are a few KiB at most.
	maxCredentialLen = 8 << 10
	// minHS256SecretLen is a full HMAC-SHA256 key (RFC 7518 §3.2).
	minHS256SecretLen = 32
)

// Authenticator tells who a credential belongs to.
type Authenticator struct {
	subjectClaim string
	issuer       string
	audience     string
	clockSkew    time.Duration
	hs256Secret  []byte
	apiKeyHashes [][32]byte
	development  bool
	keys         *jwksKeys // nil without a JWKS URL
	claimsChecks []jwt.ParseOption
	logger       *slog.Logger
	now          func() time.Time
}

// New makes an Authenticator for cfg. With a JWKS URL it starts fetching
// the keys in the background for as long as ctx lasts (or until Close); a
// JWKS that cannot be reached yet is logged, not an error.
func New(ctx context.Context, cfg Config) (*Authenticator, error) {
	return newAuthenticator(ctx, cfg, time.Now)
}

// newAuthenticator is New with a clock, which tests set.
func newAuthenticator(ctx context.Context, cfg Config, now func() time.Time) (*Authenticator, error) {
	if cfg.ClockSkew < 0 {
		return nil, errors.New("auth: the clock skew must not be negative")
	}
	if len(cfg.HS256Secret) > 0 && len(cfg.HS256Secret) < minHS256SecretLen {
		return nil, errors.New("auth: the HS256 secret must be at least 32 bytes")
	}
	a := &Authenticator{
		subjectClaim: cfg.SubjectClaim,
		issuer:       cfg.Issuer,
		audience:     cfg.Audience,
		clockSkew:    cfg.ClockSkew,
		apiKeyHashes: cfg.APIKeyHashes,
		development:  cfg.Development,
		logger:       cfg.Logger,
		now:          now,
	}
	if a.subjectClaim == "" {
		a.subjectClaim = "sub"
	}
	if len(cfg.HS256Secret) > 0 {
		a.hs256Secret = cfg.HS256Secret
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	// Built once: rebuilding them was a tenth of a request's allocations.
	a.claimsChecks = a.claimsOptions()
	if cfg.JWKSURL != "" {
		hc := cfg.HTTPClient
		if hc == nil {
			hc = defaultHTTPClient()
		}
		minRefetch := cfg.JWKSMinRefetch
		if minRefetch <= 0 {
			minRefetch = defaultJWKSMinRefetch
		}
		keys, err := newJWKSKeys(ctx, cfg.JWKSURL, hc, minRefetch, a.logger, now)
		if err != nil {
			return nil, err
		}
		a.keys = keys
	}
	if a.keys == nil && a.hs256Secret == nil && len(a.apiKeyHashes) == 0 && !a.development {
		a.logger.Warn("auth: no JWKS URL, HS256 secret or API key is configured: every request will be refused")
	}
	return a, nil
}

// defaultHTTPClient fetches a JWKS with a deadline, so that a hung identity
// provider cannot hold a request, and follows few redirects.
func defaultHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
}

// Authenticate tells whose credential, a bearer token or "" for none, is.
// An API key (APIKeyPrefix) is a server, any other token a JWT of an end
// user; none is the Development principal in development and refused
// otherwise. Its errors are *UnauthenticatedError, whose message says what
// is wrong without quoting the credential.
func (a *Authenticator) Authenticate(ctx context.Context, credential string) (Principal, error) {
	switch {
	case credential == "" && a.development:
		return Principal{Kind: Development}, nil
	case credential == "":
		return Principal{}, unauthenticated(msgMissing)
	case len(credential) > maxCredentialLen:
		return Principal{}, unauthenticated(msgTooLong)
	case isAPIKey(credential):
		return checkAPIKey(credential, a.apiKeyHashes)
	default:
		return a.verifyJWT(ctx, credential)
	}
}

// Close stops the JWKS's background refresh.
func (a *Authenticator) Close() error {
	if a.keys == nil {
		return nil
	}
	return a.keys.close()
}

// Ready tells whether the authenticator can verify tokens: with a JWKS URL,
// once its keys are loaded. reason says why not, for /readyz.
func (a *Authenticator) Ready() (ok bool, reason string) {
	if a.keys != nil && !a.keys.loaded() {
		return false, "the identity provider's signing keys (JWKS) are not loaded yet"
	}
	return true, ""
}
