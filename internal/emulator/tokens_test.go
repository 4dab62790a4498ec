package emulator

import (
	"context"
	"encoding/hex"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/idgraph/idgraph/internal/emulator/hostedpage"
	"github.com/stripe/stripe-go/v85"
)

// link is one of a session's links, url token or client secret, with the
// check that accepts it.
type link struct {
	kind  string // "url" or "client secret"
	value string
}

// open asks the emulator whether l opens session id: the hosted page's
// lookup for a url, the client secret check for a secret.
func (h *harness) open(t *testing.T, l link) (string, error) {
	t.Helper()
	ctx := context.Background()
	if l.kind == "url" {
		s, err := h.e.SessionByToken(ctx, l.value)
		return s.ID, err
	}
	s, err := h.e.sessionByClientSecret(ctx, h.e.db, l.value)
	if errors.Is(err, errNotFound) {
		return "", hostedpage.ErrNotFound // one verdict for both kinds
	}
	if err != nil {
		return "", err
	}
	return s.ID, nil
}

// linksOf returns the links of a session as stripe-go got them.
func linksOf(t *testing.T, vs *stripe.IdentityVerificationSession) []link {
	t.Helper()
	if vs.URL == "" || vs.ClientSecret == "" {
		t.Fatalf("session %s (%s) has no links", vs.ID, vs.Status)
	}
	return []link{{"url", tokenOf(t, vs.URL)}, {"client secret", vs.ClientSecret}}
}

func (h *harness) wantOpens(t *testing.T, id string, links ...link) {
	t.Helper()
	for _, l := range links {
		if got, err := h.open(t, l); err != nil || got != id {
			t.Errorf("the %s %s opens %q, %v; want session %s", l.kind, l.value, got, err, id)
		}
	}
}

func (h *harness) wantRefused(t *testing.T, links ...link) {
	t.Helper()
	for _, l := range links {
		if got, err := h.open(t, l); !errors.Is(err, hostedpage.ErrNotFound) {
			t.Errorf("the %s %s opens %q, %v; want it refused", l.kind, l.value, got, err)
		}
	}
}

func TestReadsNeverWrite(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	vs := h.create(t, nil)
	verified := h.create(t, nil)
	h.submit(t, verified, "")
	h.clock.Advance(testDelay)
	if h.e.writeTxns.Load() == 0 {
		t.Fatal("the write counter counted no write for two creates and a submission")
	}

	before := h.e.writeTxns.Load()
	seen := map[string]bool{}
	var all []link
	for _, l := range linksOf(t, vs) {
		seen[l.value] = true
		all = append(all, l)
	}
	const n = 150 // more than the 100 links per session the stored tokens were capped at
	for i := range n {
		got := h.retrieve(t, vs.ID)
		for _, l := range linksOf(t, got) {
			if seen[l.value] {
				t.Fatalf("retrieve %d handed out a %s again: %s", i, l.kind, l.value)
			}
			seen[l.value] = true
			all = append(all, l)
		}
	}
	// The other reads: a verified session with its report and a sensitive
	// result, an unknown session, lists, events, the hosted page.
	h.retrieveWith(t, h.rk, verified.ID, "last_verification_report", "verified_outputs", "verified_outputs.dob")
	if _, err := h.sc.V1IdentityVerificationSessions.Retrieve(ctx, "vs_unknown", nil); err == nil {
		t.Fatal("retrieve of an unknown session succeeded")
	}
	lp := &stripe.IdentityVerificationSessionListParams{}
	lp.Limit = stripe.Int64(100)
	for s, err := range h.sc.V1IdentityVerificationSessions.List(ctx, lp).All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if s.ID == vs.ID {
			for _, l := range linksOf(t, s) {
				if seen[l.value] {
					t.Errorf("the list repeated a %s", l.kind)
				}
				all = append(all, l)
			}
		}
	}
	for _, err := range h.sc.V1IdentityVerificationReports.List(ctx, &stripe.IdentityVerificationReportListParams{}).All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range h.sc.V1Events.List(ctx, &stripe.EventListParams{}).All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
	}
	h.wantOpens(t, vs.ID, all...) // every link handed out still works, the first one too

	if w := h.e.writeTxns.Load() - before; w != 0 {
		t.Errorf("%d retrieves, lists and link checks began %d write transactions, want none", n, w)
	}
	var stored int
	if err := h.e.db.QueryRow(`SELECT count(*) FROM session_tokens`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Errorf("%d url tokens stored, want none", stored)
	}
}

