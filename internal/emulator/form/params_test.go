package form

import (
	"net/url"
	"strings"
	"testing"
)

func TestFormListKeepsIndexOrder(t *testing.T) {
	vals, _ := url.ParseQuery("expand[10]=c&expand[2]=b&expand[0]=a")
	f, _ := Parse(vals)
	if got := strings.Join(f.Get("expand").List(), ","); got != "a,b,c" {
		t.Fatalf("got %s", got)
	}
}
