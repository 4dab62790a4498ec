package identity

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is a test server that counts the connections it accepted.
func countingServer(t *testing.T, tls bool, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &conns
}

func testTransport() *transport {
	fallback := NewTransport()
	return newTransport(fallback, 4, time.Minute)
}

func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTransportKeepsConnectionsAlive(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls %v", tls), func(t *testing.T) {
			srv, conns := countingServer(t, tls, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, "%s %s %s", r.Proto, r.Method, r.URL.Path)
			})
			tr := testTransport()
			if tls {
				tr.tlsConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig
			}
			c := &http.Client{Transport: tr}
			for i := range 20 {
				if got, want := get(t, c, srv.URL+fmt.Sprintf("/v1/x/%d", i)), fmt.Sprintf("HTTP/1.1 GET /v1/x/%d", i); got != want {
					t.Fatalf("answer %q, want %q", got, want)
				}
			}
			if n := conns.Load(); n != 1 {
				t.Errorf("20 requests in a row opened %d connections, want 1", n)
			}
		})
	}
}

func TestTransportUnderConcurrency(t *testing.T) {
	srv, conns := countingServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	})
	// As many idle connections as clients: none is closed for want of room.
	c := &http.Client{Transport: newTransport(NewTransport(), 16, time.Minute)}
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				want := fmt.Sprintf("id=vs_%d_%d", g, i)
				resp, err := c.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader(want))
				if err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(b) != want {
					errs <- fmt.Errorf("answer %q (%v), want %q", b, err, want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := conns.Load(); n > 16 {
		t.Errorf("16 clients opened %d connections", n)
	}
}

func TestTransportClosesWhatItCannotReuse(t *testing.T) {
	srv, conns := countingServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		w.Write([]byte(strings.Repeat("x", 64<<10)))
	})
	c := &http.Client{Transport: testTransport()}
	// A body closed before its end: the rest is not drained, the
	// connection not reused.
	resp, err := c.Get(srv.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 1)); !errors.Is(err, http.ErrBodyReadAfterClose) {
		t.Errorf("read after close: %v", err)
	}
	// A body read to its end says so again when read again.
	resp, err = c.Get(srv.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	if n, err := resp.Body.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("read after the end: %d, %v", n, err)
	}
	resp.Body.Close()
	get(t, c, srv.URL+"/close") // the server says it closes
	get(t, c, srv.URL+"/big")
	get(t, c, srv.URL+"/big") // this one reuses the one before
	// One for the body closed early; one for the body read to its end,
	// reused for /close, which ends it; one for the last two.
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3", n)
	}
}

