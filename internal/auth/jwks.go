package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// How the JWKS is kept fresh. The background refresh follows the
// response's Cache-Control within these bounds; a failed fetch is retried
// after the lower one. Key rotation between refreshes is caught by the
// refetch on an unknown kid, so the upper bound only limits how long a
// withdrawn key is still trusted.
const (
	jwksRefreshMin = time.Minute
	jwksRefreshMax = time.Hour
	// defaultJWKSMinRefetch is the least time between two refetches asked
	// for by unknown kids: a flood of made-up kids costs the identity
	// provider at most one request this often.
	defaultJWKSMinRefetch = 30 * time.Second
	// jwksStartupWait is how long New waits for the first fetch, only so
	// that it can log whether the keys arrived; requests do not need it.
	jwksStartupWait = 5 * time.Second
	// jwksRefetchTimeout bounds a refetch made while a request waits.
	jwksRefetchTimeout = 10 * time.Second
	// minRSABits refuses RSA keys too short to be trusted.
	minRSABits = 2048
)

// jwksKeys are the identity provider's public keys, fetched from its JWKS
// URL by a jwk.Cache: refreshed in the background, and refetched when a
// token names a key the cache does not hold.
type jwksKeys struct {
	url    string
	cache  *jwk.Cache
	set    *httprc.ResourceBase[jwk.Set]
	cancel context.CancelFunc
	done   <-chan struct{}
	logger *slog.Logger
	now    func() time.Time

	minRefetch time.Duration
	// refetching is a one-slot semaphore: one refetch at a time, and the
	// requests that wait for it look again when it is done. Unlike a
	// mutex, waiting for it gives way to the request's context.
	refetching chan struct{}
	// lastRefetch is when the last refetch started; only the holder of
	// refetching reads or writes it.
	lastRefetch time.Time
}

// newJWKSKeys registers rawURL with a new jwk.Cache that lives as long as
// ctx. It does not fail when the JWKS cannot be fetched yet: it logs a
// warning and the cache keeps trying.
func newJWKSKeys(ctx context.Context, rawURL string, hc *http.Client, minRefetch time.Duration, logger *slog.Logger, now func() time.Time) (*jwksKeys, error) {
	if u, err := url.Parse(rawURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, errors.New("auth: the JWKS URL must be an absolute http or https URL")
	}
	ctx, cancel := context.WithCancel(ctx)
	firstErr := make(chan error, 1)
	client := httprc.NewClient(
		httprc.WithHTTPClient(hc),
		httprc.WithErrorSink(fetchErrorSink{logger: logger, url: rawURL, first: firstErr}),
	)
	cache, err := jwk.NewCache(ctx, client)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("auth: start JWKS cache: %w", err)
	}
	err = cache.Register(ctx, rawURL,
		// RFC 7517 §5: keys of a kty not understood, or missing members,
		// are skipped, not a reason to lose the whole set.
		jwk.WithIgnoreParseError(true),
		jwk.WithHTTPClient(hc),
		jwk.WithWaitReady(false),
		jwk.WithMinInterval(jwksRefreshMin),
		jwk.WithMaxInterval(jwksRefreshMax),
	)
	var set *httprc.ResourceBase[jwk.Set]
	if err == nil {
		set, err = cache.LookupResource(ctx, rawURL)
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("auth: register JWKS URL: %w", err)
	}
	k := &jwksKeys{
		url:        rawURL,
		cache:      cache,
		set:        set,
		cancel:     cancel,
		done:       ctx.Done(),
		logger:     logger,
		now:        now,
		minRefetch: minRefetch,
		refetching: make(chan struct{}, 1),
	}
	k.awaitFirstFetch(ctx, firstErr)
	return k, nil
}

// awaitFirstFetch waits a little for the first fetch, to log how it went.
func (k *jwksKeys) awaitFirstFetch(ctx context.Context, firstErr <-chan error) {
	ctx, cancel := context.WithTimeout(ctx, jwksStartupWait)
	defer cancel()
	ready := make(chan error, 1)
	go func() { ready <- k.set.Ready(ctx) }()
	select {
	case err := <-ready:
		if err == nil {
			k.logger.Info("auth: JWKS loaded", "url", k.url, "keys", k.set.Resource().Len())
			return
		}
		k.logger.Warn("auth: JWKS not loaded yet; still trying in the background", "url", k.url)
	case <-firstErr:
		// fetchErrorSink has logged why.
		k.logger.Warn("auth: JWKS unavailable at start; tokens are refused until it loads, retrying in the background", "url", k.url)
	}
}

