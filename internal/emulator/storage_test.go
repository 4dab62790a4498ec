package emulator

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
)

// openFile starts an emulator on path (a manual clock, no delay) and
// closes it at the end of the test.
func openFile(t *testing.T, path string) *Emulator {
	t.Helper()
	e, err := New(context.Background(), Options{Path: path, PublicURL: "http://emu.test", Clock: NewManualClock(epoch)})
	if err != nil {
		t.Fatalf("New(%q): %v", path, err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func inProcessClient(e *Emulator) *stripe.Client {
	return newStripeClient("http://in-process.invalid", &http.Client{Transport: e.RoundTripper()})
}

func TestDatabaseFilesAreCreatedPrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "em.db")
	e := openFile(t, path)
	// A write, so that SQLite has made its -wal and -shm files.
	if _, err := inProcessClient(e).V1IdentityVerificationSessions.Create(context.Background(),
		&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"em.db", "em.db-wal", "em.db-shm", "em.db.lock"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %v, want 0600: it holds personal data", name, mode)
		}
	}
}

func TestDatabasePathsOpenExactlyThatFile(t *testing.T) {
	for _, name := range []string{"dev #1.db", "a?b.db", "with space.db", "100%.db", "q?mode=ro#frag.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			e, err := New(context.Background(), Options{Path: path, Clock: NewManualClock(epoch)})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			vs, err := inProcessClient(e).V1IdentityVerificationSessions.Create(context.Background(),
				&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, en := range entries {
				names = append(names, en.Name())
			}
			for _, n := range names {
				if n != name && !strings.HasPrefix(n, name+"-") && n != name+".lock" {
					t.Errorf("a file %q appeared beside %q: %v", n, name, names)
				}
			}
			if !slices.Contains(names, name) {
				t.Fatalf("no file %q: %v", name, names)
			}
			// The data is in that file: a new emulator on it finds the session.
			e2 := openFile(t, path)
			if _, err := inProcessClient(e2).V1IdentityVerificationSessions.Retrieve(context.Background(), vs.ID, nil); err != nil {
				t.Fatalf("the session is not in %q: %v", name, err)
			}
		})
	}
}

func TestASecondEmulatorOnTheSameFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "em.db")
	first, err := New(context.Background(), Options{Path: path, Clock: NewManualClock(epoch)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(context.Background(), Options{Path: path, Clock: NewManualClock(epoch)})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "in use by another emulator") {
		t.Fatalf("second New on one file: %v, want a refusal naming %s", err, path)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// Closing releases the lock.
	openFile(t, path)
}

// lockChildEnv switches the test binary into the child of
// TestTheLockHoldsAcrossProcessesAndDiesWithThem: it opens the emulator on
// the file named by the variable, says so, and waits to be killed.
const lockChildEnv = "EMULATOR_LOCK_CHILD_DB"

func runLockChild(path string) int {
	e, err := New(context.Background(), Options{Path: path})
	if err != nil {
		os.Stdout.WriteString("ERROR " + err.Error() + "\n")
		return 1
	}
	defer e.Close()
	os.Stdout.WriteString("OPEN\n")
	_, _ = io.Copy(io.Discard, os.Stdin) // until killed
	return 0
}

func TestTheLockHoldsAcrossProcessesAndDiesWithThem(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "em.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+path)
	stdin, _ := cmd.StdinPipe()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "OPEN\n" {
		t.Fatalf("child: %q %v", line, err)
	}

	_, err = New(context.Background(), Options{Path: path})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("New while another process holds the file: %v, want a refusal naming %s", err, path)
	}

	// kill -9: no Close runs, the kernel releases the lock all the same.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	openFile(t, path)
}

func TestStorageFailuresAreStorageFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		breakIt func(t *testing.T, e *Emulator, dir string)
	}{
		{"a database whose directory is deleted", func(t *testing.T, e *Emulator, dir string) {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}},
		{"a database file replaced by another", func(t *testing.T, e *Emulator, dir string) {
			p := filepath.Join(dir, "em.db")
			if err := os.Rename(p, p+".old"); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"a database that has become read-only", func(t *testing.T, e *Emulator, dir string) {
			// A read-only file would do, but tests may run as root, which
			// writes those anyway; SQLite's query_only fails every write
			// with SQLITE_READONLY, as a read-only file does.
			e.db.SetMaxOpenConns(1)
			if _, err := e.db.Exec(`PRAGMA query_only = 1`); err != nil {
				t.Fatal(err)
			}
		}},
		{"a closed database", func(t *testing.T, e *Emulator, dir string) { e.db.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			e := openFile(t, filepath.Join(dir, "em.db"))
			sc := inProcessClient(e)
			vs, err := sc.V1IdentityVerificationSessions.Create(ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
			if err != nil {
				t.Fatal(err)
			}
			if ok, reason := e.Ready(ctx); !ok {
				t.Fatalf("not ready before: %s", reason)
			}
			tt.breakIt(t, e, dir)

			ok, reason := e.Ready(ctx)
			if ok || !strings.HasPrefix(reason, StorageFailed) {
				t.Errorf("Ready() = %v, %q; want false with a reason that begins %q", ok, reason, StorageFailed)
			}
			_, err = sc.V1IdentityVerificationSessions.Create(ctx, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
			se := stripeErr(t, err, http.StatusServiceUnavailable, stripe.ErrorTypeAPI, StorageFailedCode, "")
			if !strings.HasPrefix(se.Msg, StorageFailed) {
				t.Errorf("message %q does not begin %q", se.Msg, StorageFailed)
			}
			if se.DocURL != "" {
				t.Errorf("doc_url %q for a code that is not Stripe's", se.DocURL)
			}
			if h := se.LastResponse.Header.Get("Stripe-Should-Retry"); h != "false" {
				t.Errorf("Stripe-Should-Retry = %q, want false", h)
			}
			_, err = sc.V1IdentityVerificationSessions.Cancel(ctx, vs.ID, nil)
			stripeErr(t, err, http.StatusServiceUnavailable, stripe.ErrorTypeAPI, StorageFailedCode, "")
		})
	}
}

func TestProcessingDelayZeroMeansNoDelay(t *testing.T) {
	clock := NewManualClock(epoch)
	e, err := New(context.Background(), Options{PublicURL: "http://emu.test", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	sc := inProcessClient(e)
	vs, err := sc.V1IdentityVerificationSessions.Create(context.Background(), &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Submit(context.Background(), tokenOf(t, vs.URL), outcomePass()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(0) // runs what is due now, and no later
	got, err := sc.V1IdentityVerificationSessions.Retrieve(context.Background(), vs.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "verified" {
		t.Fatalf("status %q with ProcessingDelay 0, want verified at once", got.Status)
	}
	if _, err := New(context.Background(), Options{ProcessingDelay: -time.Second}); err == nil {
		t.Fatal("a negative ProcessingDelay is accepted")
	}
}
