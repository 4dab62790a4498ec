// Package stripemock starts stripe-mock, Stripe's official mock of its API,
// for tests. The version is the one go.mod pins (through tools.go); the
// binary is built by the Go toolchain, so tests need nothing but Go.
package stripemock

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// build compiles stripe-mock once per test process. The binary goes to one
// fixed place under os.TempDir(), replaced on each build, so that test runs
// leave one binary behind at most, never one per run (a temporary
// directory of the process's own would outlive it: nothing removes it once
// every test is done).
func build(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir := filepath.Join(os.TempDir(), "idgraph-stripe-mock")
		if buildErr = os.MkdirAll(dir, 0o755); buildErr != nil {
			return
		}
		// One file per process, renamed into place: concurrent test
		// processes (go test ./... runs packages in parallel) never run a
		// half-written binary.
		tmp, err := os.CreateTemp(dir, "build-*")
		if err != nil {
			buildErr = err
			return
		}
		tmp.Close()
		cmd := exec.Command("go", "build", "-o", tmp.Name(), "github.com/stripe/stripe-mock")
		if buildOut, buildErr = cmd.CombinedOutput(); buildErr != nil {
			os.Remove(tmp.Name())
			return
		}
		binPath = filepath.Join(dir, "stripe-mock")
		buildErr = os.Rename(tmp.Name(), binPath)
	})
	if buildErr != nil {
		t.Fatalf("build stripe-mock: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

var addrLine = regexp.MustCompile(`Listening for HTTP at address: (\S+)`)

// Start runs a stripe-mock on a free loopback port for the test and returns
// its base URL (no path, as Stripe SDKs want). It is stopped when the test
// ends.
func Start(t testing.TB) string {
	t.Helper()
	bin := build(t)
	ctx, cancel := context.WithCancel(context.Background())
	// Both listeners on free loopback ports: by default stripe-mock also
	// opens HTTPS on [::]:12112, and a test run fails when anything holds
	// that port.
	cmd := exec.CommandContext(ctx, bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start stripe-mock: %v", err)
	}
	found := make(chan string, 1)
	var (
		outputMu sync.Mutex
		output   strings.Builder
	)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			outputMu.Lock()
			output.WriteString(sc.Text() + "\n")
			outputMu.Unlock()
			if m := addrLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- "http://" + m[1]
			}
		}
	}()
	logged := func() string {
		outputMu.Lock()
		defer outputMu.Unlock()
		return output.String()
	}
	// One goroutine waits for the process: a stripe-mock that dies while a
	// test uses it fails that test, saying why; one stopped by the cleanup
	// (the context cancelled first) does not.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		<-scanned // Wait closes stdout: read it all first
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	select {
	case base := <-found:
		go func() {
			<-exited
			if ctx.Err() == nil {
				t.Errorf("stripe-mock exited during the test: %v\n%s", waitErr, logged())
			}
		}()
		return base
	case <-exited:
		t.Fatalf("stripe-mock exited before it listened: %v\n%s", waitErr, logged())
		return ""
	case <-time.After(60 * time.Second):
		t.Fatal("stripe-mock did not start listening within 60s")
		return ""
	}
}
