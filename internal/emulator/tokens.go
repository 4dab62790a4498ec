package emulator

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"math/big"
	"strings"
	"time"
)

// A session's links are its url token, the last segment of its url and the
// one capability the hosted page asks for, and its client secret, what
// Stripe.js would take. As on Stripe, every retrieve of a session in
// requires_input hands out fresh ones, a url works for 48 hours and a
// client secret for 24, and each works once: a submission spends them all.
//
// They are minted without a write and checked without a table, so that a
// read of a session stays a read. Each is signed (HMAC-SHA256) with a key
// of the database's own (settings row linkKeyName) over its purpose, the
// session ID, the session's link generation, its issue time and a random
// nonce. The issue time and the nonce travel in the link; the generation
// does not: it is kept in the session (session.LinkGen), and a submission,
// the only use of a link, increments it in its own write, which kills every
// link issued before at once, the used one first. That increment is the
// record that a link was used; nothing is recorded for a link never used.
// Any rendering of a session in requires_input carries fresh links
// (renderSession), so create, update and list answers do too.
//
// Url tokens of emulators from before this scheme (vt_ and 64 hex digits,
// stored in session_tokens) keep working until they expire or the session
// is submitted; no new ones are stored.

// Lifetimes of a session's links, as on Stripe.
const (
	urlLifetime          = 48 * time.Hour
	clientSecretLifetime = 24 * time.Hour
)

// linkKeyName is the settings row that holds the key signing links; a
// different key (another database) makes every link a forgery.
const linkKeyName = "session_link_key"

const linkKeyLen = 32

// What a link is for, signed with it so that one kind is never taken for
// the other.
const (
	purposeURL          = "url"
	purposeClientSecret = "client_secret"
)

// Sizes of what a link carries. A url token carries the full MAC; a client
// secret keeps Stripe's shape (24 alphanumerics after _secret_, about 142
// bits), which holds a 32-bit issue time, a 3-byte nonce and 80 bits of MAC:
// still 2^80 guesses, each a request, to forge one.
const (
	urlNonceLen    = 8
	urlMACLen      = sha256.Size
	secretNonceLen = 3
	secretMACLen   = 10
	secretLen      = 4 + secretNonceLen + secretMACLen // bytes under the 24 characters
	secretChars    = 24
	urlTokenPrefix = "vt_"
	secretInfix    = "_secret_"
)

// linkSigner mints and checks the links of one database's sessions.
type linkSigner struct{ key []byte }

// loadLinkSigner reads the database's link key, making it on first use
// (randomSetting): emulators opening one new file at once all get the key
// that was stored first.
func loadLinkSigner(ctx context.Context, db *sql.DB) (*linkSigner, error) {
	key, err := randomSetting(ctx, db, linkKeyName, "link key", linkKeyLen)
	if err != nil {
		return nil, err
	}
	return &linkSigner{key: key}, nil
}

// sum is the MAC of a link. The session ID is the only field of variable
// length and the last before fixed-size ones, so the input is unambiguous.
func (l *linkSigner) sum(purpose, sessionID string, gen, issued int64, nonce []byte) []byte {
	m := hmac.New(sha256.New, l.key)
	var fixed [16]byte
	binary.BigEndian.PutUint64(fixed[:8], uint64(gen))
	binary.BigEndian.PutUint64(fixed[8:], uint64(issued))
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(sessionID))
	m.Write([]byte{0})
	m.Write(fixed[:])
	m.Write(nonce)
	return m.Sum(nil)
}

// stamp is what a link carries besides the session ID.
type stamp struct {
	issued int64 // unix seconds
	nonce  []byte
	mac    []byte
}

// valid tells whether st is a link of purpose for s, issued within lifetime
// before now and in s's current generation.
func (l *linkSigner) valid(purpose string, s *session, st stamp, lifetime time.Duration, now time.Time) bool {
	if expired(st.issued, lifetime, now) {
		return false
	}
	want := l.sum(purpose, s.ID, s.LinkGen, st.issued, st.nonce)
	return hmac.Equal(want[:len(st.mac)], st.mac)
}

// expired compares in whole seconds, as links carry their issue time: a link
// issued at t works until t+lifetime included.
func expired(issued int64, lifetime time.Duration, now time.Time) bool {
	return issued < now.Add(-lifetime).Unix()
}

// urlToken mints a url token for s.
func (l *linkSigner) urlToken(s *session, now time.Time) string {
	st := stamp{issued: now.Unix(), nonce: make([]byte, urlNonceLen)}
	_, _ = rand.Read(st.nonce)
	st.mac = l.sum(purposeURL, s.ID, s.LinkGen, st.issued, st.nonce)
	return encodeURLToken(s.ID, st)
}

// encodeURLToken is vt_ and, base64url, the issue time, the nonce, the MAC
// and the session ID.
func encodeURLToken(sessionID string, st stamp) string {
	raw := make([]byte, 8, 8+len(st.nonce)+len(st.mac)+len(sessionID))
	binary.BigEndian.PutUint64(raw, uint64(st.issued))
	raw = append(append(append(raw, st.nonce...), st.mac...), sessionID...)
	return urlTokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
}

