package emulator

import (
	"net/http"
	"strings"
)

// authenticate accepts test mode secret and restricted keys (sk_test_…,
// rk_test_…) as Stripe does: Bearer auth, or basic auth with the key as the
// user name. Live keys are refused: the emulator is test mode only.
func authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := apiKey(r)
		switch {
		case key == "":
			writeError(w, errUnauthorized("You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."))
		case strings.HasPrefix(key, "sk_live_") || strings.HasPrefix(key, "rk_live_"):
			writeError(w, errUnauthorized("This emulator runs in test mode only and does not accept live mode API keys; use a test mode key (sk_test_...)."))
		case strings.HasPrefix(key, "pk_"):
			writeError(w, errUnauthorized("This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."))
		case (strings.HasPrefix(key, "sk_test_") || strings.HasPrefix(key, "rk_test_")) && len(key) > len("sk_test_"):
			next.ServeHTTP(w, r)
		default:
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

// maskKey shows a key as Stripe's messages do: its prefix and last four.
func maskKey(k string) string {
	if len(k) <= 12 {
		return strings.Repeat("*", len(k))
	}
	i := strings.LastIndexByte(k[:len(k)-4], '_')
	prefix := ""
	if i >= 0 && i < 8 {
		prefix = k[:i+1]
	}
	return prefix + "********" + k[len(k)-4:]
}
