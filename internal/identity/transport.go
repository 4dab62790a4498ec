package identity

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// transport is the HTTP/1.1 transport of idgraph's calls to Stripe. It does
// each request's work in the calling goroutine: it writes the request and
// reads the answer itself, on a pooled keep-alive connection. net/http's
// Transport hands both to two goroutines of the connection's own and waits
// for them, four goroutine switches a request; in front of stripe-mock
// that was a quarter of idgraph's CPU time, and this transport serves 5 to
// 10% more queries a second (bench/throughput -backend stripe-mock).
//
// Nothing reads a connection while it is idle (net/http keeps a goroutine
// on each for that): before a request goes on a kept connection idle for
// lookAfter or longer, a peek that does not wait checks that the server has
// neither closed it nor sent anything unasked (transport_silent_unix.go),
// and a request whose context has ended is not sent at all.
//
// What it leaves out: HTTP/2 (Stripe serves HTTP/1.1 as well; on TLS it
// offers only http/1.1 by ALPN), compression (Stripe's answers are a few
// KB), 100-continue, and proxies: a request the environment routes through
// a proxy (HTTPS_PROXY, NO_PROXY) goes to the fallback, net/http's
// Transport, as does any scheme but http and https.
type transport struct {
	fallback            http.RoundTripper
	proxy               func(*http.Request) (*url.URL, error)
	dialer              net.Dialer
	tlsConfig           *tls.Config // nil: the system's roots
	tlsHandshakeTimeout time.Duration
	maxIdlePerHost      int
	idleTimeout         time.Duration
	// requestTimeout bounds each request, from its first byte written to
	// its answer's last read: http.Client.Timeout's bound, kept here, where
	// it costs a connection deadline. On a transport of its own (not
	// net/http's), http.Client.Timeout costs a goroutine, a timer and
	// channels per request.
	requestTimeout time.Duration

	mu    sync.Mutex
	pools map[poolKey]*pool
}

// newTransport returns a transport that keeps up to maxIdlePerHost idle
// connections per host, bounds each request to requestTimeout, and sends
// what it does not carry to fallback.
func newTransport(fallback *http.Transport, maxIdlePerHost int, requestTimeout time.Duration) *transport {
	return &transport{
		fallback:            fallback,
		proxy:               fallback.Proxy,
		dialer:              net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second},
		tlsConfig:           fallback.TLSClientConfig,
		tlsHandshakeTimeout: fallback.TLSHandshakeTimeout,
		maxIdlePerHost:      maxIdlePerHost,
		idleTimeout:         fallback.IdleConnTimeout,
		requestTimeout:      requestTimeout,
		pools:               map[poolKey]*pool{},
	}
}

type poolKey struct{ scheme, host string }

// pool is one host's idle connections, most recently used last.
type pool struct {
	addr       string // host:port to dial
	serverName string // for TLS; "" for plain HTTP
	proxied    bool   // the environment sends this host's requests through a proxy
	mu         sync.Mutex
	idle       []*conn
}

// conn is one connection with its buffers.
type conn struct {
	nc        net.Conn
	tcp       net.Conn // nc's TCP connection (nc itself without TLS), to look at while idle
	br        *bufio.Reader
	bw        *bufio.Writer
	reused    bool // it served a request before this one
	idleSince time.Time
}

// lookAfter is how long a connection is idle before get looks at it: a
// server closes an idle connection (or sends a 408 first) after seconds,
// not milliseconds, and under load every connection comes back within a
// few, so the look (a system call, 3 to 7% of idgraph's CPU per request in
// front of stripe-mock) is spent where it finds something. A connection
// closed within lookAfter fails its request, which RoundTrip sends again
// where it may.
const lookAfter = 50 * time.Millisecond

// maxInformational is the most 1xx answers taken before the real one, as
// net/http's Transport.
const maxInformational = 5

