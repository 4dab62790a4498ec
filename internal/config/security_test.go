package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

const testHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func TestSecuritySettings(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr []string
		check   func(t *testing.T, c Config)
	}{
		{
			name: "the emulator with nothing configured is development without authentication",
			check: func(t *testing.T, c Config) {
				if c.AuthConfigured() || c.Production || !c.GraphiQL || c.SubjectClaim != "sub" || c.ClockSkew != DefaultClockSkew {
					t.Errorf("got %+v", c.Security)
				}
			},
		},
		{
			name: "a test key with an API key hash starts",
			env:  map[string]string{"STRIPE_SECRET_KEY": "rk_test_1", "IDGRAPH_API_KEY_SHA256": testHash + ", " + strings.ToUpper(testHash)},
			check: func(t *testing.T, c Config) {
				if !c.AuthConfigured() || len(c.APIKeyHashes) != 2 || c.APIKeyHashes[0] != c.APIKeyHashes[1] {
					t.Errorf("got %+v", c.Security)
				}
			},
		},
		{
			name:    "a test key without authentication is refused",
			env:     map[string]string{"STRIPE_SECRET_KEY": "sk_test_1"},
			wantErr: []string{"refusing to serve a Stripe key with no authentication", "IDGRAPH_AUTH_JWKS_URL", "IDGRAPH_API_KEY_SHA256"},
		},
		{
			name: "the flag -allow-unauthenticated takes no value",
			args: []string{"-allow-unauthenticated"},
			env:  map[string]string{"STRIPE_SECRET_KEY": "sk_test_1"},
			check: func(t *testing.T, c Config) {
				if !c.AllowUnauthenticated {
					t.Error("not allowed")
				}
			},
		},
		{
			name: "a live key implies production: GraphiQL off unless enabled",
			env:  map[string]string{"STRIPE_SECRET_KEY": "rk_live_1", "IDGRAPH_API_KEY_SHA256": testHash},
			check: func(t *testing.T, c Config) {
				if !c.Production || c.GraphiQL {
					t.Errorf("got %+v", c.Security)
				}
			},
		},
		{
			name: "GraphiQL can be enabled in production",
			env:  map[string]string{"STRIPE_SECRET_KEY": "rk_live_1", "IDGRAPH_API_KEY_SHA256": testHash, "IDGRAPH_GRAPHIQL": "true"},
			check: func(t *testing.T, c Config) {
				if !c.Production || !c.GraphiQL {
					t.Errorf("got %+v", c.Security)
				}
			},
		},
		{
			name:    "development cannot be claimed with a live key",
			env:     map[string]string{"STRIPE_SECRET_KEY": "sk_live_1", "IDGRAPH_API_KEY_SHA256": testHash, "IDGRAPH_ENV": "development"},
			wantErr: []string{"IDGRAPH_ENV=development cannot be used with a live Stripe key"},
		},
		{
			name: "a JWKS provider with issuer, audience, skew, claim and CORS origins",
			env: map[string]string{
				"STRIPE_SECRET_KEY": "sk_test_1", "IDGRAPH_ENV": "production",
				"IDGRAPH_AUTH_JWKS_URL": "https://id.example.com/.well-known/jwks.json", "IDGRAPH_AUTH_ISSUER": "https://id.example.com/",
				"IDGRAPH_AUTH_AUDIENCE": "idgraph", "IDGRAPH_AUTH_CLOCK_SKEW": "10s", "IDGRAPH_AUTH_SUBJECT_CLAIM": "uid",
				"IDGRAPH_CORS_ORIGINS": "https://app.example.com, http://localhost:*", "IDGRAPH_ALLOWED_HOSTS": "idgraph.internal",
			},
			check: func(t *testing.T, c Config) {
				s := c.Security
				if s.JWKSURL == "" || s.Issuer == "" || s.Audience != "idgraph" || s.ClockSkew != 10*time.Second || s.SubjectClaim != "uid" ||
					len(s.CORSOrigins) != 2 || len(s.AllowedHosts) != 1 || !s.Production {
					t.Errorf("got %+v", s)
				}
			},
		},
		{
			name:    "in production a JWKS needs an issuer and an audience",
			env:     map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "IDGRAPH_ENV": "production", "IDGRAPH_AUTH_JWKS_URL": "https://id.example.com/jwks"},
			wantErr: []string{"needs IDGRAPH_AUTH_ISSUER and IDGRAPH_AUTH_AUDIENCE"},
		},
		{
			name:    "an HS256 secret is refused in production",
			env:     map[string]string{"STRIPE_SECRET_KEY": "sk_live_1", "IDGRAPH_AUTH_HS256_SECRET": strings.Repeat("s", 32)},
			wantErr: []string{"IDGRAPH_AUTH_HS256_SECRET is for development"},
		},
		{
			name:    "a webhook secret that is not whsec_ is refused, never echoed",
			env:     map[string]string{"STRIPE_WEBHOOK_SECRET": "short-secret-value"},
			wantErr: []string{"STRIPE_WEBHOOK_SECRET must be a webhook signing secret"},
		},
		{
			name: "a webhook secret is read",
			env:  map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "IDGRAPH_ALLOW_UNAUTHENTICATED": "true", "STRIPE_WEBHOOK_SECRET": "whsec_abc123"},
			check: func(t *testing.T, c Config) {
				if c.StripeWebhookSecret != "whsec_abc123" {
					t.Errorf("got %q", c.StripeWebhookSecret)
				}
			},
		},
		{
			name: "a policy in Stripe's names",
			env: map[string]string{"IDGRAPH_POLICY_TYPES": "document", "IDGRAPH_POLICY_DOCUMENT_REQUIRE": "matching_selfie,live_capture",
				"IDGRAPH_POLICY_DOCUMENT_ALLOWED_TYPES": "passport, id_card"},
			check: func(t *testing.T, c Config) {
				p := c.Policy
				if len(p.Types) != 1 || len(p.DocumentRequire) != 2 || len(p.DocumentAllowedTypes) != 2 {
					t.Errorf("got %+v", p)
				}
			},
		},
		{
			name: "every malformed security setting is reported at once, without echoing secrets",
			env: map[string]string{
				"IDGRAPH_AUTH_JWKS_URL": "http://id.example.com/jwks", "IDGRAPH_AUTH_HS256_SECRET": "short-secret-value",
				"IDGRAPH_AUTH_CLOCK_SKEW": "1h", "IDGRAPH_API_KEY_SHA256": "idg_not_a_hash", "IDGRAPH_CORS_ORIGINS": "*",
				"IDGRAPH_ALLOWED_HOSTS": "https://x.example", "IDGRAPH_ENV": "staging", "IDGRAPH_GRAPHIQL": "maybe",
				"IDGRAPH_POLICY_TYPES": "selfie", "IDGRAPH_POLICY_DOCUMENT_REQUIRE": "face", "IDGRAPH_POLICY_DOCUMENT_ALLOWED_TYPES": "visa",
				"IDGRAPH_AUTH_SUBJECT_CLAIM": "a b", "IDGRAPH_EMULATOR_API_KEY": "sk_live_x",
			},
			wantErr: []string{
				"IDGRAPH_AUTH_JWKS_URL must use https", "IDGRAPH_AUTH_HS256_SECRET must be at least 32 bytes",
				"IDGRAPH_AUTH_CLOCK_SKEW must be a duration from 0s to 5m0s", "IDGRAPH_API_KEY_SHA256 must list hex SHA-256 hashes",
				"IDGRAPH_CORS_ORIGINS", "IDGRAPH_ALLOWED_HOSTS", "IDGRAPH_ENV must be development or production",
				"IDGRAPH_GRAPHIQL must be true or false", "IDGRAPH_POLICY_TYPES takes", "IDGRAPH_POLICY_DOCUMENT_REQUIRE takes",
				"IDGRAPH_POLICY_DOCUMENT_ALLOWED_TYPES takes", "IDGRAPH_AUTH_SUBJECT_CLAIM must be", "IDGRAPH_EMULATOR_API_KEY must be a test mode key",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, secret := range []string{"short-secret-value", strings.Repeat("s", 32)} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error echoes a secret: %v", err)
				}
			}
		})
	}
}
