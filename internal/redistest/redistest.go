// Package redistest runs a real redis-server for tests: Debian's package
// (.ci/run installs it). A test that needs one skips, saying why, where it
// is not installed.
package redistest

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a redis-server of the test's own, on a free port, with no
// persistence.
type Server struct {
	t      testing.TB
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start starts redis-server for the test, or skips the test when it is not
// installed. It is stopped when the test ends; Stop and Restart kill and
// restart it on the same port, as a crash and a recovery would.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not on PATH: install it (Debian: apt-get install redis-server; .ci/run does) to run the Redis tests")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, port: ln.Addr().(*net.TCPAddr).Port}
	ln.Close()
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's redis:// URL.
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Restart runs redis-server and waits until it says it accepts
// connections.
func (s *Server) Restart() {
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

// Stop kills redis-server, as a crash would.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// readyWriter collects redis-server's log and closes ready when the server
// says it accepts connections.
type readyWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	once  sync.Once
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, err := w.buf.Write(p)
	ready := strings.Contains(w.buf.String(), "Ready to accept connections")
	w.mu.Unlock()
	if ready {
		w.once.Do(func() { close(w.ready) })
	}
	return n, err
}

func (w *readyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
