package emulator

import (
	"regexp"
	"testing"
)

func TestIDsHaveStripesShape(t *testing.T) {
	tests := []struct {
		name string
		id   string
		re   string
	}{
		{"a session ID is vs_ and 24 alphanumerics", newID(prefixSession), `^vs_[A-Za-z0-9]{24}$`},
		{"a report ID is vr_ and 24 alphanumerics", newID(prefixReport), `^vr_[A-Za-z0-9]{24}$`},
		{"an event ID is evt_ and 24 alphanumerics", newID(prefixEvent), `^evt_[A-Za-z0-9]{24}$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !regexp.MustCompile(tt.re).MatchString(tt.id) {
				t.Fatalf("%q does not match %s", tt.id, tt.re)
			}
		})
	}
	if a, b := newID(prefixSession), newID(prefixSession); a == b {
		t.Fatal("two IDs are equal")
	}
}