func TestLinksExpire(t *testing.T) {
	tests := []struct {
		name  string
		kind  string // of the link checked
		after time.Duration
		works bool
	}{
		{"a url works 48 hours after its retrieve", "url", 48 * time.Hour, true},
		{"a url is refused 48 hours and a second after its retrieve", "url", 48*time.Hour + time.Second, false},
		{"a client secret works 24 hours after its retrieve", "client secret", 24 * time.Hour, true},
		{"a client secret is refused 24 hours and a second after its retrieve", "client secret", 24*time.Hour + time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			vs := h.create(t, nil)
			h.clock.Advance(time.Hour) // the lifetime runs from the retrieve, not the creation
			var l link
			for _, c := range linksOf(t, h.retrieve(t, vs.ID)) {
				if c.kind == tt.kind {
					l = c
				}
			}
			h.clock.Advance(tt.after)
			if tt.works {
				h.wantOpens(t, vs.ID, l)
			} else {
				h.wantRefused(t, l)
			}
			if tt.kind != "url" {
				return
			}
			_, err := h.e.Submit(context.Background(), l.value, hostedpage.Outcome{Abandon: true})
			if tt.works != (err == nil) {
				t.Errorf("Submit: %v, want it to succeed: %v", err, tt.works)
			}
		})
	}
}

func TestASubmissionSpendsEveryLink(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		outcome string // as harness.submit takes it
		advance time.Duration
	}{
		{"an abandoned submission", "abandoned", 0},
		{"a failed submission, once processed", "document_expired", testDelay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			vs := h.create(t, nil)
			first := linksOf(t, vs)
			second := h.retrieve(t, vs.ID)
			third := linksOf(t, h.retrieve(t, vs.ID))
			h.submit(t, second, tt.outcome) // the second url
			h.clock.Advance(tt.advance)

			spent := append(append(first, linksOf(t, second)...), third...)
			h.wantRefused(t, spent...)
			if _, err := h.e.Submit(ctx, tokenOf(t, second.URL), hostedpage.Outcome{Abandon: true}); !errors.Is(err, hostedpage.ErrNotFound) {
				t.Errorf("a url submitted again: %v, want ErrNotFound", err)
			}
			// The session awaits input again: a retrieve gives links that work.
			again := h.retrieve(t, vs.ID)
			if again.Status != stripe.IdentityVerificationSessionStatusRequiresInput {
				t.Fatalf("status %q", again.Status)
			}
			h.wantOpens(t, vs.ID, linksOf(t, again)...)
			if _, err := h.e.Submit(ctx, tokenOf(t, again.URL), hostedpage.Outcome{}); err != nil {
				t.Fatalf("the new url: %v", err)
			}
		})
	}
}

