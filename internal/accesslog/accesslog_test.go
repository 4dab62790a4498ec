package accesslog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/idgraph/idgraph/internal/requestid"
)

// line is one access line as the JSON handler writes it.
type line map[string]any

func (l line) str(k string) string { s, _ := l[k].(string); return s }

// serve runs req through requestid, the access log and chi's Recoverer, as
// server.go mounts them, with routes added by route, and returns the
// captured log lines.
func serve(t *testing.T, req *http.Request, route func(chi.Router)) ([]line, *httptest.ResponseRecorder) {
	t.Helper()
	var buf bytes.Buffer
	logger := slog.New(requestid.LogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	r := chi.NewRouter()
	r.Use(requestid.Middleware, Middleware(logger), middleware.Recoverer)
	route(r)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	var lines []line
	for _, s := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if s == "" {
			continue
		}
		var l line
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("log line %q: %v", s, err)
		}
		lines = append(lines, l)
	}
	return lines, rec
}

// accessLine is the one access line among lines.
func accessLine(t *testing.T, lines []line) line {
	t.Helper()
	var found []line
	for _, l := range lines {
		if l.str("msg") == "http request" {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d access lines, want 1: %v", len(found), lines)
	}
	return found[0]
}

func TestAccessLine(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		path    string
		handler http.HandlerFunc
		want    map[string]any // fields of the line; nil means absent
	}{
		{
			name: "a plain request logs its route, status, size and no operation",
			path: "/healthz",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Write([]byte("ok\n"))
			},
			want: map[string]any{"level": "INFO", "method": "GET", "route": "/healthz", "status": 200.0, "bytes": 3.0,
				"outcome": "ok", "caller": "none", "operation": nil, "error_codes": nil},
		},
		{
			name: "a GraphQL query with errors is Info with its codes, whatever its status",
			path: "/graphql",
			handler: func(w http.ResponseWriter, r *http.Request) {
				SetCaller(r.Context(), "end_user")
				SetOperation(r.Context(), "Session", "query")
				AddErrorCodes(r.Context(), "NOT_FOUND", "UPSTREAM_UNAVAILABLE")
				AddErrorCodes(r.Context(), "NOT_FOUND")
				w.Write([]byte(`{"errors":[]}`))
			},
			want: map[string]any{"level": "INFO", "status": 200.0, "outcome": "error", "caller": "end_user",
				"operation": "Session", "operation_type": "query", "error_codes": "NOT_FOUND,UPSTREAM_UNAVAILABLE"},
		},
		{
			name: "an anonymous mutation logs its type",
			path: "/graphql",
			handler: func(_ http.ResponseWriter, r *http.Request) {
				SetOperation(r.Context(), "", "mutation")
			},
			want: map[string]any{"operation": "", "operation_type": "mutation", "outcome": "ok"},
		},
		{
			name: "a 4xx is Info",
			path: "/graphql",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
			},
			want: map[string]any{"level": "INFO", "status": 401.0, "outcome": "error"},
		},
		{
			name: "a 5xx is Error",
			path: "/graphql",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
			},
			want: map[string]any{"level": "ERROR", "status": 502.0, "outcome": "error"},
		},
		{
			name: "a panic is a 500 at Error (the Recoverer answers it)",
			path: "/graphql",
			handler: func(http.ResponseWriter, *http.Request) {
				panic("boom")
			},
			want: map[string]any{"level": "ERROR", "status": 500.0, "outcome": "error"},
		},
		{
			name:    "an unknown path logs no route of its own",
			path:    "/nowhere/vt_secret",
			want:    map[string]any{"route": "unmatched", "status": 404.0},
			handler: nil,
		},
		{
			name:   "a method of the client's invention is not echoed",
			method: "EVIL<script>",
			path:   "/any",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusNoContent)
			},
			want: map[string]any{"method": "OTHER"},
		},
		{
			name: "a client-chosen operation name that is no GraphQL name is not echoed",
			path: "/graphql",
			handler: func(_ http.ResponseWriter, r *http.Request) {
				SetOperation(r.Context(), "x\nlevel=ERROR msg=forged", "query")
			},
			want: map[string]any{"operation": "(invalid)"},
		},
		{
			name: "an operation name over 64 characters is not echoed",
			path: "/graphql",
			handler: func(_ http.ResponseWriter, r *http.Request) {
				SetOperation(r.Context(), strings.Repeat("A", 65), "query")
			},
			want: map[string]any{"operation": "(invalid)"},
		},
		{
			name: "error codes are bounded",
			path: "/graphql",
			handler: func(_ http.ResponseWriter, r *http.Request) {
				for _, c := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"} {
					AddErrorCodes(r.Context(), c)
				}
				AddErrorCodes(r.Context(), "not a code")
			},
			want: map[string]any{"error_codes": "A,B,C,D,E,F,G,H,(more)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			req.Method = method
			lines, _ := serve(t, req, func(r chi.Router) {
				r.Get("/healthz", func(http.ResponseWriter, *http.Request) {})
				if tt.handler != nil {
					r.HandleFunc(tt.path, tt.handler)
				}
			})
			l := accessLine(t, lines)
			for k, want := range tt.want {
				got, ok := l[k]
				switch {
				case want == nil && ok:
					t.Errorf("%s = %v, want it absent", k, got)
				case want != nil && got != want:
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
			if l.str(requestid.LogKey) == "" {
				t.Errorf("no request_id: %v", l)
			}
		})
	}
}

