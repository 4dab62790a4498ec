package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// server is a process started for the run.
type server struct {
	url   string
	pprof string // idgraph built for -cpuprofile: its profiling endpoint's base URL
	cmd   *exec.Cmd
	done  chan struct{} // closed once the process has exited
}

// launch starts cmd and watches for its exit.
func launch(cmd *exec.Cmd) (*server, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	return s, nil
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// stop asks the process to shut down (an interrupt, where the system has
// one), and kills it if it takes too long.
func (s *server) stop() {
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		_ = s.cmd.Process.Kill()
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// buildIdgraph builds the module's main package into dir; with profiling,
// with a profiling endpoint added (profile.go).
func buildIdgraph(ctx context.Context, dir string, profiling bool) (string, error) {
	bin := filepath.Join(dir, "idgraph")
	args := []string{"build", "-o", bin}
	if profiling {
		overlay, err := pprofOverlay(ctx, dir)
		if err != nil {
			return "", err
		}
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "github.com/idgraph/idgraph")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// listeningRe finds the address in idgraph's "idgraph listening" log line.
var listeningRe = regexp.MustCompile(`msg="idgraph listening" addr=(\S+)`)

// startIdgraph starts bin on a free loopback port, with the cost budget off
// and the variables env adds (the backend's), logging into dir, and
// waits until it listens. Its environment is only what it needs (a
// STRIPE_SECRET_KEY inherited from the shell would point it at Stripe) and
// the Go runtime's settings, so that they can be compared.
func startIdgraph(ctx context.Context, bin, dir string, env ...string) (*server, error) {
	logFile, err := os.CreateTemp(dir, "idgraph-*.log") // one per idgraph started
	if err != nil {
		return nil, err
	}
	logPath := logFile.Name()
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(bin)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"IDGRAPH_ADDR=127.0.0.1:0",
		"IDGRAPH_BUDGET=off",
	}
	for _, v := range []string{"GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG"} {
		if val, ok := os.LookupEnv(v); ok {
			cmd.Env = append(cmd.Env, v+"="+val)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	// Straight to a file: the log does not pass through the load
	// generator's process.
	cmd.Stdout, cmd.Stderr = logFile, logFile
	s, err := launch(cmd)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		b, _ := os.ReadFile(logPath)
		if m := listeningRe.FindSubmatch(b); m != nil {
			s.url = "http://" + string(m[1])
			if m := pprofRe.FindSubmatch(b); m != nil {
				s.pprof = "http://" + string(m[1])
			}
			if err := waitHealthy(ctx, s.url+"/healthz"); err != nil {
				s.stop()
				return nil, fmt.Errorf("idgraph: %w\n%s", err, b)
			}
			return s, nil
		}
		if s.exited() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	b, _ := os.ReadFile(logPath)
	return nil, fmt.Errorf("idgraph did not start listening; its log:\n%s", b)
}

func waitHealthy(ctx context.Context, url string) error {
	var last error
	for range 100 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s: %s", url, resp.Status)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return last
}

// stripeMockRe finds the address in stripe-mock's "Listening for HTTP"
// line.
var stripeMockRe = regexp.MustCompile(`Listening for HTTP at address: (\S+)`)

// startStripeMock builds stripe-mock (the version go.mod pins) into dir and
// starts it on free loopback ports, as internal/stripemock does for tests.
func startStripeMock(ctx context.Context, dir string) (*server, error) {
	bin := filepath.Join(dir, "stripe-mock")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/stripe/stripe-mock").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build stripe-mock: %v\n%s", err, out)
	}
	logPath := filepath.Join(dir, "stripe-mock.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	s, err := launch(cmd)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil && !s.exited() {
		b, _ := os.ReadFile(logPath)
		if m := stripeMockRe.FindSubmatch(b); m != nil {
			s.url = "http://" + string(m[1])
			return s, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	b, _ := os.ReadFile(logPath)
	return nil, fmt.Errorf("stripe-mock did not start listening; its log:\n%s", b)
}

// startBare starts this program again as the bare handler's server, so that
// it is a process of its own, as idgraph is.
func startBare(ctx context.Context) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	// A pipe of our own rather than StdoutPipe, which Wait (in launch)
	// may close before the line is read.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command(self, "-serve-bare", "127.0.0.1:0")
	cmd.Stdout, cmd.Stderr = w, os.Stderr
	s, err := launch(cmd)
	w.Close()
	if err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		s.stop()
		return nil, fmt.Errorf("bare server: %q, %v", line, err)
	}
	s.url = "http://" + addr + "/"
	return s, waitHealthy(ctx, s.url)
}

// bareBody is the bare handler's answer: a GraphQL-like JSON of exactly
// 1 KB, about the size of idgraph's answer with headers.
var bareBody = func() []byte {
	head := `{"data":{"verificationSession":{"id":"vs_0000000000000000000000000","status":"REQUIRES_INPUT","type":"DOCUMENT","created":"2026-11-30T10:00:00Z","padding":"`
	tail := `"}}}`
	return []byte(head + strings.Repeat("x", 1024-len(head)-len(tail)) + tail)
}()

// serveBare serves bareBody to every request, reading its body first as a
// real handler would, and prints "listening ADDR" once it listens.
func serveBare(ctx context.Context, addr string, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(bareBody)
		}),
	}
	fmt.Fprintf(stdout, "listening %s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// createSession creates the requires_input session the queries read.
func createSession(ctx context.Context, base string) (string, error) {
	body, _ := json.Marshal(map[string]any{"query": `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id status } userErrors { message } } }`})
	var out struct {
		Data struct {
			CreateVerificationSession struct {
				VerificationSession *struct{ ID, Status string }
			}
		}
		Errors []json.RawMessage
	}
	raw, err := post(ctx, base+"/graphql", body)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("create a session: %v: %s", err, raw)
	}
	vs := out.Data.CreateVerificationSession.VerificationSession
	if len(out.Errors) > 0 || vs == nil || vs.Status != "REQUIRES_INPUT" {
		return "", fmt.Errorf("create a session: %s", raw)
	}
	return vs.ID, nil
}

// readQuery is the measured operation.
const readQuery = `query ($id: ID!) { verificationSession(id: $id) { id status type created } }`

func post(ctx context.Context, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s: %s", url, resp.Status, raw)
	}
	return raw, err
}
