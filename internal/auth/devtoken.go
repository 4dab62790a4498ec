package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// DevToken is an end user's HS256 token for development and tests: what
// `idgraph token` prints, and what an Authenticator with the same
// HS256Secret accepts.
type DevToken struct {
	// Subject is the user, put in SubjectClaim.
	Subject string
	// SubjectClaim names the claim of Subject; "" is "sub".
	SubjectClaim string
	// Scopes go in the scope claim, space-separated; none leaves it out.
	Scopes []string
	// TTL is how long the token is valid from now.
	TTL time.Duration
	// Issuer and Audience become iss and aud when not "".
	Issuer, Audience string
}

// MintDevToken signs an HS256 token with secret for subject, with scopes,
// valid for ttl, with iss and aud when issuer and audience are not "".
func MintDevToken(secret []byte, subject string, scopes []string, ttl time.Duration, issuer, audience string) (string, error) {
	return DevToken{Subject: subject, Scopes: scopes, TTL: ttl, Issuer: issuer, Audience: audience}.Mint(secret)
}

// Mint signs the token with secret, issued now.
func (d DevToken) Mint(secret []byte) (string, error) {
	switch {
	case len(secret) < minHS256SecretLen:
		return "", errors.New("auth: the HS256 secret must be at least 32 bytes")
	case d.Subject == "":
		return "", errors.New("auth: a token needs a subject")
	case d.TTL <= 0:
		return "", errors.New("auth: a token needs a positive lifetime")
	}
	claim := d.SubjectClaim
	if claim == "" {
		claim = jwt.SubjectKey
	}
	now := time.Now()
	b := jwt.NewBuilder().
		IssuedAt(now).
		Expiration(now.Add(d.TTL)).
		Claim(claim, d.Subject)
	if len(d.Scopes) > 0 {
		b = b.Claim("scope", strings.Join(d.Scopes, " "))
	}
	if d.Issuer != "" {
		b = b.Issuer(d.Issuer)
	}
	if d.Audience != "" {
		b = b.Audience([]string{d.Audience})
	}
	tok, err := b.Build()
	if err != nil {
		return "", fmt.Errorf("auth: build token: %w", err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256(), secret))
	if err != nil {
		return "", fmt.Errorf("auth: sign token: %w", err)
	}
	return string(signed), nil
}
