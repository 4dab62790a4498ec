package emulator

import "crypto/rand"

// idAlphabet is the character set of Stripe's object IDs.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Object ID prefixes, as Stripe spells them.
const (
	prefixSession = "vs_"
	prefixReport  = "vr_"
	prefixEvent   = "evt_"
	prefixRequest = "req_"
	prefixFile    = "file_"
)

// newID returns prefix followed by 24 random characters of [A-Za-z0-9], the
// shape of Stripe's IDs (vs_1Pgc76B7WZ01zgkWBdQi8PTU). crypto/rand keeps IDs
// unguessable: a session ID is not a secret, but its url token is.
func newID(prefix string) string { return prefix + randomString(24) }

// randomString returns n characters of idAlphabet. The tiny modulo bias of
// 256 % 62 does not matter for identifiers.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("emulator: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}
