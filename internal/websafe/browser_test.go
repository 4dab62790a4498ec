package websafe

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/idgraph/idgraph/internal/browsertest"
)

// fetchScript POSTs to the API the way a GraphQL client in a page does, with
// a bearer token (which makes the request need a preflight), and reports
// what the page could read: the answer, an exposed and an unexposed header,
// or the error fetch failed with.
const fetchScript = `fetch(%s, {
  method: "POST",
  headers: {"Authorization": "Bearer x", "Content-Type": "application/json"},
  body: JSON.stringify({query: "{ ping }"}),
}).then(
  r => r.json().then(j => "ok " + j.authorization + " request-id=" + r.headers.get("X-Request-Id") + " secret=" + r.headers.get("X-Secret")),
  e => e.name + ": " + e.message)`

// TestBrowserCORS checks the CORS middleware against Chromium's own CORS
// enforcement: a page from an allowed origin calls the API on another port
// with a bearer token and reads the answer; a page from an origin not
// allowed gets nothing, and its POST never reaches the app.
func TestBrowserCORS(t *testing.T) {
	ctx := browsertest.Start(t, 60*time.Second)
	tests := []struct {
		name     string
		origins  []string
		pageHost string // the page's origin is http://pageHost:<its port>
		want     string // what the page reads
		wantPOST bool   // whether the POST reached the app
	}{
		{
			name:     "a page from 127.0.0.1 on another port reads the answer under the dev origins",
			origins:  DevOrigins(),
			pageHost: "127.0.0.1",
			want:     "ok Bearer x request-id=req_1 secret=null",
			wantPOST: true,
		},
		{
			name:     "a page from localhost reads the answer under the dev origins",
			origins:  DevOrigins(),
			pageHost: "localhost",
			want:     "ok Bearer x request-id=req_1 secret=null",
			wantPOST: true,
		},
		{
			name:     "a page from an origin not on the list fails to fetch",
			origins:  []string{"http://127.0.0.1:*"},
			pageHost: "localhost",
			want:     "TypeError: Failed to fetch",
		},
		{
			name:     "a page with no origins configured fails to fetch",
			origins:  nil,
			pageHost: "127.0.0.1",
			want:     "TypeError: Failed to fetch",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var posts atomic.Int32
			api := httptest.NewServer(HostCheck(AllowedHosts("", nil, true))(CORS(tt.origins)(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method != http.MethodPost {
						http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
						return
					}
					posts.Add(1)
					io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("X-Request-Id", "req_1")
					w.Header().Set("X-Secret", "not exposed")
					json.NewEncoder(w).Encode(map[string]string{"authorization": r.Header.Get("Authorization")})
				}))))
			t.Cleanup(api.Close)
			page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(w, "<!doctype html><title>app</title><p>app</p>")
			}))
			t.Cleanup(page.Close)
			pageURL := strings.Replace(page.URL, "127.0.0.1", tt.pageHost, 1) + "/"
			apiURL, _ := json.Marshal(api.URL + "/graphql")

			if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
				t.Fatalf("load %s: %v", pageURL, err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(fetchScript, apiURL), chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("the page at %s read %q, want %q", pageURL, got, tt.want)
			}
			if reached := posts.Load() > 0; reached != tt.wantPOST {
				t.Errorf("the POST reached the app = %v, want %v", reached, tt.wantPOST)
			}
		})
	}
}
