package emulator

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

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
	cmd, line := startChildProcess(t, lockChildEnv, path)
	if line != "OPEN\n" {
		t.Fatalf("child: %q", line)
	}

	_, err := New(context.Background(), Options{Path: path})
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