// key returns the public key that verifies a token signed with alg under
// kid ("" when the token names none). On a kid it does not know, it
// refetches the JWKS, at most once per minRefetch, so that a key the
// identity provider has just rotated in is accepted without a restart.
func (k *jwksKeys) key(ctx context.Context, alg jwa.SignatureAlgorithm, kid string) (any, error) {
	key, err := findKey(k.set.Resource(), alg, kid)
	if !errors.Is(err, errNoKey) {
		return key, err
	}
	k.refetch(ctx)
	set := k.set.Resource()
	if set == nil {
		return nil, unauthenticated(msgKeysUnavailable)
	}
	key, err = findKey(set, alg, kid)
	if errors.Is(err, errNoKey) {
		return nil, unauthenticated(msgUnknownKey)
	}
	return key, err
}

// refetch fetches the JWKS now, unless another refetch started less than
// minRefetch ago. Callers look the key up again afterwards either way: a
// refetch that ran while they waited may have brought it.
func (k *jwksKeys) refetch(ctx context.Context) {
	select {
	case k.refetching <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-k.refetching }()
	select {
	case <-k.done:
		return // the cache has stopped and would not answer
	default:
	}
	now := k.now()
	if !k.lastRefetch.IsZero() && now.Sub(k.lastRefetch) < k.minRefetch {
		return
	}
	k.lastRefetch = now
	ctx, cancel := context.WithTimeout(ctx, jwksRefetchTimeout)
	defer cancel()
	if _, err := k.cache.Refresh(ctx, k.url); err != nil {
		k.logger.Warn("auth: JWKS refetch failed", "url", k.url, "err", err)
	}
}

// close stops the background refresh and waits for it.
func (k *jwksKeys) close() error {
	k.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := k.cache.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("auth: stop JWKS cache: %w", err)
	}
	return nil
}

// errNoKey is findKey's "no key has that kid": worth a refetch.
var errNoKey = errors.New("no key with that kid")

// findKey picks the key of set that verifies alg under kid. Without a kid
// the set must hold exactly one key fit for alg. A key is fit when it is
// for signatures, names alg or no algorithm, and is the kind alg needs;
// that keeps a JWKS key from ever serving as an HMAC secret.
func findKey(set jwk.Set, alg jwa.SignatureAlgorithm, kid string) (any, error) {
	if set == nil {
		return nil, errNoKey
	}
	var found any
	fits, named := 0, false
	for i := range set.Len() {
		key, _ := set.Key(i)
		if id, _ := key.KeyID(); kid != "" && id != kid {
			continue
		}
		named = true
		if pub, ok := fitKey(key, alg); ok {
			found = pub
			fits++
		}
	}
	switch {
	case fits == 1:
		return found, nil
	case kid != "" && named:
		// The key exists but not for this algorithm: a refetch will not
		// change that.
		return nil, unauthenticated(msgKeyMismatch)
	default:
		return nil, errNoKey
	}
}

// fitKey returns key's public key when it can verify alg.
func fitKey(key jwk.Key, alg jwa.SignatureAlgorithm) (any, bool) {
	if use, ok := key.KeyUsage(); ok && use != "sig" {
		return nil, false
	}
	if ka, ok := key.Algorithm(); ok && ka.String() != alg.String() {
		return nil, false
	}
	pk, err := key.PublicKey()
	if err != nil {
		return nil, false
	}
	var raw any
	if err := jwk.Export(pk, &raw); err != nil {
		return nil, false
	}
	switch pub := raw.(type) {
	case *rsa.PublicKey:
		return pub, alg == jwa.RS256() && pub.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		return pub, alg == jwa.ES256() && pub.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return pub, alg == jwa.EdDSA()
	default:
		return nil, false
	}
}

// fetchErrorSink logs the background fetches that fail, and passes the
// first failure on to awaitFirstFetch.
type fetchErrorSink struct {
	logger *slog.Logger
	url    string
	first  chan<- error
}

func (s fetchErrorSink) Put(_ context.Context, err error) {
	s.logger.Warn("auth: JWKS fetch failed", "url", s.url, "err", err)
	select {
	case s.first <- err:
	default:
	}
}

// loaded tells whether the JWKS has been fetched and holds a key.
func (k *jwksKeys) loaded() bool {
	set := k.set.Resource()
	return set != nil && set.Len() > 0
}