func TestCancelAndRedactLeaveLinksToTheirPage(t *testing.T) {
	// As before links were signed: a canceled or redacted session's url
	// still finds it, and the hosted page says it cannot be submitted.
	for _, action := range []string{"cancel", "redact"} {
		t.Run(action, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			vs := h.create(t, nil)
			var err error
			if action == "cancel" {
				_, err = h.sc.V1IdentityVerificationSessions.Cancel(ctx, vs.ID, nil)
			} else {
				_, err = h.sc.V1IdentityVerificationSessions.Redact(ctx, vs.ID, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := h.retrieve(t, vs.ID); got.URL != "" || got.ClientSecret != "" {
				t.Errorf("a %sed session shows url %q, client secret %q", action, got.URL, got.ClientSecret)
			}
			s, err := h.e.SessionByToken(ctx, tokenOf(t, vs.URL))
			if err != nil || s.Status != "canceled" {
				t.Errorf("SessionByToken: %+v, %v", s, err)
			}
			if _, err := h.e.Submit(ctx, tokenOf(t, vs.URL), outcomePass()); !errors.Is(err, hostedpage.ErrNotSubmittable) {
				t.Errorf("Submit: %v, want ErrNotSubmittable", err)
			}
		})
	}
}

func TestForgedLinksAreRefused(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	vs := h.create(t, nil)
	other := h.create(t, nil)
	s, err := selectSession(ctx, h.e.db, vs.ID)
	if err != nil {
		t.Fatal(err)
	}
	token := tokenOf(t, vs.URL)
	_, ust, ok := parseURLToken(token)
	if !ok {
		t.Fatalf("the emulator's own url token %q does not parse", token)
	}
	_, sst, ok := parseClientSecret(vs.ClientSecret)
	if !ok {
		t.Fatalf("the emulator's own client secret %q does not parse", vs.ClientSecret)
	}
	now := h.clock.Now()
	foreign := newHarness(t).e.links // another database's key
	with := func(st stamp, f func(*stamp)) stamp {
		st.nonce = append([]byte(nil), st.nonce...)
		st.mac = append([]byte(nil), st.mac...)
		f(&st)
		return st
	}
	signed := func(purpose, id string, gen int64, size int) stamp {
		st := stamp{issued: now.Unix(), nonce: make([]byte, size)}
		st.mac = h.e.links.sum(purpose, id, gen, st.issued, st.nonce)
		return st
	}

	urls := []struct{ name, token string }{
		{"another session's ID under this token's signature", encodeURLToken(other.ID, ust)},
		{"a later issue time, to live longer", encodeURLToken(vs.ID, with(ust, func(st *stamp) { st.issued += 3600 }))},
		{"another nonce", encodeURLToken(vs.ID, with(ust, func(st *stamp) { st.nonce[0] ^= 1 }))},
		{"a bit of the MAC flipped", encodeURLToken(vs.ID, with(ust, func(st *stamp) { st.mac[31] ^= 1 }))},
		{"a MAC cut short", encodeURLToken(vs.ID, with(ust, func(st *stamp) { st.mac = st.mac[:16] }))},
		{"signed with another database's key", foreign.urlToken(s, now)},
		{"signed as a client secret", encodeURLToken(vs.ID, signed(purposeClientSecret, vs.ID, 0, urlNonceLen))},
		{"signed for a later generation", encodeURLToken(vs.ID, signed(purposeURL, vs.ID, 1, urlNonceLen))},
		{"signed for a session that does not exist", encodeURLToken("vs_nope", signed(purposeURL, "vs_nope", 0, urlNonceLen))},
		{"signed for an ID that is no session's", encodeURLToken("vr_nope", signed(purposeURL, "vr_nope", 0, urlNonceLen))},
		{"an unknown token of the stored kind", "vt_" + strings.Repeat("ab", 32)},
		{"the client secret", vs.ClientSecret},
		{"empty", ""},
		{"the prefix alone", "vt_"},
		{"not base64", "vt_" + strings.Repeat("!", 100)},
		{"the token with a character more", token + "A"},
		{"the token uppercased", strings.ToUpper(token)},
	}
	for _, tt := range urls {
		t.Run("url: "+tt.name, func(t *testing.T) {
			h.wantRefused(t, link{"url", tt.token})
			if _, err := h.e.Submit(ctx, tt.token, outcomePass()); !errors.Is(err, hostedpage.ErrNotFound) {
				t.Errorf("Submit: %v, want ErrNotFound", err)
			}
		})
	}
	secrets := []struct{ name, secret string }{
		{"another session's ID under this secret's signature", encodeClientSecret(other.ID, sst)},
		{"a later issue time, to live longer", encodeClientSecret(vs.ID, with(sst, func(st *stamp) { st.issued += 3600 }))},
		{"a bit of the MAC flipped", encodeClientSecret(vs.ID, with(sst, func(st *stamp) { st.mac[0] ^= 1 }))},
		{"signed with another database's key", foreign.clientSecret(s, now)},
		{"signed as a url", encodeClientSecret(vs.ID, with(signed(purposeURL, vs.ID, 0, secretNonceLen), func(st *stamp) { st.mac = st.mac[:secretMACLen] }))},
		{"more than 136 bits under the 24 characters", vs.ID + "_secret_" + strings.Repeat("Z", 24)},
		{"a sign in the digits", vs.ID + "_secret_-" + strings.Repeat("1", 23)},
		{"a character short", vs.ClientSecret[:len(vs.ClientSecret)-1]},
		{"the url token", token},
		{"empty", ""},
	}
	for _, tt := range secrets {
		t.Run("client secret: "+tt.name, func(t *testing.T) {
			h.wantRefused(t, link{"client secret", tt.secret})
		})
	}
	h.wantOpens(t, vs.ID, linksOf(t, vs)...) // none of that spent the real ones
}

func TestLinksHaveStripesShape(t *testing.T) {
	h := newHarness(t)
	vs := h.create(t, nil)
	for _, c := range []struct{ what, value, re string }{
		{"client secret", vs.ClientSecret, `^` + vs.ID + `_secret_[A-Za-z0-9]{24}$`},
		{"url", vs.URL, `^http://emu\.test/verify/vt_[A-Za-z0-9_-]+$`},
	} {
		if !regexp.MustCompile(c.re).MatchString(c.value) {
			t.Errorf("%s %q does not match %s", c.what, c.value, c.re)
		}
	}
}

func TestLinksOutliveARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "links.db")
	clock := NewManualClock(epoch)
	e, err := New(ctx, Options{Path: path, Clock: clock, ProcessingDelay: testDelay})
	if err != nil {
		t.Fatal(err)
	}
	s := &session{Type: "document"}
	if err := e.write(ctx, func(t *txn) error { return create(t, s) }); err != nil {
		t.Fatal(err)
	}
	e.issueLinks(s)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e2, err := New(ctx, Options{Path: path, Clock: clock, ProcessingDelay: testDelay})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if got, err := e2.SessionByToken(ctx, s.URLToken); err != nil || got.ID != s.ID {
		t.Errorf("the url after a restart: %+v, %v", got, err)
	}
	if got, err := e2.sessionByClientSecret(ctx, e2.db, s.ClientSecret); err != nil || got.ID != s.ID {
		t.Errorf("the client secret after a restart: %v", err)
	}
}

