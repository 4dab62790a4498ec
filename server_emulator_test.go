package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idgraph/idgraph/internal/emulator"
	"github.com/idgraph/idgraph/internal/events"
)

// emulatorServer is idgraph on its embedded emulator, on a manual clock.
type emulatorServer struct {
	url   string
	clock *emulator.ManualClock
	// handler is idgraph's, to serve requests in process.
	handler http.Handler
	// hub is idgraph's live-updates hub.
	hub *events.Hub
}

func serveOnEmulator(t *testing.T) emulatorServer {
	t.Helper()
	return startOnEmulator(t, map[string]string{"IDGRAPH_EMULATOR_PROCESSING_DELAY": "2s"})
}

// startOnEmulator serves idgraph configured by vars (and defaults) on an
// in-memory emulator with a manual clock, at a free port that is its public
// URL.
func startOnEmulator(t *testing.T, vars map[string]string) emulatorServer {
	t.Helper()
	return startLogging(t, vars, slog.New(slog.DiscardHandler))
}

// startLogging is startOnEmulator with idgraph's log going to logger.
func startLogging(t *testing.T, vars map[string]string, logger *slog.Logger) emulatorServer {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	clock := emulator.NewManualClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	cfg := testConfig(t, mergeVars(map[string]string{"IDGRAPH_PUBLIC_URL": base}, vars))
	cfg.EmulatorDB = "" // in memory
	a, err := newApp(context.Background(), cfg, logger, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv.Config.Handler = a.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	return emulatorServer{url: base, clock: clock, handler: a.Handler, hub: a.hub}
}

// mergeVars returns the variables of all maps, later ones winning.
func mergeVars(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// gql runs one operation that must succeed and decodes its data into out.
func (s emulatorServer) gql(t *testing.T, query string, vars map[string]any, out any) {
	t.Helper()
	resp := postGraphQL(t, s.url, query, vars)
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %s", resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		t.Fatalf("decode %s: %v", resp.Data, err)
	}
}

type session struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	URL      string `json:"url"`
	Metadata []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"metadata"`
}

type payload struct {
	VerificationSession *session `json:"verificationSession"`
	UserErrors          []struct {
		Field   []string `json:"field"`
		Message string   `json:"message"`
		Code    string   `json:"code"`
	} `json:"userErrors"`
}

type pageInfo struct {
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	StartCursor     *string `json:"startCursor"`
	EndCursor       *string `json:"endCursor"`
}

const pageQuery = `query($first: Int, $after: String, $last: Int, $before: String, $filter: VerificationSessionFilter) {
	verificationSessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
		edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

// page reads one page of the connection.
func (s emulatorServer) page(t *testing.T, vars map[string]any) (ids []string, info pageInfo) {
	t.Helper()
	var out struct {
		VerificationSessions struct {
			Edges []struct {
				Cursor string  `json:"cursor"`
				Node   session `json:"node"`
			} `json:"edges"`
			PageInfo pageInfo `json:"pageInfo"`
		} `json:"verificationSessions"`
	}
	s.gql(t, pageQuery, vars, &out)
	for _, e := range out.VerificationSessions.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids, out.VerificationSessions.PageInfo
}

func (s emulatorServer) create(t *testing.T, input map[string]any) session {
	t.Helper()
	var out struct{ CreateVerificationSession payload }
	s.gql(t, `mutation($input: CreateVerificationSessionInput!) { createVerificationSession(input: $input) {
		verificationSession { id status url metadata { key value } } userErrors { field message code } } }`,
		map[string]any{"input": input}, &out)
	if p := out.CreateVerificationSession; len(p.UserErrors) > 0 || p.VerificationSession == nil {
		t.Fatalf("create: %+v", p)
	}
	return *out.CreateVerificationSession.VerificationSession
}

// TestEmulatorEndToEnd walks a verification's whole life through GraphQL on
// the embedded emulator, as a frontend developer would.
func TestEmulatorEndToEnd(t *testing.T) {
	s := serveOnEmulator(t)

	// 250 sessions, one a second, every third for "user_3".
	var created []string // oldest first
	for i := range 250 {
		ref := fmt.Sprintf("user_%d", i%3)
		created = append(created, s.create(t, map[string]any{"type": "DOCUMENT", "clientReferenceId": ref}).ID)
		s.clock.Advance(time.Second)
	}
	newestFirst := slices.Clone(created)
	slices.Reverse(newestFirst)

	t.Run("a created session is retrieved", func(t *testing.T) {
		var out struct{ VerificationSession session }
		s.gql(t, `query($id: ID!) { verificationSession(id: $id) { id status url } }`, map[string]any{"id": created[0]}, &out)
		if out.VerificationSession.ID != created[0] || out.VerificationSession.Status != "REQUIRES_INPUT" || out.VerificationSession.URL == "" {
			t.Errorf("got %+v", out.VerificationSession)
		}
	})

	t.Run("paging forward then backward visits every session in list order", func(t *testing.T) {
		var forward []string
		vars := map[string]any{"first": 40}
		for {
			ids, info := s.page(t, vars)
			forward = append(forward, ids...)
			if wantPrev := len(forward) > len(ids); info.HasPreviousPage != wantPrev {
				t.Fatalf("after %d sessions: hasPreviousPage %v", len(forward), info.HasPreviousPage)
			}
			if !info.HasNextPage {
				break
			}
			vars = map[string]any{"first": 40, "after": *info.EndCursor}
		}
		if !slices.Equal(forward, newestFirst) {
			t.Fatalf("forward: %d sessions, want the %d created, newest first", len(forward), len(newestFirst))
		}
		// Back from the oldest session, whose cursor ends the last page.
		_, last := s.page(t, map[string]any{"first": 10, "after": encodeTestCursor(created[1])})
		var backward []string
		vars = map[string]any{"last": 40, "before": *last.EndCursor}
		for {
			ids, info := s.page(t, vars)
			backward = append(ids, backward...)
			if !info.HasNextPage {
				t.Fatal("a page read before a cursor must have a next page")
			}
			if !info.HasPreviousPage {
				break
			}
			vars = map[string]any{"last": 40, "before": *info.StartCursor}
		}
		if !slices.Equal(backward, newestFirst[:249]) {
			t.Fatalf("backward: %d sessions, want the 249 before the oldest, newest first", len(backward))
		}
	})

	t.Run("filters narrow the pages", func(t *testing.T) {
		var got []string
		vars := map[string]any{"first": 100, "filter": map[string]any{"clientReferenceId": "user_1", "status": "REQUIRES_INPUT"}}
		for {
			ids, info := s.page(t, vars)
			got = append(got, ids...)
			if !info.HasNextPage {
				break
			}
			vars["after"] = *info.EndCursor
		}
		var want []string
		for i := len(created) - 1; i >= 0; i-- {
			if i%3 == 1 {
				want = append(want, created[i])
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("user_1: got %d sessions, want %d", len(got), len(want))
		}
		// Session i was created at 12:00:00 + i seconds.
		ids, _ := s.page(t, map[string]any{"first": 100, "filter": map[string]any{"created": map[string]any{
			"gte": "2026-11-26T12:00:10Z", "lt": "2026-11-26T12:00:20Z"}}})
		if !slices.Equal(ids, newestFirst[230:240]) {
			t.Errorf("created in [10s, 20s): got %v", ids)
		}
	})

	id := created[0]
	t.Run("metadata is set, unset one key at a time, and cleared", func(t *testing.T) {
		update := func(metadata any) []string {
			t.Helper()
			var out struct{ UpdateVerificationSession payload }
			s.gql(t, `mutation($input: UpdateVerificationSessionInput!) { updateVerificationSession(input: $input) {
				verificationSession { id metadata { key value } } userErrors { field message code } } }`,
				map[string]any{"input": map[string]any{"id": id, "metadata": metadata}}, &out)
			p := out.UpdateVerificationSession
			if len(p.UserErrors) > 0 {
				t.Fatalf("update: %+v", p.UserErrors)
			}
			var kv []string
			for _, e := range p.VerificationSession.Metadata {
				kv = append(kv, e.Key+"="+e.Value)
			}
			return kv
		}
		entry := func(k string, v any) map[string]any { return map[string]any{"key": k, "value": v} }
		if got := update([]any{entry("plan", "pro"), entry("team", "a"), entry("seat", "3")}); !slices.Equal(got, []string{"plan=pro", "seat=3", "team=a"}) {
			t.Errorf("set: %v", got)
		}
		if got := update([]any{entry("team", ""), entry("seat", nil)}); !slices.Equal(got, []string{"plan=pro"}) {
			t.Errorf("unset: %v", got)
		}
		update([]any{entry("x", "1")})
		if got := update([]any{}); len(got) != 0 {
			t.Errorf("clear: %v", got)
		}
	})

	t.Run("cancel, then cancel again is a clear userError", func(t *testing.T) {
		cancel := func() payload {
			var out struct{ CancelVerificationSession payload }
			s.gql(t, `mutation($id: ID!) { cancelVerificationSession(input: {id: $id}) {
				verificationSession { id status } userErrors { field message code } } }`, map[string]any{"id": id}, &out)
			return out.CancelVerificationSession
		}
		if p := cancel(); p.VerificationSession == nil || p.VerificationSession.Status != "CANCELED" {
			t.Fatalf("cancel: %+v", p)
		}
		p := cancel()
		if p.VerificationSession != nil || len(p.UserErrors) != 1 || p.UserErrors[0].Code != "INVALID_STATE" || p.UserErrors[0].Message == "" {
			t.Fatalf("cancel again: %+v", p)
		}
	})

	t.Run("a session passed on the hosted page reads as verified with its outputs and report", func(t *testing.T) {
		sess := s.create(t, map[string]any{"type": "DOCUMENT", "returnUrl": "https://shop.example/done"})
		if !strings.HasPrefix(sess.URL, s.url+"/verify/") {
			t.Fatalf("url %q is not on idgraph", sess.URL)
		}
		page, err := http.Get(sess.URL)
		if err != nil {
			t.Fatal(err)
		}
		page.Body.Close()
		if page.StatusCode != http.StatusOK {
			t.Fatalf("hosted page: %d", page.StatusCode)
		}
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noRedirect.PostForm(sess.URL, url.Values{"action": {"pass"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "https://shop.example/done" {
			t.Fatalf("submit: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		status := func() string {
			var out struct{ VerificationSession session }
			s.gql(t, `query($id: ID!) { verificationSession(id: $id) { id status } }`, map[string]any{"id": sess.ID}, &out)
			return out.VerificationSession.Status
		}
		if got := status(); got != "PROCESSING" {
			t.Fatalf("after submit: %s", got)
		}
		s.clock.Advance(2 * time.Second)

		var out struct {
			VerificationSession struct {
				Status          string
				URL             *string
				VerifiedOutputs *struct {
					FirstName string
					LastName  string
					Dob       *struct{ Year int }
				}
				LastVerificationReport *struct {
					ID       string
					Document *struct{ Status string }
				}
			}
		}
		s.gql(t, `query($id: ID!) { verificationSession(id: $id) { status url
			verifiedOutputs { firstName lastName dob { year } }
			lastVerificationReport { id document { status } } } }`, map[string]any{"id": sess.ID}, &out)
		v := out.VerificationSession
		switch {
		case v.Status != "VERIFIED":
			t.Errorf("status %s", v.Status)
		case v.URL != nil:
			t.Errorf("a verified session still has a url")
		case v.VerifiedOutputs == nil || v.VerifiedOutputs.FirstName == "" || v.VerifiedOutputs.Dob == nil:
			t.Errorf("verifiedOutputs %+v", v.VerifiedOutputs)
		case v.LastVerificationReport == nil || v.LastVerificationReport.Document == nil || v.LastVerificationReport.Document.Status != "VERIFIED":
			t.Errorf("lastVerificationReport %+v", v.LastVerificationReport)
		}
	})
}

// encodeTestCursor builds a cursor the way idgraph does, to start a page at
// a known session. Clients get cursors from idgraph; the test knows better.
func encodeTestCursor(id string) string {
	return strings.TrimRight(base64URL("session:"+id), "=")
}
