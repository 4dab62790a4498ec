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

	"github.com/idgraph/idgraph/bench/internal/proc"
)

// server is a process started for the run.
type server struct {
	*proc.Process
	pprof string // idgraph built for -cpuprofile: its profiling endpoint's base URL
}

// buildIdgraph builds the module's main package into dir; with profiling,
// with a profiling endpoint added (profile.go).
func buildIdgraph(ctx context.Context, dir string, profiling bool) (string, error) {
	if !profiling {
		return proc.BuildIdgraph(ctx, dir)
	}
	overlay, err := pprofOverlay(ctx, dir)
	if err != nil {
		return "", err
	}
	return proc.BuildIdgraph(ctx, dir, "-overlay", overlay)
}

// startIdgraph starts bin (proc.StartIdgraph) with the variables env adds
// (the backend's), logging into dir.
func startIdgraph(ctx context.Context, bin, dir string, env ...string) (*server, error) {
	logFile, err := os.CreateTemp(dir, "idgraph-*.log") // one per idgraph started
	if err != nil {
		return nil, err
	}
	logFile.Close()
	p, err := proc.StartIdgraph(ctx, bin, logFile.Name(), env...)
	if err != nil {
		return nil, err
	}
	s := &server{Process: p}
	if b, _ := os.ReadFile(p.Log); pprofRe.Match(b) {
		s.pprof = "http://" + string(pprofRe.FindSubmatch(b)[1])
	}
	return s, nil
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
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	p, err := proc.StartLogging(ctx, cmd, filepath.Join(dir, "stripe-mock.log"), stripeMockRe)
	if err != nil {
		return nil, fmt.Errorf("stripe-mock: %w", err)
	}
	return &server{Process: p}, nil
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
	p, err := proc.Launch(cmd)
	w.Close()
	if err != nil {
		return nil, err
	}
	s := &server{Process: p}
	line, err := bufio.NewReader(r).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		s.Stop()
		return nil, fmt.Errorf("bare server: %q, %v", line, err)
	}
	s.URL = "http://" + addr + "/"
	return s, nil
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
