package emulator

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

// The prefixes of Stripe's API keys: secret (sk_), restricted (rk_) and
// publishable (pk_), in test and in live mode. The emulator takes test
// mode secret and restricted keys only.
const (
	prefixSecretTest      = "sk_test_"
	prefixRestrictedTest  = "rk_test_"
	prefixPublishableTest = "pk_test_"
	prefixSecretLive      = "sk_live_"
	prefixRestrictedLive  = "rk_live_"
	prefixPublishableLive = "pk_live_"
)

// keyPrefixes are all of them, which maskKey shows.
var keyPrefixes = []string{prefixSecretTest, prefixRestrictedTest, prefixPublishableTest,
	prefixSecretLive, prefixRestrictedLive, prefixPublishableLive}

// keyKind is the kind of API key a request was made with.
type keyKind int

const (
	secretKey     keyKind = iota + 1 // sk_test_…
	restrictedKey                    // rk_test_…
)

type keyKindKey struct{}

// keyKindFrom returns the kind of key that authenticated the request.
func keyKindFrom(ctx context.Context) keyKind {
	k, _ := ctx.Value(keyKindKey{}).(keyKind)
	return k
}

// keyKindOf tells a well-formed test mode secret or restricted key; 0 for
// anything else.
func keyKindOf(key string) keyKind {
	switch {
	case len(key) <= len(prefixSecretTest): // both test prefixes have its length
		return 0
	case strings.HasPrefix(key, prefixSecretTest):
		return secretKey
	case strings.HasPrefix(key, prefixRestrictedTest):
		return restrictedKey
	}
	return 0
}

// keyList is Options.APIKeys, kept as digests: comparing fixed-size digests
// in constant time reveals neither a key's bytes nor its length.
type keyList [][sha256.Size]byte

func newKeyList(keys []string) (keyList, error) {
	var l keyList
	for i, k := range keys {
		if keyKindOf(k) == 0 {
			return nil, fmt.Errorf("emulator: APIKeys[%d] is not a test mode secret or restricted key (sk_test_..., rk_test_...)", i)
		}
		l = append(l, sha256.Sum256([]byte(k)))
	}
	return l, nil
}

// allows reports whether key is on the list; an empty list allows every key.
// Every entry is compared, so the time taken does not say which one matched.
func (l keyList) allows(key string) bool {
	if len(l) == 0 {
		return true
	}
	d := sha256.Sum256([]byte(key))
	ok := 0
	for i := range l {
		ok |= subtle.ConstantTimeCompare(d[:], l[i][:])
	}
	return ok == 1
}

// authenticate accepts test mode secret and restricted keys (sk_test_…,
// rk_test_…) as Stripe does: Bearer auth, or basic auth with the key as the
// user name; with Options.APIKeys, only those keys. Live keys are refused:
// the emulator is test mode only. The kind of key goes in the request's
// context, since sensitive verification results depend on it (sensitive.go).
func (e *Emulator) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := apiKey(r)
		switch kind := keyKindOf(key); {
		case key == "":
			writeError(w, errUnauthorized("You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."))
		case strings.HasPrefix(key, prefixSecretLive) || strings.HasPrefix(key, prefixRestrictedLive):
			writeError(w, errUnauthorized("This emulator runs in test mode only and does not accept live mode API keys; use a test mode key (sk_test_...)."))
		case strings.HasPrefix(key, "pk_"): // any publishable key, whatever follows
			writeError(w, errUnauthorized("This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."))
		case kind != 0 && e.apiKeys.allows(key):
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyKindKey{}, kind)))
		default:
			// An unknown key gets the same answer as a malformed one, as on
			// Stripe, which cannot tell them apart either.
			writeError(w, errUnauthorized("Invalid API Key provided: "+maskKey(key)))
		}
	})
}

// apiKey reads the key from Authorization: Bearer or Basic.
func apiKey(r *http.Request) string {
	if user, _, ok := r.BasicAuth(); ok {
		return user
	}
	h := r.Header.Get("Authorization")
	if k, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(k)
	}
	return ""
}

// maskKey shows a key as Stripe's messages do: its prefix (sk_test_ and
// the like) and last four.
func maskKey(k string) string {
	if len(k) <= 12 {
		return strings.Repeat("*", len(k))
	}
	prefix := ""
	for _, p := range keyPrefixes {
		if strings.HasPrefix(k, p) {
			prefix = p
		}
	}
	return prefix + "********" + k[len(k)-4:]
}
