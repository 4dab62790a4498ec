package stripepath

import (
	"strings"
	"testing"
)

func TestTemplate(t *testing.T) {
	tests := []struct {
		name, path, want string
	}{
		{"a collection is itself", "/v1/identity/verification_sessions", "/v1/identity/verification_sessions"},
		{"a session's ID becomes {id}", "/v1/identity/verification_sessions/vs_1NuGXf2eZvKYlo2C", "/v1/identity/verification_sessions/{id}"},
		{"an action keeps its name", "/v1/identity/verification_sessions/vs_1NuGXf2eZvKYlo2C/cancel", "/v1/identity/verification_sessions/{id}/cancel"},
		{"redact keeps its name", "/v1/identity/verification_sessions/vs_abc/redact", "/v1/identity/verification_sessions/{id}/redact"},
		{"a report's ID becomes {id}", "/v1/identity/verification_reports/vr_1NuGXf2eZvKYlo2C", "/v1/identity/verification_reports/{id}"},
		{"an event's ID becomes {id}", "/v1/events/evt_1NuGXf2eZvKYlo2C", "/v1/events/{id}"},
		{"an ID of lower-case letters only is still an ID", "/v1/identity/verification_sessions/vs_abcdef", "/v1/identity/verification_sessions/{id}"},
		{"an ID that spells a word of another API is an ID", "/v1/identity/verification_sessions/customers", "/v1/identity/verification_sessions/{id}"},
		{"a query string is dropped", "/v1/identity/verification_sessions?client_reference_id=user_42&limit=10", "/v1/identity/verification_sessions"},
		{"an escaped slash stays inside its segment", "/v1/identity/verification_sessions/vs_a%2F..%2Fcustomers", "/v1/identity/verification_sessions/{id}"},
		{"an unknown endpoint reads {id} in its places", "/v1/customers/cus_123", "/v1/{id}/{id}"},
		{"the root is /", "/", "/"},
		{"an empty path is /", "", "/"},
		{"too deep a path is other", "/" + strings.Repeat("v1/", 9), Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Template(tt.path); got != tt.want {
				t.Errorf("Template(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}
