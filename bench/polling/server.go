package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// idgraph is one idgraph process of the run, on an emulator of its own.
type idgraph struct {
	name string
	url  string
	cmd  *exec.Cmd
	done chan struct{}
}

var listeningRe = regexp.MustCompile(`msg="idgraph listening" addr=(\S+)`)

// build builds the module's main package into dir.
func build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "idgraph")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %w", err)
	}
	return bin, nil
}

// start runs bin with the budgets off, its emulator's database in dir and
// env added, and waits until it serves.
func start(ctx context.Context, name, bin, dir string, env ...string) (*idgraph, error) {
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"IDGRAPH_ADDR=127.0.0.1:0", "IDGRAPH_BUDGET=off", "IDGRAPH_EMULATOR_DB=" + filepath.Join(dir, name+".db")}, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &idgraph{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(logPath)
		if m := listeningRe.FindSubmatch(b); m != nil {
			s.url = "http://" + string(m[1])
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited; its log:\n%s", name, b)
		default:
		}
	}
	s.stop()
	return nil, fmt.Errorf("%s did not start listening", name)
}

func (s *idgraph) stop() {
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

// retrieves reads from idgraph's /metrics the session retrieves it has
// sent to Stripe (its emulator): the figure the cache is there to cut.
func (s *idgraph) retrieves(ctx context.Context) (float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/metrics", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		return 0, err
	}
	var n float64
	for _, m := range families["idgraph_stripe_requests_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["method"] == http.MethodGet && labels["endpoint"] == "/v1/identity/verification_sessions/{id}" {
			n += m.GetCounter().GetValue()
		}
	}
	return n, nil
}

// created is a session as the benchmark creates it.
type created struct{ ID, URL string }

// create creates a requires_input session and returns its ID and hosted
// page.
func (s *idgraph) create(ctx context.Context, client *http.Client) (created, error) {
	var out struct {
		Data struct {
			CreateVerificationSession struct{ VerificationSession *created }
		}
	}
	raw, err := post(ctx, client, s.url+"/graphql", `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id url } } }`, nil)
	if err == nil {
		err = json.Unmarshal(raw, &out)
	}
	if vs := out.Data.CreateVerificationSession.VerificationSession; err == nil && vs != nil {
		return *vs, nil
	}
	return created{}, fmt.Errorf("create a session: %v: %s", err, raw)
}

func post(ctx context.Context, client *http.Client, url, query string, vars map[string]any) ([]byte, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", res.Status, raw)
	}
	return raw, err
}
