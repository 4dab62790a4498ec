package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// On the embedded emulator, its own events feed subscriptions: a session
// passed on the hosted page arrives as PROCESSING, then VERIFIED once its
// processing is done, with no webhook configured.
func TestEmulatorEventsReachSubscriptions(t *testing.T) {
	s := serveOnEmulator(t) // processing takes 2 s of its manual clock
	sess := s.create(t, map[string]any{"type": "DOCUMENT", "clientReferenceId": "user_42"})

	c := connectWS(t, s.url, nil) // development: full access without a credential
	c.subscribe("1", updatedQuery, map[string]any{"id": sess.ID})
	if got := status(t, c.next("1")); got != "REQUIRES_INPUT" {
		t.Fatalf("first update: %s, want REQUIRES_INPUT", got)
	}
	all := connectWS(t, s.url, nil)
	all.subscribe("2", `subscription { verificationSessionEvents { type sessionId session { id status } } }`, nil)

	// Sensitive fields come from a read of their own, with each update.
	sensitive := connectWS(t, s.url, nil)
	sensitive.subscribe("3", `subscription($id: ID!) { verificationSessionUpdated(id: $id) {
		status verifiedOutputs { firstName dob { year } idNumber } } }`, map[string]any{"id": sess.ID})
	if u := sensitive.next("3"); len(u.Errors) > 0 || !strings.Contains(string(u.Data), `"verifiedOutputs":null`) {
		t.Fatalf("sensitive subscription's first update: %s %+v", u.Data, u.Errors)
	}
	waitFor(t, "the subscriptions in the hub", func() bool { return s.hub.Stats().Subscriptions == 3 })

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(sess.URL, url.Values{"action": {"pass"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusOK {
		t.Fatalf("hosted page submit: %d", res.StatusCode)
	}
	if got := status(t, c.next("1")); got != "PROCESSING" {
		t.Fatalf("after the submission: %s, want PROCESSING", got)
	}
	s.clock.Advance(2 * time.Second)
	if got := status(t, c.next("1")); got != "VERIFIED" {
		t.Fatalf("after processing: %s, want VERIFIED", got)
	}
	// Processing, then verified; or verified alone, when it came before
	// the processing update was read: the latest state wins.
	for i := 0; ; i++ {
		u := sensitive.next("3")
		if len(u.Errors) > 0 {
			t.Fatalf("sensitive update %d: %+v", i, u.Errors)
		}
		if !strings.Contains(string(u.Data), `"status":"VERIFIED"`) {
			if i > 0 {
				t.Fatalf("sensitive update %d: %s, want VERIFIED", i, u.Data)
			}
			continue
		}
		if !strings.Contains(string(u.Data), `"verifiedOutputs":{"firstName":"Jenny","dob":{"year":1901}`) {
			t.Errorf("verified update: %s, want the verified name and date of birth", u.Data)
		}
		break
	}
	// The stream of every session's events saw both, in order.
	for _, want := range []string{"PROCESSING", "VERIFIED"} { // the event type's name, and the status
		u := all.next("2")
		if len(u.Errors) > 0 {
			t.Fatalf("events stream: %+v", u.Errors)
		}
		if got := string(u.Data); !strings.Contains(got, `"type":"`+want+`"`) || !strings.Contains(got, `"sessionId":"`+sess.ID+`"`) {
			t.Errorf("events stream: %s, want %s of %s", got, want, sess.ID)
		}
	}
}