// oneShotServer answers each connection's first request; then, with
// dropSecond, it reads the second and closes the connection without an
// answer (a server whose keep-alive timeout passed as the request came),
// and without it closes the connection at once, unsaid (one whose timeout
// passed while it was idle). It counts the connections and the requests it
// saw.
func oneShotServer(t *testing.T, dropSecond bool) (url string, conns, requests *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns, requests = new(atomic.Int32), new(atomic.Int32)
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer nc.Close()
				br := bufio.NewReader(nc)
				for i := range 2 {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					requests.Add(1)
					if i == 1 {
						return // dropped unanswered
					}
					io.WriteString(nc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
					if !dropSecond {
						return
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String(), conns, requests
}

// A connection the server closed while it was idle is left, and the
// request goes on a new one, whatever its method: it was never sent.
func TestTransportLeavesConnectionsClosedWhileIdle(t *testing.T) {
	url, conns, requests := oneShotServer(t, false)
	tr := testTransport()
	c := &http.Client{Transport: tr}
	get(t, c, url)
	waitClosed(t, tr)
	time.Sleep(lookAfter) // idle long enough to be looked at
	resp, err := c.Do(mustRequest(t, http.MethodPost, url, "a=1"))
	if err != nil {
		t.Fatalf("a POST after the kept connection closed: %v", err)
	}
	resp.Body.Close()
	if c, r := conns.Load(), requests.Load(); c != 2 || r != 2 {
		t.Errorf("%d connections, %d requests, want 2 and 2", c, r)
	}
}

// A kept connection that fails before any answer, once the request was
// written, may have carried it: what may be sent twice is sent again on a
// new connection, a POST without an idempotency key is not.
func TestTransportSendsAgainWhatMayBeSentTwice(t *testing.T) {
	url, conns, requests := oneShotServer(t, true)
	c := &http.Client{Transport: testTransport()}
	get(t, c, url)
	for _, req := range []*http.Request{
		mustRequest(t, http.MethodGet, url, ""),
		mustRequest(t, http.MethodPost, url, "a=1", "Idempotency-Key", "k1"),
	} {
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", req.Method, err)
		}
		if b, _ := io.ReadAll(resp.Body); string(b) != "ok" {
			t.Errorf("%s: answer %q", req.Method, b)
		}
		resp.Body.Close()
	}
	// Each went twice: dropped on the kept connection, answered on a new.
	if c, r := conns.Load(), requests.Load(); c != 3 || r != 5 {
		t.Errorf("%d connections, %d requests, want 3 and 5", c, r)
	}
	if _, err := c.Do(mustRequest(t, http.MethodPost, url, "a=1")); err == nil {
		t.Error("a POST without an idempotency key was sent again")
	}
	if r := requests.Load(); r != 6 {
		t.Errorf("%d requests, want the POST without a key once", r)
	}
}

func mustRequest(t *testing.T, method, url, body string, header ...string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// waitClosed waits until the server has closed tr's idle connection: a
// read on it returns.
func waitClosed(t *testing.T, tr *transport) {
	t.Helper()
	tr.mu.Lock()
	var idle []*conn
	for _, p := range tr.pools {
		idle = append(idle, p.idle...)
	}
	tr.mu.Unlock()
	for _, c := range idle {
		if _, err := c.br.Peek(1); err == nil {
			t.Fatal("the server sent something unasked")
		}
	}
}

func TestTransportEndsWithTheContext(t *testing.T) {
	release := make(chan struct{})
	srv, _ := countingServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.Write([]byte("part"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := &http.Client{Transport: testTransport()}
	for _, path := range []string{"/slow-head", "/slow-body"} {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
			start := time.Now()
			resp, err := c.Do(req)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v, want the context's deadline", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestTransportLeavesProxiedRequestsToTheFallback(t *testing.T) {
	srv, conns := countingServer(t, false, func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("answered"))
	})
	tr := testTransport()
	var proxied, fellBack atomic.Int32
	tr.proxy = func(r *http.Request) (*url.URL, error) {
		proxied.Add(1)
		return url.Parse("http://proxy.invalid:3128")
	}
	tr.fallback = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		fellBack.Add(1)
		return http.DefaultTransport.RoundTrip(r) // straight to the server, for the test
	})
	c := &http.Client{Transport: tr}
	for range 3 {
		if got := get(t, c, srv.URL); got != "answered" {
			t.Fatalf("answer %q", got)
		}
	}
	if p, f := proxied.Load(), fellBack.Load(); p != 1 || f != 3 {
		t.Errorf("proxy asked %d times (want once per host), fallback used %d times (want 3)", p, f)
	}
	if conns.Load() == 0 {
		t.Error("the fallback did not reach the server")
	}
}

func TestTransportBoundsEachRequest(t *testing.T) {
	release := make(chan struct{})
	srv, _ := countingServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	tr := newTransport(NewTransport(), 4, 100*time.Millisecond)
	start := time.Now()
	_, err := (&http.Client{Transport: tr}).Get(srv.URL) // a context without deadline
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestNewHTTPClientLeavesTheBoundToItsTransport(t *testing.T) {
	c := NewHTTPClient()
	tr, ok := c.Transport.(*transport)
	if !ok || c.Timeout != 0 || tr.requestTimeout != 80*time.Second {
		t.Errorf("client timeout %v, transport %T: want the transport's 80s bound only", c.Timeout, c.Transport)
	}
}
