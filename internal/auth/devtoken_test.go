package auth

import (
	"slices"
	"testing"
	"time"
)

func TestMintDevTokenIsAccepted(t *testing.T) {
	scopes := []string{ScopeReadOutputs, ScopeReadSensitive}
	tests := []struct {
		name  string
		cfg   Config
		token func() (string, error)
	}{
		{"a token with iss and aud passes an authenticator that checks them",
			Config{HS256Secret: testSecret, Issuer: "idgraph-dev", Audience: "idgraph"},
			func() (string, error) {
				return MintDevToken(testSecret, "user_42", scopes, time.Hour, "idgraph-dev", "idgraph")
			}},
		{"a token without iss and aud passes an authenticator that checks neither",
			Config{HS256Secret: testSecret},
			func() (string, error) { return MintDevToken(testSecret, "user_42", scopes, time.Hour, "", "") }},
		{"a token with a custom subject claim passes an authenticator reading it",
			Config{HS256Secret: testSecret, SubjectClaim: "user_id"},
			func() (string, error) {
				return DevToken{Subject: "user_42", SubjectClaim: "user_id", Scopes: scopes, TTL: time.Hour}.Mint(testSecret)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(t.Context(), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			token, err := tt.token()
			if err != nil {
				t.Fatal(err)
			}
			before := time.Now()
			p, err := a.Authenticate(t.Context(), token)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if p.Kind != EndUser || p.Subject != "user_42" || !slices.Equal(p.Scopes, scopes) {
				t.Errorf("principal = %+v, want user_42 with %v", p, scopes)
			}
			if d := p.Expires.Sub(before); d < 59*time.Minute || d > time.Hour+time.Second {
				t.Errorf("expires in %v, want an hour", d)
			}
		})
	}
}

func TestMintDevTokenRefuses(t *testing.T) {
	tests := []struct {
		name    string
		secret  []byte
		subject string
		ttl     time.Duration
	}{
		{"a secret under 32 bytes", []byte("short"), "user_42", time.Hour},
		{"no subject", testSecret, "", time.Hour},
		{"no lifetime", testSecret, "user_42", 0},
		{"a negative lifetime", testSecret, "user_42", -time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			if _, err := MintDevToken(tt.secret, tt.subject, nil, tt.ttl, "", ""); err == nil {
				t.Error("minted")
			}
		})
	}
}
