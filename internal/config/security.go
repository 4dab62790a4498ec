package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/websafe"
)

// Security is who may call idgraph and from where: authentication, the
// end users' verification policy, browser origins and hosts, and the
// environment.
type Security struct {
	// JWKSURL is the identity provider's JWKS (IDGRAPH_AUTH_JWKS_URL).
	JWKSURL string
	// Issuer is the JWTs' required iss (IDGRAPH_AUTH_ISSUER); empty: unchecked.
	Issuer string
	// Audience is the JWTs' required aud (IDGRAPH_AUTH_AUDIENCE); empty: unchecked.
	Audience string
	// SubjectClaim names the claim that identifies the user
	// (IDGRAPH_AUTH_SUBJECT_CLAIM).
	SubjectClaim string
	// HS256Secret verifies HS256 JWTs (IDGRAPH_AUTH_HS256_SECRET); for
	// development only.
	HS256Secret string
	// ClockSkew is the leeway on exp and nbf (IDGRAPH_AUTH_CLOCK_SKEW).
	ClockSkew time.Duration
	// APIKeyHashes are the SHA-256 hashes of the server keys
	// (IDGRAPH_API_KEY_SHA256).
	APIKeyHashes [][32]byte
	// CORSOrigins are the browser origins allowed to call idgraph
	// (IDGRAPH_CORS_ORIGINS); nil means the mode's default.
	CORSOrigins []string
	// AllowedHosts are Host names served besides the public URL's
	// (IDGRAPH_ALLOWED_HOSTS).
	AllowedHosts []string
	// Production turns off introspection, suggestions and the schema for
	// end users, and GraphiQL unless enabled (IDGRAPH_ENV=production;
	// implied by a live key).
	Production bool
	// GraphiQL serves the playground at / (IDGRAPH_GRAPHIQL); on by default
	// in development, off in production.
	GraphiQL bool
	// Policy is what end users may create (IDGRAPH_POLICY_*).
	Policy Policy
}

// Policy is the verification policy for end users, as configured.
type Policy struct {
	// Types are the session types end users may create
	// (IDGRAPH_POLICY_TYPES); empty means any.
	Types []string
	// DocumentRequire are the document checks imposed
	// (IDGRAPH_POLICY_DOCUMENT_REQUIRE): matching_selfie, live_capture,
	// id_number.
	DocumentRequire []string
	// DocumentAllowedTypes are the documents allowed
	// (IDGRAPH_POLICY_DOCUMENT_ALLOWED_TYPES); empty means any.
	DocumentAllowedTypes []string
}

// The values the policy settings take: Stripe's own names.
var (
	policyTypes        = []string{"document", "id_number", "verification_flow"}
	policyRequirements = []string{"matching_selfie", "live_capture", "id_number"}
	policyDocuments    = []string{"driving_license", "id_card", "passport"}
)

// Defaults and bounds of the security settings.
const (
	DefaultSubjectClaim = "sub"
	DefaultClockSkew    = 30 * time.Second
	maxClockSkew        = 5 * time.Minute
	minHS256Secret      = 32
)

// AuthConfigured tells whether any way to authenticate is configured.
func (s Security) AuthConfigured() bool {
	return s.JWKSURL != "" || s.HS256Secret != "" || len(s.APIKeyHashes) > 0
}

// securityFlags holds the raw security settings while flags are parsed.
type securityFlags struct {
	jwks, iss, aud, sub, hs256, skew, keys, origins, hosts, env, graphiql string
	types, require, documents                                             string
}

