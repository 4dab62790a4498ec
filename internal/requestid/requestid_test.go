package requestid

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name     string
		incoming []string // X-Request-Id headers of the request
		keep     bool     // whether the incoming ID is kept
	}{
		{"a request without an ID gets a new one", nil, false},
		{"a well-formed ID is kept", []string{"req-2026.11_30-abcDEF"}, true},
		{"an ID of the maximum length is kept", []string{strings.Repeat("a", MaxLen)}, true},
		{"an ID over the maximum length is replaced", []string{strings.Repeat("a", MaxLen+1)}, false},
		{"an empty ID is replaced", []string{""}, false},
		{"an ID with a space is replaced", []string{"req 1"}, false},
		{"an ID that would forge a log line is replaced", []string{"x\nlevel=ERROR msg=forged"}, false},
		{"an ID with markup is replaced", []string{"<script>"}, false},
		{"an ID with a quote is replaced", []string{`a"b`}, false},
		{"an ID with non-ASCII letters is replaced", []string{"reqé"}, false},
		{"two IDs are replaced", []string{"a", "b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				seen = FromContext(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, v := range tt.incoming {
				req.Header.Add(Header, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(Header)
			if got != seen {
				t.Errorf("response header %q, context %q: want the same ID", got, seen)
			}
			if !Valid(got) {
				t.Errorf("ID %q is not valid", got)
			}
			if tt.keep && got != tt.incoming[0] {
				t.Errorf("ID %q, want the incoming %q kept", got, tt.incoming[0])
			}
			for _, v := range tt.incoming {
				if !tt.keep && got == v {
					t.Errorf("ID %q: want the incoming one replaced", got)
				}
			}
		})
	}
}

func TestNewIDsAreDistinctAndValid(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := New()
		if !Valid(id) || len(id) < 20 {
			t.Fatalf("New() = %q: want a valid ID of at least 20 characters", id)
		}
		if seen[id] {
			t.Fatalf("New() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestTheIDIsOnTheResponseEvenWhenTheHandlerFails(t *testing.T) {
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(Header, "support-ticket-42")
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get(Header); got != "support-ticket-42" {
		t.Errorf("X-Request-Id %q on a 500, want support-ticket-42", got)
	}
}

func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil)))
	// Wrapping twice must not add the ID twice.
	logger = slog.New(LogHandler(logger.Handler())).With("component", "test")

	h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "first")
		logger.LogAttrs(r.Context(), slog.LevelWarn, "second", slog.Int("n", 2))
		logger.Info("without a context")
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(Header, "abc-123")
	h.ServeHTTP(httptest.NewRecorder(), req)
	logger.InfoContext(context.Background(), "outside a request")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{"abc-123", "abc-123", "", ""}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		got, _ := rec[LogKey].(string)
		if got != want[i] {
			t.Errorf("line %d: request_id %q, want %q: %s", i, got, want[i], line)
		}
		if rec["component"] != "test" {
			t.Errorf("line %d lost the logger's attributes: %s", i, line)
		}
		if n := strings.Count(line, `"`+LogKey+`"`); n > 1 {
			t.Errorf("line %d has request_id %d times: %s", i, n, line)
		}
	}
}

func TestLogHandlerKeepsGroupsAndLevels(t *testing.T) {
	var buf bytes.Buffer
	base := slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})
	logger := slog.New(LogHandler(base))
	ctx := NewContext(context.Background(), "id-1")
	if logger.Enabled(ctx, slog.LevelInfo) {
		t.Error("Info enabled under a Warn handler")
	}
	logger.WithGroup("g").LogAttrs(ctx, slog.LevelError, "grouped", slog.String("k", "v"))
	if got := buf.String(); !strings.Contains(got, "g.k=v") || !strings.Contains(got, "g.request_id=id-1") {
		t.Errorf("log %q: want the group's attributes and the request ID", got)
	}
}
