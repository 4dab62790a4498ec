package accesslog

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/idgraph/idgraph/internal/requestid"
)

// BenchmarkMiddleware is the access log's cost per request, with idgraph's
// logger (request IDs, text, a BufferedWriter) writing to a file
// (/dev/null), as to a redirected stderr: chi, requestid and the
// middleware around a handler that sets what GraphQL requests set.
//
//	go test -run '^$' -bench Middleware -benchmem ./internal/accesslog/
func BenchmarkMiddleware(b *testing.B) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	logger := slog.New(requestid.LogHandler(slog.NewTextHandler(NewBufferedWriter(f), nil)))
	unbuffered := slog.New(requestid.LogHandler(slog.NewTextHandler(f, nil)))
	for _, v := range []struct {
		name string
		mw   []func(http.Handler) http.Handler
	}{
		{"reference: without", []func(http.Handler) http.Handler{requestid.Middleware}},
		{"with the access log", []func(http.Handler) http.Handler{requestid.Middleware, Middleware(logger)}},
		{"with the access log, unbuffered", []func(http.Handler) http.Handler{requestid.Middleware, Middleware(unbuffered)}},
	} {
		b.Run(v.name, func(b *testing.B) {
			r := chi.NewRouter()
			r.Use(v.mw...)
			r.Post("/graphql", func(w http.ResponseWriter, r *http.Request) {
				SetCaller(r.Context(), "server")
				SetOperation(r.Context(), "Session", "query")
				w.Write([]byte(`{"data":{}}`))
			})
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				r.ServeHTTP(w, req)
			}
		})
	}
}
