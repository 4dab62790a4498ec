package identity

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// primeIdle opens n connections at once and leaves them idle in c's pool.
func primeIdle(t *testing.T, c *http.Client, url string, n int, gate chan struct{}) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); get(t, c, url) }()
	}
	time.Sleep(100 * time.Millisecond)
	close(gate)
	wg.Wait()
}

// The server's idle timeout (shorter than the transport's 90 s) closes
// the pooled connections: the next requests go on new ones, as with
// net/http's Transport.
func TestTransportAfterTheServersIdleTimeout(t *testing.T) {
	for _, name := range []string{"custom", "net/http"} {
		t.Run(name, func(t *testing.T) {
			gate := make(chan struct{})
			var once atomic.Bool
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !once.Load() {
					<-gate
				}
				io.WriteString(w, "ok")
			}))
			srv.Config.IdleTimeout = 300 * time.Millisecond
			srv.Start()
			defer srv.Close()
			var rt http.RoundTripper = newTransport(NewTransport(), 128, time.Minute)
			if name == "net/http" {
				rt = NewTransport()
			}
			c := &http.Client{Transport: rt}
			primeIdle(t, c, srv.URL, 3, gate)
			once.Store(true)
			time.Sleep(time.Second) // the server has closed all three by now
			resp, err := c.Get(srv.URL)
			if err != nil {
				t.Fatalf("GET after the server's idle timeout: %v", err)
			}
			resp.Body.Close()
			req, _ := http.NewRequest("POST", srv.URL, strings.NewReader("a=1"))
			time.Sleep(time.Second)
			resp, err = c.Do(req)
			if err != nil {
				t.Fatalf("POST after the server's idle timeout: %v", err)
			}
			resp.Body.Close()
		})
	}
}

// A server that sends "408 Request Timeout" on an idle connection before
// closing it (net/http's Transport knows this case): the 408 is nobody's
// answer, and the connection is left.
func TestTransportLeavesAConnectionThatSpokeUnasked(t *testing.T) {
	for _, name := range []string{"custom", "net/http"} {
		t.Run(name, func(t *testing.T) {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			defer ln.Close()
			go func() {
				for {
					nc, err := ln.Accept()
					if err != nil {
						return
					}
					go func() {
						defer nc.Close()
						br := bufio.NewReader(nc)
						req, err := http.ReadRequest(br)
						if err != nil {
							return
						}
						io.Copy(io.Discard, req.Body)
						io.WriteString(nc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
						time.Sleep(100 * time.Millisecond) // idle timeout
						io.WriteString(nc, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
						time.Sleep(50 * time.Millisecond)
					}()
				}
			}()
			var rt http.RoundTripper = newTransport(NewTransport(), 128, time.Minute)
			if name == "net/http" {
				rt = NewTransport()
			}
			c := &http.Client{Transport: rt}
			url := "http://" + ln.Addr().String()
			get(t, c, url)
			time.Sleep(120 * time.Millisecond)
			resp, err := c.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("second GET answered %d: the idle connection's unsolicited 408 was taken as its answer", resp.StatusCode)
			}
		})
	}
}

// A request whose context has already ended is not sent, on a pooled
// connection or a new one, as with net/http's Transport.
func TestTransportSendsNothingForAnEndedContext(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			posts.Add(1)
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	c := &http.Client{Transport: newTransport(NewTransport(), 128, time.Minute)}
	get(t, c, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := 0; i < 50; i++ {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL, strings.NewReader("a=1"))
		req.Header.Set("Idempotency-Key", "k")
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
		get(t, c, srv.URL) // keep a pooled connection
	}
	time.Sleep(100 * time.Millisecond)
	if n := posts.Load(); n > 0 {
		t.Fatalf("%d of 50 POSTs with an already-canceled context reached the server", n)
	}
}

// Concurrent requests with random cancellations and early closes: every
// answer is its own request's.
func TestTransportUnderCancellation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		if r.URL.Query().Get("slow") != "" {
			time.Sleep(time.Duration(len(id)%3) * time.Millisecond)
		}
		if r.URL.Query().Get("chunked") != "" {
			w.Write([]byte(id[:1]))
			w.(http.Flusher).Flush()
			w.Write([]byte(id[1:]))
			return
		}
		io.WriteString(w, id)
	}))
	defer srv.Close()
	tr := newTransport(NewTransport(), 8, time.Minute)
	c := &http.Client{Transport: tr}
	var wg sync.WaitGroup
	var bad atomic.Int32
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				id := strings.Repeat("x", 1+i%5) + "-" + string(rune('a'+g%26)) + "-" + time.Now().Format("150405.000000000")
				ctx, cancel := context.WithCancel(context.Background())
				if i%4 == 0 {
					time.AfterFunc(time.Duration(i%200)*time.Microsecond, cancel)
				}
				q := "?id=" + id
				if i%3 == 0 {
					q += "&chunked=1"
				}
				if i%5 == 0 {
					q += "&slow=1"
				}
				req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+q, nil)
				resp, err := c.Do(req)
				if err == nil {
					if i%7 == 0 {
						resp.Body.Close()
					} else {
						b, err := io.ReadAll(resp.Body)
						resp.Body.Close()
						if err == nil && string(b) != id {
							bad.Add(1)
							t.Errorf("answer %q to request %q", b, id)
						}
					}
				}
				cancel()
			}
		}(g)
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatal(bad.Load(), "crossed answers")
	}
}

// Through stripe-go with idgraph's 2 retries: a pool of 10 connections
// the server closed while idle does not fail a Retrieve.
func TestStripeGoAfterTheServerClosedIdleConnections(t *testing.T) {
	gate := make(chan struct{})
	var primed atomic.Bool
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !primed.Load() {
			<-gate
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"vs_1","object":"identity.verification_session","status":"requires_input"}`)
	}))
	srv.Config.IdleTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()
	hc := &http.Client{Transport: newTransport(NewTransport(), 128, time.Minute)}
	primeIdle(t, hc, srv.URL, 10, gate)
	primed.Store(true)
	time.Sleep(time.Second)
	s := NewStripe(Config{Key: "sk_test_x", BaseURL: srv.URL, HTTPClient: hc, MaxNetworkRetries: 2})
	if _, err := s.Retrieve(context.Background(), "vs_1", nil); err != nil {
		t.Fatalf("Retrieve after the server closed the idle connections (stripe-go, 2 retries): %v", err)
	}
}
