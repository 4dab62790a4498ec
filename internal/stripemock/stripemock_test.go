package stripemock

import (
	"net"
	"net/http"
	"testing"
)

// stripe-mock listens only on free loopback ports: a suite runs while
// anything holds its default ports (12111 HTTP, 12112 HTTPS).
func TestStartsWhileTheDefaultPortsAreTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs stripe-mock; skipped with -short")
	}
	for _, addr := range []string{"[::]:12112", "127.0.0.1:12111"} {
		if ln, err := net.Listen("tcp", addr); err == nil {
			t.Cleanup(func() { ln.Close() })
		} // else something holds it already: the point stands
	}
	base := Start(t)
	req, err := http.NewRequest(http.MethodGet, base+"/v1/identity/verification_sessions", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("sk_test_123", "")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("list: %d", res.StatusCode)
	}
}