// aLongTimeAgo is a deadline that makes a blocked read or write return.
var aLongTimeAgo = time.Unix(1, 0)

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil || req.URL.Host == "" || (req.URL.Scheme != "http" && req.URL.Scheme != "https") {
		return t.toFallback(req)
	}
	p, err := t.pool(req)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	if p.proxied {
		return t.toFallback(req)
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			// Nothing is sent for a request already given up.
			closeBody(req)
			return nil, fmt.Errorf("stripe transport: %w", err)
		}
		c, err := t.get(ctx, p)
		if err != nil {
			closeBody(req)
			return nil, err
		}
		resp, err := t.send(p, c, req)
		if err == nil {
			return resp, nil
		}
		c.nc.Close()
		if ctx.Err() != nil {
			closeBody(req)
			return nil, fmt.Errorf("stripe transport: %w", ctx.Err())
		}
		// A kept-alive connection that the server closed after get looked
		// at it fails before any answer; net/http's rule: send again
		// what may be sent twice, while the failures are kept
		// connections'. The pool's size bounds the attempts.
		if !c.reused || attempt > t.maxIdlePerHost || !retryable(req, err) {
			closeBody(req)
			return nil, err
		}
		if req, err = rewound(req); err != nil {
			return nil, err
		}
	}
}

