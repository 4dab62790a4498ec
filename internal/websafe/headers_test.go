package websafe

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestNoStore(t *testing.T) {
	tests := []struct {
		name string
		next http.HandlerFunc
		code int
	}{
		{"a 200 answer is not stored or sniffed", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(appBody)) }, http.StatusOK},
		{"an error answer is not stored or sniffed", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "internal error", http.StatusInternalServerError)
		}, http.StatusInternalServerError},
		{"an answer with no body is not stored or sniffed", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			NoStore(tt.next).ServeHTTP(w, httptest.NewRequest("GET", "/graphql", nil))
			if w.Code != tt.code {
				t.Errorf("status = %d, want %d", w.Code, tt.code)
			}
			if got := w.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
		})
	}
}
