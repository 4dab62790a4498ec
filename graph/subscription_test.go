package graph

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/idgraph/idgraph/graph/model"
	"github.com/idgraph/idgraph/internal/events"
)

// The schema's event types are the hub's catalogue (events.Types), each
// without its prefix in upper case, and UNKNOWN: one list, in one place.
func TestEventTypesFollowTheHubsCatalogue(t *testing.T) {
	var want []model.VerificationSessionEventType
	for _, typ := range events.Types {
		e := eventType(typ)
		if e == model.VerificationSessionEventTypeUnknown {
			t.Errorf("%s reads as UNKNOWN", typ)
		}
		if back := stripeEventType(e); back != typ {
			t.Errorf("%s → %s → %s", typ, e, back)
		}
		want = append(want, e)
	}
	want = append(want, model.VerificationSessionEventTypeUnknown)
	if !slices.Equal(model.AllVerificationSessionEventType, want) {
		t.Errorf("the schema's event types are %v, want %v (events.Types and UNKNOWN, in order)", model.AllVerificationSessionEventType, want)
	}
	for _, typ := range []string{events.TypePrefix + "reviewed", "identity.verification_report.created", ""} {
		if e := eventType(typ); e != model.VerificationSessionEventTypeUnknown {
			t.Errorf("eventType(%q) = %s, want UNKNOWN", typ, e)
		}
	}
}

func TestEventFilter(t *testing.T) {
	id := func(s string) *string { return &s }
	tests := []struct {
		name string
		in   *model.VerificationSessionEventFilter
		want events.Filter
		bad  string // the field at fault, when refused
	}{
		{"no filter is every event", nil, events.Filter{}, ""},
		{"an empty filter is every event", &model.VerificationSessionEventFilter{Types: []model.VerificationSessionEventType{}}, events.Filter{}, ""},
		{"types become Stripe's", &model.VerificationSessionEventFilter{Types: []model.VerificationSessionEventType{"VERIFIED", "REQUIRES_INPUT"}},
			events.Filter{Types: []string{"identity.verification_session.verified", "identity.verification_session.requires_input"}}, ""},
		{"a session", &model.VerificationSessionEventFilter{SessionID: id("vs_1")}, events.Filter{SessionID: "vs_1"}, ""},
		{"UNKNOWN is refused", &model.VerificationSessionEventFilter{Types: []model.VerificationSessionEventType{"VERIFIED", "UNKNOWN"}}, events.Filter{}, "filter.types.1"},
		{"an ID that is no session's is refused", &model.VerificationSessionEventFilter{SessionID: id("vs_1/cancel")}, events.Filter{}, "filter.sessionId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eventFilter(tt.in)
			if tt.bad != "" {
				in, ok := err.(*inputError)
				if !ok || strings.Join(in.field, ".") != tt.bad || in.code != CodeBadUserInput {
					t.Errorf("error %#v, want BAD_USER_INPUT at %s", err, tt.bad)
				}
				return
			}
			if err != nil || got.SessionID != tt.want.SessionID || !slices.Equal(got.Types, tt.want.Types) || got.Delivery != events.Every {
				t.Errorf("eventFilter = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header, token string
	}{
		{"Bearer abc.def", "abc.def"},
		{"bearer abc", "abc"},
		{"  BEARER   abc  ", "abc"},
		{"Basic abc", ""},
		{"Bearer", ""},
		{"Bearer ", ""},
		{"Bearer a b", ""},
		{"abc", ""},
	}
	for _, tt := range tests {
		token, ok := bearerToken(tt.header)
		if token != tt.token || ok != (tt.token != "") {
			t.Errorf("bearerToken(%q) = %q, %v; want %q", tt.header, token, ok, tt.token)
		}
	}
}

func TestCloseReasonFitsAFrame(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	got := closeReason(long)
	if len(got) > maxCloseReason || !strings.HasPrefix(long, got) || len(got) != 122 {
		t.Errorf("closeReason cut %d bytes to %d: %q", len(long), len(got), got)
	}
	if got := closeReason("short"); got != "short" {
		t.Errorf("closeReason(short) = %q", got)
	}
}

func TestUpgradeChecks(t *testing.T) {
	valid := func() *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "/graphql", nil)
		r.Header.Set("Connection", "keep-alive, Upgrade")
		r.Header.Set("Upgrade", "websocket")
		r.Header.Set("Sec-WebSocket-Version", "13")
		r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		return r
	}
	tests := []struct {
		name   string
		change func(r *http.Request)
		ok     bool
	}{
		{"a valid handshake", func(*http.Request) {}, true},
		{"another upgrade", func(r *http.Request) { r.Header.Set("Upgrade", "h2c") }, false},
		{"a POST", func(r *http.Request) { r.Method = http.MethodPost }, false},
		{"no Connection: Upgrade", func(r *http.Request) { r.Header.Set("Connection", "keep-alive") }, false},
		{"another version", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Version", "8") }, false},
		{"no key", func(r *http.Request) { r.Header.Del("Sec-WebSocket-Key") }, false},
		{"a short key", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "c2hvcnQ=") }, false},
		{"two keys", func(r *http.Request) { r.Header.Add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.change(r)
			e := checkUpgrade(r)
			if (e == nil) != tt.ok {
				t.Errorf("checkUpgrade = %+v, want ok %v", e, tt.ok)
			}
			if e != nil && (e.status != http.StatusBadRequest || e.code != CodeBadRequest) {
				t.Errorf("refused with %d %s, want 400 BAD_REQUEST", e.status, e.code)
			}
		})
	}
}

func TestIsLongLived(t *testing.T) {
	req := func(method string, header ...string) *http.Request {
		r, _ := http.NewRequest(method, "/graphql", nil)
		for i := 0; i < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
	tests := []struct {
		name      string
		r         *http.Request
		longLived bool
		webSocket bool
	}{
		{"a WebSocket upgrade", req("GET", "Upgrade", "websocket", "Connection", "Upgrade"), true, true},
		{"any upgrade (refused by the transport)", req("GET", "Upgrade", "h2c"), true, false},
		{"an SSE POST", req("POST", "Accept", "text/event-stream", "Content-Type", "application/json"), true, false},
		{"an SSE GET is a query", req("GET", "Accept", "text/event-stream"), false, false},
		{"a POST", req("POST", "Content-Type", "application/json"), false, false},
		{"a GET", req("GET"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsLongLived(tt.r); got != tt.longLived {
				t.Errorf("IsLongLived = %v", got)
			}
			if got := IsWebSocket(tt.r); got != tt.webSocket {
				t.Errorf("IsWebSocket = %v", got)
			}
		})
	}
}