// toFallback sends req through the fallback, within requestTimeout.
func (t *transport) toFallback(req *http.Request) (*http.Response, error) {
	if t.requestTimeout <= 0 {
		return t.fallback.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.requestTimeout)
	resp, err := t.fallback.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

// cancelOnClose is a body that ends its request's context when closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// pool returns the pool of req's host, made on first use.
func (t *transport) pool(req *http.Request) (*pool, error) {
	key := poolKey{req.URL.Scheme, req.URL.Host}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.pools[key]; ok {
		return p, nil
	}
	p := &pool{}
	if t.proxy != nil {
		u, err := t.proxy(req)
		if err != nil {
			return nil, err
		}
		p.proxied = u != nil
	}
	host, port := req.URL.Hostname(), req.URL.Port()
	if port == "" {
		port = "80"
		if key.scheme == "https" {
			port = "443"
		}
	}
	p.addr = net.JoinHostPort(host, port)
	if key.scheme == "https" {
		p.serverName = host
	}
	t.pools[key] = p
	return p, nil
}

// get takes p's most recently used idle connection that is still open and
// silent, or dials a new one. Nothing reads a connection while it is idle
// (net/http's Transport keeps a goroutine on each for that): a server that
// closed it, or sent something unasked (a 408 before closing), is found
// out here, before a request is written on it.
func (t *transport) get(ctx context.Context, p *pool) (*conn, error) {
	now := time.Now()
	var stale []*conn
	p.mu.Lock()
	// The oldest first: past the idle timeout, the server may have dropped
	// them already.
	for len(p.idle) > 0 && t.expired(p.idle[0], now) {
		stale = append(stale, p.idle[0])
		p.idle[0] = nil
		p.idle = p.idle[1:]
	}
	var c *conn
	for n := len(p.idle); n > 0 && c == nil; n = len(p.idle) {
		c = p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		if c.br.Buffered() > 0 || now.Sub(c.idleSince) >= lookAfter && !silent(c.tcp) {
			stale, c = append(stale, c), nil
		}
	}
	p.mu.Unlock()
	for _, s := range stale {
		s.nc.Close()
	}
	if c != nil {
		c.reused = true
		return c, nil
	}
	return t.dial(ctx, p)
}

func (t *transport) expired(c *conn, now time.Time) bool {
	return t.idleTimeout > 0 && now.Sub(c.idleSince) > t.idleTimeout
}

func (t *transport) dial(ctx context.Context, p *pool) (*conn, error) {
	nc, err := t.dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	tcp := nc
	if p.serverName != "" {
		cfg := &tls.Config{}
		if t.tlsConfig != nil {
			cfg = t.tlsConfig.Clone()
		}
		cfg.ServerName = p.serverName
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(nc, cfg)
		hctx := ctx
		if t.tlsHandshakeTimeout > 0 {
			var cancel context.CancelFunc
			hctx, cancel = context.WithTimeout(ctx, t.tlsHandshakeTimeout)
			defer cancel()
		}
		if err := tc.HandshakeContext(hctx); err != nil {
			nc.Close()
			return nil, err
		}
		nc = tc
	}
	return &conn{nc: nc, tcp: tcp, br: bufio.NewReaderSize(nc, 4<<10), bw: bufio.NewWriterSize(nc, 4<<10)}, nil
}

// put keeps c for the next request, or closes it when p has enough.
func (t *transport) put(p *pool, c *conn) {
	c.idleSince = time.Now()
	p.mu.Lock()
	if len(p.idle) < t.maxIdlePerHost {
		p.idle = append(p.idle, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	c.nc.Close()
}

// CloseIdleConnections closes the connections no request uses
// (http.Client.CloseIdleConnections calls it).
func (t *transport) CloseIdleConnections() {
	t.mu.Lock()
	pools := make([]*pool, 0, len(t.pools))
	for _, p := range t.pools {
		pools = append(pools, p)
	}
	t.mu.Unlock()
	for _, p := range pools {
		p.mu.Lock()
		idle := p.idle
		p.idle = nil
		p.mu.Unlock()
		for _, c := range idle {
			c.nc.Close()
		}
	}
	if f, ok := t.fallback.(interface{ CloseIdleConnections() }); ok {
		f.CloseIdleConnections()
	}
}

// send writes req on c and reads the answer's head. The context's end,
// whenever it comes, makes c's blocked reads and writes return; until the
// body is read or closed, it still does.
func (t *transport) send(p *pool, c *conn, req *http.Request) (*http.Response, error) {
	nc := c.nc
	if t.requestTimeout > 0 {
		nc.SetDeadline(time.Now().Add(t.requestTimeout))
	}
	stop := context.AfterFunc(req.Context(), func() { nc.SetDeadline(aLongTimeAgo) })
	if err := req.Context().Err(); err != nil {
		// Ended since RoundTrip looked: AfterFunc's call may come after
		// the request is written.
		stop()
		return nil, fmt.Errorf("stripe transport: %w", err)
	}
	err := req.Write(c.bw) // closes req.Body
	if err == nil {
		err = c.bw.Flush()
	}
	var resp *http.Response
	for informational := 0; err == nil; informational++ {
		if informational > maxInformational {
			err = errors.New("stripe transport: too many 1xx answers")
			break
		}
		// The first byte apart: a connection that ends before it (io.EOF,
		// which ReadResponse would call unexpected) got no answer at all.
		if _, err = c.br.Peek(1); err != nil {
			break
		}
		resp, err = http.ReadResponse(c.br, req)
		// Informational answers come before the real one; a switch of
		// protocols is not asked for, and not followed.
		if err == nil && (resp.StatusCode < 100 || resp.StatusCode >= 200) {
			break
		}
		if err == nil && resp.StatusCode == http.StatusSwitchingProtocols {
			err = errors.New("stripe transport: unexpected 101 Switching Protocols")
		}
	}
	if err != nil {
		stop()
		return nil, err
	}
	b := &body{t: t, p: p, c: c, ctx: req.Context(), stop: stop, rc: resp.Body, reusable: !resp.Close && !req.Close}
	if resp.Body == http.NoBody {
		b.finish(true)
		return resp, nil
	}
	resp.Body = b
	return resp, nil
}

// body is an answer's body; read to its end, it gives its connection back
// to the pool; closed before, it closes the connection (draining an
// unknown rest could take as long as the server likes).
type body struct {
	t        *transport
	p        *pool
	c        *conn
	ctx      context.Context
	stop     func() bool // unhooks the context's end from c
	rc       io.ReadCloser
	reusable bool

	mu   sync.Mutex
	done bool
	eof  bool // done because read to its end, not closed
}

func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	done, eof := b.done, b.eof
	b.mu.Unlock()
	switch {
	case eof:
		return 0, io.EOF // as often as asked, as net/http's bodies do
	case done:
		return 0, http.ErrBodyReadAfterClose
	}
	n, err := b.rc.Read(p)
	switch {
	case err == io.EOF:
		b.finish(true)
	case err != nil:
		b.finish(false)
		if b.ctx.Err() != nil {
			// The deadline the context's end set, said as net/http says it.
			err = fmt.Errorf("stripe transport: reading the answer: %w", b.ctx.Err())
		}
	}
	return n, err
}

func (b *body) Close() error {
	b.finish(false)
	return nil
}

// finish ends the body once: the connection goes back to the pool when the
// body was read to its end, neither side asked to close it, and the
// context did not end meanwhile (which spoiled its deadline).
func (b *body) finish(eof bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done, b.eof = true, eof
	if b.stop() && eof && b.reusable {
		b.t.put(b.p, b.c)
		return
	}
	b.c.nc.Close()
}

// retryable tells whether req, which failed with err on a kept-alive
// connection, may be sent again: the connection was gone before any answer
// came, and sending twice does no harm (net/http's rule: an idempotent
// method, or an idempotency key, which stripe-go sends with every POST),
// and the body can be had again.
func retryable(req *http.Request, err error) bool {
	if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		return false
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return req.Header.Get("Idempotency-Key") != "" || req.Header.Get("X-Idempotency-Key") != ""
}

// rewound is req with its body to be sent again.
func rewound(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r := *req // the caller's request is never changed
	r.Body = body
	return &r, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
