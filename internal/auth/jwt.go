package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// joseHeader is what verifyJWT reads of a token's protected header before
// it trusts anything: which algorithm and which key. Crit and B64 are read
// only to refuse them: a bearer token has no business with either.
type joseHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
	B64  json.RawMessage `json:"b64"`
}

// verifyJWT authenticates an end user by a JWT: the algorithm must be one
// idgraph accepts and the key one it trusts for it, then the signature is
// verified (by jwx), and only then are the claims read and checked.
func (a *Authenticator) verifyJWT(ctx context.Context, token string) (Principal, error) {
	hdr, err := peekHeader(token)
	if err != nil {
		return Principal{}, err
	}
	alg, key, err := a.verificationKey(ctx, hdr)
	if err != nil {
		return Principal{}, err
	}
	payload, err := jws.Verify([]byte(token),
		jws.WithKey(alg, key),
		jws.WithCompact(),
		jws.WithAlgorithmMatch(true),
		jws.WithCritValidation(true),
	)
	if err != nil {
		return Principal{}, unauthenticated(msgSignature)
	}
	// A JWT's payload is a JSON object; jwt.Parse would also take another
	// JWS there, and read it unverified.
	if !strings.HasPrefix(strings.TrimSpace(string(payload)), "{") {
		return Principal{}, unauthenticated(msgClaims)
	}
	claims, err := jwt.Parse(payload, a.claimsChecks...)
	if err != nil {
		return Principal{}, unauthenticated(claimsMessage(err))
	}
	return a.endUser(claims)
}

// peekHeader reads a compact JWS's protected header, unverified.
func peekHeader(token string) (joseHeader, error) {
	var hdr joseHeader
	first, rest, _ := strings.Cut(token, ".")
	if strings.Count(rest, ".") != 1 {
		return hdr, unauthenticated(msgMalformed)
	}
	raw, err := base64.RawURLEncoding.DecodeString(first)
	if err != nil || json.Unmarshal(raw, &hdr) != nil || hdr.Alg == "" {
		return hdr, unauthenticated(msgMalformed)
	}
	if hdr.Crit != nil || hdr.B64 != nil {
		return hdr, unauthenticated(msgHeaderParams)
	}
	return hdr, nil
}

// verificationKey chooses the key for hdr's algorithm: the shared secret for
// HS256, and for RS256, ES256 and EdDSA a JWKS key of that kind only, so that
// no public key is ever used as an HMAC secret (the HS/RS confusion).
func (a *Authenticator) verificationKey(ctx context.Context, hdr joseHeader) (jwa.SignatureAlgorithm, any, error) {
	switch {
	case strings.EqualFold(hdr.Alg, "none"):
		return jwa.SignatureAlgorithm{}, nil, unauthenticated(msgAlgNone)
	case hdr.Alg == jwa.HS256().String() && a.hs256Secret != nil:
		return jwa.HS256(), a.hs256Secret, nil
	case a.keys == nil:
		return jwa.SignatureAlgorithm{}, nil, unauthenticated(msgAlgorithm)
	}
	for _, alg := range []jwa.SignatureAlgorithm{jwa.RS256(), jwa.ES256(), jwa.EdDSA()} {
		if hdr.Alg == alg.String() {
			key, err := a.keys.key(ctx, alg, hdr.Kid)
			return alg, key, err
		}
	}
	return jwa.SignatureAlgorithm{}, nil, unauthenticated(msgAlgorithm)
}

// claimsOptions are the checks of a verified token's claims: exp (required)
// and nbf and iat with the configured skew, iss and aud when configured.
func (a *Authenticator) claimsOptions() []jwt.ParseOption {
	opts := []jwt.ParseOption{
		// The payload is the one jws.Verify has just verified.
		jwt.WithVerify(false),
		jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(a.now)),
		jwt.WithAcceptableSkew(a.clockSkew),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
	}
	if a.issuer != "" {
		opts = append(opts, jwt.WithIssuer(a.issuer))
	}
	if a.audience != "" {
		opts = append(opts, jwt.WithAudience(a.audience))
	}
	return opts
}

// claimsMessage says which check of the claims failed. jwx's own text is
// not for clients; its error values tell the cases apart.
func claimsMessage(err error) string {
	switch {
	case errors.Is(err, jwt.TokenExpiredError()):
		return msgExpired
	case errors.Is(err, jwt.TokenNotYetValidError()):
		return msgNotYetValid
	case errors.Is(err, jwt.InvalidIssuedAtError()):
		return msgIssuedInFuture
	case errors.Is(err, jwt.InvalidIssuerError()):
		return msgIssuer
	case errors.Is(err, jwt.InvalidAudienceError()):
		return msgAudience
	case errors.Is(err, jwt.MissingRequiredClaimError()):
		// exp is the one claim required.
		return msgNoExpiry
	default:
		return msgClaims
	}
}

// endUser is the principal of a verified, valid token.
func (a *Authenticator) endUser(claims jwt.Token) (Principal, error) {
	var sub any
	if err := claims.Get(a.subjectClaim, &sub); err != nil {
		return Principal{}, unauthenticated(msgNoSubject)
	}
	subject, ok := sub.(string)
	if !ok || subject == "" {
		return Principal{}, unauthenticated(msgNoSubject)
	}
	scopes, err := tokenScopes(claims)
	if err != nil {
		return Principal{}, err
	}
	exp, _ := claims.Expiration()
	return Principal{Kind: EndUser, Subject: subject, Scopes: scopes, Expires: exp}, nil
}

// tokenScopes gathers the scopes of "scope" (OAuth 2.0's space-separated
// string, RFC 8693) and "scp" (a string or a list of strings, as Okta and
// Azure AD send them), without repeats.
func tokenScopes(claims jwt.Token) ([]string, error) {
	var scopes []string
	for _, name := range []string{"scope", "scp"} {
		var v any
		if claims.Get(name, &v) != nil {
			continue
		}
		switch v := v.(type) {
		case string:
			scopes = append(scopes, strings.Fields(v)...)
		case []any:
			if name != "scp" {
				return nil, unauthenticated(msgClaims)
			}
			for _, s := range v {
				s, ok := s.(string)
				if !ok {
					return nil, unauthenticated(msgClaims)
				}
				scopes = append(scopes, strings.Fields(s)...)
			}
		default:
			return nil, unauthenticated(msgClaims)
		}
	}
	slices.Sort(scopes)
	return slices.Compact(scopes), nil
}
