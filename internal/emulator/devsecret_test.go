package emulator

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
)

func TestDevSigningSecret(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"the secret is 32 bytes and stays the same across reopening the file", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			first, err := LoadDevSigningSecret(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if len(first) != 32 || bytes.Equal(first, make([]byte, 32)) {
				t.Fatalf("secret = %x, want 32 random bytes", first)
			}
			again, err := LoadDevSigningSecret(ctx, path)
			if err != nil || !bytes.Equal(again, first) {
				t.Fatalf("reopened: %x, %v; want %x", again, err, first)
			}
		}},
		{"an open emulator and a second opener of its file see the same secret", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			e, err := New(ctx, Options{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			fromCLI, err := LoadDevSigningSecret(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			fromServer, err := e.DevSigningSecret(ctx)
			if err != nil || !bytes.Equal(fromServer, fromCLI) {
				t.Fatalf("emulator: %x, %v; LoadDevSigningSecret: %x", fromServer, err, fromCLI)
			}
		}},
		{"concurrent first use on a new file agrees on one secret", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			const n = 8
			got := make([][]byte, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n { // each call opens its own connections, like a process
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = LoadDevSigningSecret(ctx, path)
				}()
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("opener %d: %v", i, errs[i])
				}
				if !bytes.Equal(got[i], got[0]) {
					t.Fatalf("opener %d got %x, opener 0 got %x", i, got[i], got[0])
				}
			}
		}},
		{"an in-memory emulator keeps one secret for its lifetime and another has its own", func(t *testing.T) {
			a, err := New(ctx, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := New(ctx, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			a1, err1 := a.DevSigningSecret(ctx)
			a2, err2 := a.DevSigningSecret(ctx)
			b1, err3 := b.DevSigningSecret(ctx)
			if err1 != nil || err2 != nil || err3 != nil {
				t.Fatal(err1, err2, err3)
			}
			if len(a1) != 32 || !bytes.Equal(a1, a2) {
				t.Fatalf("a: %x then %x", a1, a2)
			}
			if bytes.Equal(a1, b1) {
				t.Fatalf("two in-memory emulators share secret %x", a1)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
