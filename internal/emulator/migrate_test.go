package emulator

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMigrationsRunOnceAndRefuseNewerSchemas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	for i := range 2 { // the second open finds the schema current
		e, err := New(ctx, Options{Path: path})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var v int
		if err := e.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(migrations) {
			t.Fatalf("user_version = %d, %v; want %d", v, err, len(migrations))
		}
		var mode string
		if err := e.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode = %q, %v", mode, err)
		}
		if i == 1 {
			if _, err := e.db.Exec("PRAGMA user_version = 99"); err != nil {
				t.Fatal(err)
			}
		}
		_ = e.Close()
	}
	if _, err := New(ctx, Options{Path: path}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("a newer schema was accepted: %v", err)
	}
}

func TestPendingTransitionsResumeAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	clock := NewManualClock(epoch)
	e, err := New(ctx, Options{Path: path, Clock: clock, ProcessingDelay: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var s *session
	if err := e.write(ctx, func(t *txn) error {
		s = &session{Type: "document"}
		return create(t, s)
	}); err != nil {
		t.Fatal(err)
	}
	e.issueLinks(s)
	if _, err := e.Submit(ctx, s.URLToken, outcomePass()); err != nil {
		t.Fatal(err)
	}
	_ = e.Close() // the timer dies with the process

	clock2 := NewManualClock(epoch.Add(30 * time.Second))
	e2, err := New(ctx, Options{Path: path, Clock: clock2, ProcessingDelay: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	clock2.Advance(29 * time.Second)
	if got, _ := selectSession(ctx, e2.db, s.ID); got.Status != statusProcessing {
		t.Fatalf("early: %q", got.Status)
	}
	clock2.Advance(time.Second)
	if got, _ := selectSession(ctx, e2.db, s.ID); got.Status != statusVerified {
		t.Fatalf("after the delay: %q", got.Status)
	}
}
