package emulator

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
)

// crashChildEnv switches the test binary into the child of
// TestAcknowledgedCreatesSurviveKill9: it serves the emulator on the file
// named by the variable and prints its address.
const crashChildEnv = "EMULATOR_CRASH_CHILD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		os.Exit(runCrashChild(path))
	}
	if path := os.Getenv(lockChildEnv); path != "" {
		os.Exit(runLockChild(path))
	}
	os.Exit(m.Run())
}

func runCrashChild(path string) int {
	e, err := New(context.Background(), Options{Path: path, PublicURL: "http://child.test"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("LISTENING %s\n", ln.Addr())
	_ = http.Serve(ln, e.Handler()) // until SIGKILL
	return 0
}

// startChild runs the emulator in a child process on path and returns its
// base URL.
func startChild(t *testing.T, path string) (*exec.Cmd, string) {
	t.Helper()
	cmd, line := startChildProcess(t, crashChildEnv, path)
	if !strings.HasPrefix(line, "LISTENING ") {
		t.Fatalf("child did not start: %q", line)
	}
	return cmd, "http://" + strings.TrimSpace(strings.TrimPrefix(line, "LISTENING "))
}

func TestAcknowledgedCreatesSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "emulator.db")
	cmd, base := startChild(t, path)
	sc := newStripeClient(base, &http.Client{Timeout: 5 * time.Second})

	// Stream creates from a few goroutines; kill the child once enough have
	// been acknowledged, while more are in flight.
	acked := make(chan string, 10000)
	stop := make(chan struct{})
	done := make(chan struct{})
	const workers = 4
	for w := 0; w < workers; w++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}
				vs, err := sc.V1IdentityVerificationSessions.Create(context.Background(), p)
				if err != nil {
					return // the child is gone
				}
				acked <- vs.ID
			}
		}()
	}
	var ids []string
	for len(ids) < 300 {
		ids = append(ids, <-acked)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	close(stop)
	for w := 0; w < workers; w++ {
		<-done
	}
	close(acked)
	for id := range acked {
		ids = append(ids, id)
	}
	_ = cmd.Wait()

	_, base = startChild(t, path)
	sc = newStripeClient(base, nil)
	for _, id := range ids {
		if _, err := sc.V1IdentityVerificationSessions.Retrieve(context.Background(), id, nil); err != nil {
			t.Fatalf("acknowledged create %s lost after kill -9: %v", id, err)
		}
	}
	t.Logf("%d acknowledged creates all found after kill -9", len(ids))
}
