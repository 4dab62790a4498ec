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

// build compiles stripe-mock once per test process.
func build(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stripe-mock-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "stripe-mock")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/stripe/stripe-mock")
		buildOut, buildErr = cmd.CombinedOutput()
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
	cmd := exec.CommandContext(ctx, bin, "-http-addr", "127.0.0.1:")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := addrLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- "http://" + m[1]
			}
		}
	}()
	select {
	case base := <-found:
		return base
	case <-time.After(60 * time.Second):
		t.Fatal("stripe-mock did not start listening within 60s")
		return ""
	}
}