func TestTheLineCarriesTheResponsesRequestID(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set(requestid.Header, "trace-me-1")
	lines, rec := serve(t, req, func(r chi.Router) {
		r.Get("/healthz", func(http.ResponseWriter, *http.Request) {})
	})
	if got := accessLine(t, lines).str(requestid.LogKey); got != "trace-me-1" || rec.Header().Get(requestid.Header) != got {
		t.Errorf("request_id %q, header %q: want trace-me-1 in both", got, rec.Header().Get(requestid.Header))
	}
}

func TestAClientThatWentAwayIsNoError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil).WithContext(ctx)
	lines, _ := serve(t, req, func(r chi.Router) {
		r.Post("/graphql", func(w http.ResponseWriter, r *http.Request) {
			SetOperation(r.Context(), "Sessions", "query")
			cancel() // the client hangs up while Stripe is asked
			AddErrorCodes(r.Context(), "UPSTREAM_UNAVAILABLE")
			w.WriteHeader(http.StatusBadGateway)
		})
	})
	l := accessLine(t, lines)
	if l.str("level") != "INFO" || l.str("outcome") != OutcomeClientClosed {
		t.Errorf("level %s, outcome %s: want INFO, client_closed", l.str("level"), l.str("outcome"))
	}
}

func TestAnAbortedRequestStillGetsItsLine(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/stream", nil)
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler passed on", p)
		}
	}()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	h := Middleware(logger)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	defer func() {
		if !strings.Contains(buf.String(), `"outcome":"aborted"`) || !strings.Contains(buf.String(), `"level":"WARN"`) {
			t.Errorf("log %s: want an aborted line at WARN", buf.String())
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), req)
}

// Nothing a request carries in its path, query, headers or body reaches
// the log: not a bearer token, not a client secret, not the hosted page's
// URL token, not an end user's ID.
func TestNoSecretsInTheLog(t *testing.T) {
	const (
		bearer       = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyXzQyIn0.c2lnbmF0dXJl"
		clientSecret = "vs_1Abc_secret_Xyz789"
		urlToken     = "vt_Q2xpZW50VG9rZW4"
		subject      = "user_42"
	)
	for _, path := range []string{"/verify/" + urlToken, "/graphql?client_reference_id=" + subject + "&secret=" + clientSecret} {
		t.Run(path, func(t *testing.T) {
			body := `{"query":"query Q { s(secret: \"` + clientSecret + `\") }","variables":{"sub":"` + subject + `"}}`
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+bearer)
			req.Header.Set("Cookie", "session="+clientSecret)
			var buf bytes.Buffer
			logger := slog.New(requestid.LogHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
			r := chi.NewRouter()
			r.Use(requestid.Middleware, Middleware(logger), middleware.Recoverer)
			h := func(w http.ResponseWriter, r *http.Request) {
				SetCaller(r.Context(), "end_user")
				SetOperation(r.Context(), "Q", "query")
				AddErrorCodes(r.Context(), "FORBIDDEN")
				w.Write([]byte(`{"data":{"clientSecret":"` + clientSecret + `"}}`))
			}
			r.Post("/verify/{token}", h)
			r.Post("/graphql", h)
			r.ServeHTTP(httptest.NewRecorder(), req)
			log := buf.String()
			if !strings.Contains(log, "http request") {
				t.Fatalf("no access line: %s", log)
			}
			for _, secret := range []string{bearer, clientSecret, urlToken, subject, "Bearer", "secret"} {
				if strings.Contains(log, secret) {
					t.Errorf("the log holds %q: %s", secret, log)
				}
			}
		})
	}
}

func TestSettersOutsideARequestDoNothing(t *testing.T) {
	ctx := context.Background()
	SetCaller(ctx, "server")
	SetOperation(ctx, "Q", "query")
	AddErrorCodes(ctx, "NOT_FOUND")
}