func (f *securityFlags) register(fs *flag.FlagSet, env func(name, def string) string) {
	fs.StringVar(&f.jwks, "auth-jwks-url", env("IDGRAPH_AUTH_JWKS_URL", ""), "the identity provider's JWKS URL; end users' JWTs are verified with its keys (IDGRAPH_AUTH_JWKS_URL)")
	fs.StringVar(&f.iss, "auth-issuer", env("IDGRAPH_AUTH_ISSUER", ""), "the JWTs' required issuer, iss (IDGRAPH_AUTH_ISSUER)")
	fs.StringVar(&f.aud, "auth-audience", env("IDGRAPH_AUTH_AUDIENCE", ""), "the JWTs' required audience, aud (IDGRAPH_AUTH_AUDIENCE)")
	fs.StringVar(&f.sub, "auth-subject-claim", env("IDGRAPH_AUTH_SUBJECT_CLAIM", DefaultSubjectClaim), "the JWT claim that identifies the user (IDGRAPH_AUTH_SUBJECT_CLAIM)")
	fs.StringVar(&f.hs256, "auth-hs256-secret", env("IDGRAPH_AUTH_HS256_SECRET", ""), "development only: verify HS256 JWTs with this secret, at least 32 bytes (IDGRAPH_AUTH_HS256_SECRET)")
	fs.StringVar(&f.skew, "auth-clock-skew", env("IDGRAPH_AUTH_CLOCK_SKEW", DefaultClockSkew.String()), "leeway on the JWTs' exp and nbf, up to 5m (IDGRAPH_AUTH_CLOCK_SKEW)")
	fs.StringVar(&f.keys, "api-key-sha256", env("IDGRAPH_API_KEY_SHA256", ""), "comma-separated hex SHA-256 hashes of server API keys; `idgraph apikey` makes one (IDGRAPH_API_KEY_SHA256)")
	fs.StringVar(&f.origins, "cors-origins", env("IDGRAPH_CORS_ORIGINS", ""), "comma-separated browser origins allowed to call idgraph, e.g. https://app.example.com or http://localhost:* (IDGRAPH_CORS_ORIGINS)")
	fs.StringVar(&f.hosts, "allowed-hosts", env("IDGRAPH_ALLOWED_HOSTS", ""), "comma-separated Host names served besides the public URL's, e.g. a load balancer's (IDGRAPH_ALLOWED_HOSTS)")
	fs.StringVar(&f.env, "env", env("IDGRAPH_ENV", ""), "development or production; default production with a live key, development otherwise (IDGRAPH_ENV)")
	fs.StringVar(&f.graphiql, "graphiql", env("IDGRAPH_GRAPHIQL", ""), "serve GraphiQL at /: true or false; default true in development, false in production (IDGRAPH_GRAPHIQL)")
	fs.StringVar(&f.types, "policy-types", env("IDGRAPH_POLICY_TYPES", ""), "comma-separated session types end users may create: document, id_number, verification_flow; default any (IDGRAPH_POLICY_TYPES)")
	fs.StringVar(&f.require, "policy-document-require", env("IDGRAPH_POLICY_DOCUMENT_REQUIRE", ""), "comma-separated document checks imposed on end users: matching_selfie, live_capture, id_number (IDGRAPH_POLICY_DOCUMENT_REQUIRE)")
	fs.StringVar(&f.documents, "policy-document-allowed-types", env("IDGRAPH_POLICY_DOCUMENT_ALLOWED_TYPES", ""), "comma-separated documents end users may verify with: driving_license, id_card, passport; default any (IDGRAPH_POLICY_DOCUMENT_ALLOWED_TYPES)")
}