func TestStoredURLTokensOfEarlierVersionsStillWork(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	vs := h.create(t, nil)
	now := h.clock.Now()
	stored := func(created time.Time) string {
		t.Helper()
		token := "vt_" + hex.EncodeToString([]byte(randomString(32)))
		if _, err := h.e.db.Exec(`INSERT INTO session_tokens (token, session_id, created, minted) VALUES (?, ?, ?, 1)`,
			token, vs.ID, created.Unix()); err != nil {
			t.Fatal(err)
		}
		return token
	}
	old := stored(now.Add(-urlLifetime - time.Second))
	live := stored(now.Add(-time.Hour))
	signed := linksOf(t, vs)

	h.wantRefused(t, link{"url", old})
	h.wantOpens(t, vs.ID, link{"url", live})
	if _, err := h.e.Submit(ctx, live, hostedpage.Outcome{Abandon: true}); err != nil {
		t.Fatalf("Submit with a stored token: %v", err)
	}
	h.wantRefused(t, append(signed, link{"url", live})...)
}

// FuzzLinkParsers feeds the url token and client secret parsers anything:
// they never panic, and what they accept encodes back to a link that
// parses the same.
func FuzzLinkParsers(f *testing.F) {
	e, err := New(context.Background(), Options{ProcessingDelay: testDelay})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	s := &session{ID: "vs_seed"}
	now := time.Unix(1_800_000_000, 0)
	for _, seed := range []string{e.links.urlToken(s, now), e.links.clientSecret(s, now), "vt_" + strings.Repeat("0", 64), "", "vt_", "vs__secret_"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if id, st, ok := parseURLToken(in); ok {
			id2, st2, ok2 := parseURLToken(encodeURLToken(id, st))
			if !ok2 || id2 != id || st2.issued != st.issued || string(st2.nonce) != string(st.nonce) || string(st2.mac) != string(st.mac) {
				t.Fatalf("url token %q does not round-trip", in)
			}
		}
		if id, st, ok := parseClientSecret(in); ok {
			id2, st2, ok2 := parseClientSecret(encodeClientSecret(id, st))
			if !ok2 || id2 != id || st2.issued != st.issued || string(st2.nonce) != string(st.nonce) || string(st2.mac) != string(st.mac) {
				t.Fatalf("client secret %q does not round-trip", in)
			}
		}
	})
}
