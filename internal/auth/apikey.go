package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// APIKeyPrefix starts every API key, so that a key is never mistaken for a
// JWT (whose first segment is base64url JSON, which starts with "ey") and
// secret scanners can recognise one that leaked.
const APIKeyPrefix = "idg_"

// apiKeyRandomBytes is how much randomness a key carries: 256 bits, as much
// as the SHA-256 hash that is stored in its place.
const apiKeyRandomBytes = 32

// apiKeyMinLen is the length of a key of apiKeyRandomBytes, unpadded
// base64url after the prefix.
var apiKeyMinLen = len(APIKeyPrefix) + base64.RawURLEncoding.EncodedLen(apiKeyRandomBytes)

// NewAPIKey makes a server API key: the prefix and 32 random bytes in
// base64url. hash is the lowercase hex SHA-256 of the key, what idgraph is
// configured with (IDGRAPH_API_KEY_SHA256); only the server that calls
// idgraph keeps the key itself.
func NewAPIKey() (key string, hash string, err error) {
	b := make([]byte, apiKeyRandomBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: make API key: %w", err)
	}
	key = APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(key))
	return key, hex.EncodeToString(sum[:]), nil
}

// ParseKeyHash reads the hex SHA-256 hash of an API key, as NewAPIKey
// prints it. Its errors never quote the input: it may be a key pasted by
// mistake.
func ParseKeyHash(s string) ([32]byte, error) {
	var sum [32]byte
	if strings.HasPrefix(s, APIKeyPrefix) {
		return sum, errors.New("auth: this is an API key itself; configure its SHA-256 hash instead (idgraph apikey prints both)")
	}
	if len(s) != hex.EncodedLen(len(sum)) {
		return sum, fmt.Errorf("auth: an API key hash is %d hex digits, not %d", hex.EncodedLen(len(sum)), len(s))
	}
	if _, err := hex.Decode(sum[:], []byte(s)); err != nil {
		return [32]byte{}, errors.New("auth: an API key hash is hex digits only")
	}
	return sum, nil
}

// isAPIKey tells whether a credential is meant as an API key.
func isAPIKey(credential string) bool { return strings.HasPrefix(credential, APIKeyPrefix) }

// checkAPIKey authenticates a server by its key.
func checkAPIKey(key string, hashes [][32]byte) (Principal, error) {
	if len(key) < apiKeyMinLen || !isBase64URL(key[len(APIKeyPrefix):]) {
		return Principal{}, unauthenticated(msgAPIKeyMalformed)
	}
	if !matchKeyHash(sha256.Sum256([]byte(key)), hashes) {
		return Principal{}, unauthenticated(msgAPIKeyNotAllowed)
	}
	return Principal{Kind: Server}, nil
}

// matchKeyHash tells whether sum is one of hashes. It compares in constant
// time with every hash, whatever matched before: how long it takes tells
// nothing of which hash, or how much of one, matched.
func matchKeyHash(sum [32]byte, hashes [][32]byte) bool {
	found := 0
	for i := range hashes {
		found |= subtle.ConstantTimeCompare(sum[:], hashes[i][:])
	}
	return found == 1
}

// isBase64URL tells whether s is made of the unpadded base64url alphabet.
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
