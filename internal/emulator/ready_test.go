package emulator

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestReady(t *testing.T) {
	path := filepath.Join(t.TempDir(), "em.db")
	e, err := New(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if ok, reason := e.Ready(t.Context()); !ok {
		t.Fatalf("a fresh database is not ready: %s", reason)
	}
	var n int
	if err := e.db.QueryRowContext(t.Context(), `SELECT count(*) FROM settings WHERE name = 'readiness-probe'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the probe left %d rows (%v)", n, err)
	}
	// A database that cannot be written is not ready. (A read-only file
	// would do, but CI runs as root, which writes those anyway.)
	e.db.Close()
	if ok, reason := e.Ready(t.Context()); ok || !strings.HasPrefix(reason, StorageFailed) {
		t.Errorf("Ready() = %v, %q on a closed database", ok, reason)
	}
}
