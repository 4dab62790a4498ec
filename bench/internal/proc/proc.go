// Package proc starts the processes a benchmark command measures (idgraph,
// stripe-mock) as children of its own, waits until they serve, and stops
// them: each server is a process of its own, so that its CPU time and
// memory are its own.
package proc

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"
)

// Process is a server started for the run.
type Process struct {
	// URL is its base URL, once it listens.
	URL string
	// Log is the file its output goes to.
	Log string
	Cmd *exec.Cmd

	done chan struct{} // closed once the process has exited
}

// Launch starts cmd and watches for its exit.
func Launch(cmd *exec.Cmd) (*Process, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{Cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	return p, nil
}

// Exited tells whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop asks the process to shut down (an interrupt, where the system has
// one), and kills it if it takes too long.
func (p *Process) Stop() {
	if err := p.Cmd.Process.Signal(os.Interrupt); err != nil {
		_ = p.Cmd.Process.Kill()
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.Cmd.Process.Kill()
		<-p.done
	}
}

// Pid is the process's ID.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// BuildIdgraph builds idgraph's main package into dir, with args added to
// go build's (an -overlay, say).
func BuildIdgraph(ctx context.Context, dir string, args ...string) (string, error) {
	bin := filepath.Join(dir, "idgraph")
	args = append(append([]string{"build", "-o", bin}, args...), "github.com/idgraph/idgraph")
	if out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// listeningRe finds the address in idgraph's "idgraph listening" log line.
var listeningRe = regexp.MustCompile(`msg="idgraph listening" addr=(\S+)`)

// StartIdgraph starts bin on a free loopback port with the cost budget
// off and the variables env adds, its output in logPath, and waits until
// it answers /healthz. Its environment is only what it needs (a
// STRIPE_SECRET_KEY inherited from the shell would point it at Stripe) and
// the Go runtime's settings, so that runs can be compared.
func StartIdgraph(ctx context.Context, bin, logPath string, env ...string) (*Process, error) {
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
	p, err := StartLogging(ctx, cmd, logPath, listeningRe)
	if err != nil {
		return nil, fmt.Errorf("idgraph: %w", err)
	}
	if err := waitHealthy(ctx, p.URL+"/healthz"); err != nil {
		p.Stop()
		b, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("idgraph: %w\n%s", err, b)
	}
	return p, nil
}

// StartLogging starts cmd with its output in logPath (straight to the
// file: it does not pass through the benchmark's process), and waits
// until a line of it matches listening, whose first group is the address
// it serves.
func StartLogging(ctx context.Context, cmd *exec.Cmd, logPath string, listening *regexp.Regexp) (*Process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd.Stdout, cmd.Stderr = logFile, logFile
	p, err := Launch(cmd)
	if err != nil {
		return nil, err
	}
	p.Log = logPath
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(logPath)
		if m := listening.FindSubmatch(b); m != nil {
			p.URL = "http://" + string(m[1])
			return p, nil
		}
		if p.Exited() {
			break
		}
	}
	p.Stop()
	b, _ := os.ReadFile(logPath)
	return nil, fmt.Errorf("did not start listening; its log:\n%s", b)
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