// parseURLToken undoes encodeURLToken.
func parseURLToken(token string) (sessionID string, st stamp, ok bool) {
	enc, ok := strings.CutPrefix(token, urlTokenPrefix)
	if !ok {
		return "", stamp{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(raw) <= 8+urlNonceLen+urlMACLen {
		return "", stamp{}, false
	}
	st = stamp{issued: int64(binary.BigEndian.Uint64(raw)), nonce: raw[8 : 8+urlNonceLen], mac: raw[8+urlNonceLen : 8+urlNonceLen+urlMACLen]}
	sessionID = string(raw[8+urlNonceLen+urlMACLen:])
	return sessionID, st, strings.HasPrefix(sessionID, prefixSession)
}

// clientSecret mints a client secret for s. Its issue time is 32 bits of
// unix seconds, enough until 2106.
func (l *linkSigner) clientSecret(s *session, now time.Time) string {
	st := stamp{issued: now.Unix(), nonce: make([]byte, secretNonceLen)}
	_, _ = rand.Read(st.nonce)
	st.mac = l.sum(purposeClientSecret, s.ID, s.LinkGen, st.issued, st.nonce)[:secretMACLen]
	return encodeClientSecret(s.ID, st)
}

// encodeClientSecret is Stripe's shape: the session ID, _secret_ and 24
// alphanumerics, here the issue time, the nonce and the MAC in base 62.
func encodeClientSecret(sessionID string, st stamp) string {
	var raw [secretLen]byte
	binary.BigEndian.PutUint32(raw[:4], uint32(st.issued))
	copy(raw[4:], st.nonce)
	copy(raw[4+secretNonceLen:], st.mac)
	digits := new(big.Int).SetBytes(raw[:]).Text(62)
	return sessionID + secretInfix + strings.Repeat("0", secretChars-len(digits)) + digits
}

// parseClientSecret undoes encodeClientSecret.
func parseClientSecret(secret string) (sessionID string, st stamp, ok bool) {
	sessionID, digits, ok := strings.Cut(secret, secretInfix)
	if !ok || !strings.HasPrefix(sessionID, prefixSession) || len(digits) != secretChars {
		return "", stamp{}, false
	}
	for _, c := range []byte(digits) { // SetString would also take a sign or underscores
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return "", stamp{}, false
		}
	}
	n, ok := new(big.Int).SetString(digits, 62)
	if !ok || n.BitLen() > 8*secretLen {
		return "", stamp{}, false
	}
	var raw [secretLen]byte
	n.FillBytes(raw[:])
	st = stamp{issued: int64(binary.BigEndian.Uint32(raw[:4])), nonce: raw[4 : 4+secretNonceLen], mac: raw[4+secretNonceLen:]}
	return sessionID, st, true
}

// issueLinks gives s fresh links when it can be submitted; they are not
// stored. Elsewhere (processing, verified, canceled, redacted) a session
// has none, as on Stripe.
func (e *Emulator) issueLinks(s *session) {
	s.URLToken, s.ClientSecret = "", ""
	if s.Status != statusRequiresInput || s.Redaction != "" {
		return
	}
	now := e.clock.Now()
	s.URLToken = e.links.urlToken(s, now)
	s.ClientSecret = e.links.clientSecret(s, now)
}

// sessionByURLToken returns the session whose url token this is: a token
// that is well formed, signed with this database's key, issued within
// urlLifetime and of the session's current generation. Anything else is
// errNotFound, whatever the reason, as the hosted page tells nothing about
// tokens. It reads the session and, for a token of the old kind, its row.
func (e *Emulator) sessionByURLToken(ctx context.Context, q querier, token string) (*session, error) {
	now := e.clock.Now()
	if legacyToken(token) {
		id, err := selectTokenSession(ctx, q, token, now.Add(-urlLifetime).Unix())
		if err != nil {
			return nil, err
		}
		return selectSession(ctx, q, id)
	}
	id, st, ok := parseURLToken(token)
	if !ok || expired(st.issued, urlLifetime, now) {
		return nil, errNotFound
	}
	s, err := selectSession(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !e.links.valid(purposeURL, s, st, urlLifetime, now) {
		return nil, errNotFound
	}
	return s, nil
}

// sessionByClientSecret is sessionByURLToken for a client secret, with its
// 24-hour lifetime. Nothing in the emulator takes a client secret yet
// (there is no Stripe.js); this is the check a stand-in would make, and
// the tests hold client secrets to Stripe's rules through it.
func (e *Emulator) sessionByClientSecret(ctx context.Context, q querier, secret string) (*session, error) {
	now := e.clock.Now()
	id, st, ok := parseClientSecret(secret)
	if !ok || expired(st.issued, clientSecretLifetime, now) {
		return nil, errNotFound
	}
	s, err := selectSession(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !e.links.valid(purposeClientSecret, s, st, clientSecretLifetime, now) {
		return nil, errNotFound
	}
	return s, nil
}

// legacyToken tells a url token of the old, stored kind: vt_ and 64 hex
// digits.
func legacyToken(token string) bool {
	hexPart, ok := strings.CutPrefix(token, urlTokenPrefix)
	if !ok || len(hexPart) != 64 {
		return false
	}
	for _, c := range []byte(hexPart) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
