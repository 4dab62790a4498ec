package budget

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a manual clock for the buckets.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newBudget is New with cfg on c, closed with the test.
func newBudget(t *testing.T, c *clock, cfg Config) *Budget {
	t.Helper()
	cfg.Clock = c.Now
	b, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// logBuffer is a logger whose records the test can read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// redisServer is a redis-server of the test's own, on a free port.
type redisServer struct {
	t      *testing.T
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
}

// startRedis starts redis-server for the test, or skips the test when it
// is not installed. Stop and Start kill and restart it on the same port.
func startRedis(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not on PATH: install it (Debian: apt-get install redis-server) to run the Redis tests")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &redisServer{t: t, port: ln.Addr().(*net.TCPAddr).Port}
	ln.Close()
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's redis:// URL.
func (s *redisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Start runs redis-server and waits until it says it accepts connections.
func (s *redisServer) Start() {
	s.t.Helper()
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	out := &readyWriter{ready: make(chan struct{})}
	cmd.Stdout = out
	exited := make(chan struct{})
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	s.cmd, s.exited = cmd, exited
	go func() {
		cmd.Wait()
		close(exited)
	}()
	select {
	case <-out.ready:
	case <-exited:
		s.t.Fatalf("redis-server exited before it was ready:\n%s", out.String())
	case <-time.After(10 * time.Second):
		s.t.Fatalf("redis-server did not become ready within 10s:\n%s", out.String())
	}
}

// readyWriter collects redis-server's log and closes ready when the
// server says it accepts connections.
type readyWriter struct {
	logBuffer
	ready chan struct{}
	once  sync.Once
}

func (w *readyWriter) Write(p []byte) (int, error) {
	n, err := w.logBuffer.Write(p)
	if strings.Contains(w.String(), "Ready to accept connections") {
		w.once.Do(func() { close(w.ready) })
	}
	return n, err
}

// Stop kills redis-server, as a crash would.
func (s *redisServer) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}
