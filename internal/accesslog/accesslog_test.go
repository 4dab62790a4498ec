package accesslog

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

func TestMiddlewareLogsTheRouteNotThePath(t *testing.T) {
	var buf bytes.Buffer
	r := chi.NewRouter()
	r.Use(Middleware(slog.New(slog.NewTextHandler(&buf, nil))))
	r.Get("/verify/{token}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/verify/vt_secret123", nil))
	line := buf.String()
	for _, want := range []string{"route=/verify/{token}", "status=418", "method=GET"} {
		if !strings.Contains(line, want) {
			t.Errorf("log lacks %s: %s", want, line)
		}
	}
	if strings.Contains(line, "vt_secret123") {
		t.Errorf("log holds the token: %s", line)
	}
}