// parse checks the raw settings, reporting every malformed one at once.
// Secrets are never echoed.
// A live key implies production.
func (f *securityFlags) parse(liveKey bool) (Security, error) {
	var errs []error
	s := Security{JWKSURL: f.jwks, Issuer: f.iss, Audience: f.aud, SubjectClaim: f.sub, HS256Secret: f.hs256}
	if f.jwks != "" {
		if err := checkJWKSURL(f.jwks); err != nil {
			errs = append(errs, err)
		}
	}
	if strings.TrimSpace(f.sub) == "" || strings.ContainsAny(f.sub, " \t\r\n") {
		errs = append(errs, fmt.Errorf("IDGRAPH_AUTH_SUBJECT_CLAIM must be a claim name such as sub, not %q", f.sub))
	}
	if f.hs256 != "" && len(f.hs256) < minHS256Secret {
		errs = append(errs, fmt.Errorf("IDGRAPH_AUTH_HS256_SECRET must be at least %d bytes (e.g. `openssl rand -hex 32`)", minHS256Secret))
	}
	var err error
	if s.ClockSkew, err = time.ParseDuration(f.skew); err != nil || s.ClockSkew < 0 || s.ClockSkew > maxClockSkew {
		errs = append(errs, fmt.Errorf("IDGRAPH_AUTH_CLOCK_SKEW must be a duration from 0s to %v, not %q", maxClockSkew, f.skew))
	}
	for _, h := range splitList(f.keys) {
		sum, err := auth.ParseKeyHash(h)
		if err != nil {
			errs = append(errs, fmt.Errorf("IDGRAPH_API_KEY_SHA256 must list hex SHA-256 hashes (64 hex digits each, from `idgraph apikey`), not %q", truncate(h)))
			continue
		}
		s.APIKeyHashes = append(s.APIKeyHashes, sum)
	}
	if f.origins != "" {
		if s.CORSOrigins, err = websafe.ParseOrigins(f.origins); err != nil {
			errs = append(errs, fmt.Errorf("IDGRAPH_CORS_ORIGINS: %w", err))
		}
	}
	if f.hosts != "" {
		if s.AllowedHosts, err = websafe.ParseHosts(f.hosts); err != nil {
			errs = append(errs, fmt.Errorf("IDGRAPH_ALLOWED_HOSTS: %w", err))
		}
	}
	switch f.env {
	case "":
		s.Production = liveKey
	case "development":
		if liveKey {
			errs = append(errs, errors.New("IDGRAPH_ENV=development cannot be used with a live Stripe key"))
		}
	case "production":
		s.Production = true
	default:
		errs = append(errs, fmt.Errorf("IDGRAPH_ENV must be development or production, not %q", f.env))
	}
	s.GraphiQL = !s.Production
	if f.graphiql != "" {
		if s.GraphiQL, err = strconv.ParseBool(f.graphiql); err != nil {
			errs = append(errs, fmt.Errorf("IDGRAPH_GRAPHIQL must be true or false, not %q", f.graphiql))
		}
	}
	var perr error
	if s.Policy.Types, perr = oneOf("IDGRAPH_POLICY_TYPES", f.types, policyTypes); perr != nil {
		errs = append(errs, perr)
	}
	if s.Policy.DocumentRequire, perr = oneOf("IDGRAPH_POLICY_DOCUMENT_REQUIRE", f.require, policyRequirements); perr != nil {
		errs = append(errs, perr)
	}
	if s.Policy.DocumentAllowedTypes, perr = oneOf("IDGRAPH_POLICY_DOCUMENT_ALLOWED_TYPES", f.documents, policyDocuments); perr != nil {
		errs = append(errs, perr)
	}
	return s, errors.Join(errs...)
}

// checkSecurity checks the settings against each other and the backend:
// idgraph in front of a Stripe key must know who calls it.
func (c Config) checkSecurity() []error {
	var errs []error
	if c.StripeKey != "" && !c.AuthConfigured() && !c.AllowUnauthenticated {
		errs = append(errs, errors.New("refusing to serve a Stripe key with no authentication: anyone who reaches idgraph could read real identities. Configure IDGRAPH_AUTH_JWKS_URL (end users) and/or IDGRAPH_API_KEY_SHA256 (servers), or set IDGRAPH_ALLOW_UNAUTHENTICATED=true only behind your own authentication"))
	}
	if c.Production && c.HS256Secret != "" {
		errs = append(errs, errors.New("IDGRAPH_AUTH_HS256_SECRET is for development; in production verify end users' JWTs with IDGRAPH_AUTH_JWKS_URL"))
	}
	if c.Production && c.JWKSURL != "" && (c.Issuer == "" || c.Audience == "") {
		errs = append(errs, errors.New("in production, IDGRAPH_AUTH_JWKS_URL needs IDGRAPH_AUTH_ISSUER and IDGRAPH_AUTH_AUDIENCE, so that tokens your identity provider issues for other apps are refused"))
	}
	return errs
}

// checkJWKSURL accepts https, and http only for a loopback host (a local
// identity provider in development): keys fetched in the clear could be
// replaced on the way.
func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("IDGRAPH_AUTH_JWKS_URL must be an absolute https URL, not %q", raw)
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("IDGRAPH_AUTH_JWKS_URL must use https (http only for localhost), not %q", raw)
	}
	return nil
}

// oneOf reads a comma-separated list whose items must be among allowed.
func oneOf(name, raw string, allowed []string) ([]string, error) {
	items := splitList(raw)
	for _, it := range items {
		if !slices.Contains(allowed, it) {
			return nil, fmt.Errorf("%s takes a comma-separated list of %s, not %q", name, strings.Join(allowed, ", "), truncate(it))
		}
	}
	return items, nil
}

func splitList(raw string) []string {
	var out []string
	for _, it := range strings.Split(raw, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
