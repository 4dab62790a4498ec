package hostedpage

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// submitResults are what the fuzzed backend's Submit does, by mode: succeed
// (with the return_url under test), or fail as a Backend may.
var submitResults = []error{
	nil,
	ErrNotFound,
	ErrNotSubmittable,
	fmt.Errorf("emulator: %w", ErrInvalidOutcome),
}

// cspFormAction is the form-action source list the verification page may
// send: 'self', then at most one http(s) origin with a plain host.
var cspFormAction = regexp.MustCompile(`^'self'( https?://[a-z0-9.-]+(:[0-9]+)?)?$`)

// logTime matches the time field of slog's text output.
var logTime = regexp.MustCompile(`(?m)^time=\S+ `)

// FuzzSubmit posts arbitrary bodies, content types and query strings to the
// hosted page, against a backend that succeeds with an arbitrary return_url
// (the session then processing or still requiring input) or fails as a
// Backend may. It checks that:
//   - the answer is never a 5xx, and is one of the page's statuses;
//   - Submit is called exactly when the body (not the query) is a form of
//     at most maxFormBytes that makes one valid choice, and with that
//     choice;
//   - an oversized form is a 413, any other bad form a 400;
//   - a success redirects (303) only to an absolute http(s) return_url,
//     exactly as stored (non-ASCII bytes percent-encoded), and otherwise
//     shows the thanks page;
//   - every page is HTML with the page headers and no script, and never
//     shows the token; it is the page a plain request with the same result
//     gets, so it quotes nothing of the body but a well-formed fail code;
//   - the verification page's CSP form-action cannot be broken out of.
func FuzzSubmit(f *testing.F) {
	const form = "application/x-www-form-urlencoded"
	for i, body := range outcomeSeeds {
		f.Add(form, "", []byte(body), uint8(i), "https://shop.example/done?x=1")
	}
	for _, s := range []struct {
		contentType, query, body string
		mode                     uint8
		returnURL                string
	}{
		{form + "; charset=utf-8", "", "action=pass", 0, ""},
		{"Application/X-WWW-Form-Urlencoded", "", "action=abandon", 0, "http://localhost:3000/back"},
		{"", "", "action=pass", 0, ""},
		{"multipart/form-data; boundary=x", "", "--x\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\npass\r\n--x--\r\n", 0, ""},
		{"text/plain", "", "action=pass", 0, ""},
		{"application/json", "", `{"action":"pass"}`, 0, ""},
		{form + "; charset", "", "action=pass", 0, ""},
		{";;", "", "action=pass", 0, ""},
		{form, "action=pass", "", 0, ""},
		{form, "action=abandon", "action=pass", 0, ""},
		{form, "action=%zz", "action=pass", 0, ""},
		{form, "a;b", "action=pass", 0, ""},
		{form, "", "action=pass&" + strings.Repeat("x", maxFormBytes), 0, ""},
		{form, "", "action=pass", 1, ""},
		{form, "", "action=pass", 2, ""},
		{form, "", "action=fail&code=document_expired", 3, ""},
		{form, "", "action=fail&code=consent_declined", 4, ""},
		{form, "", "action=fail&code=" + strings.Repeat("x", 64), 4, ""},
		{form, "", "action=fail&code=%3Cscript%3E", 4, ""},
		{form, "", "action=abandon", 4, ""},
		{form, "", "action=pass", 0, "javascript:alert(1)"},
		{form, "", "action=pass", 0, "//evil.example/x"},
		{form, "", "action=pass", 0, "/relative"},
		{form, "", "action=pass", 0, "https://shop.example;script-src *"},
		{form, "", "action=pass", 0, "https://shop.example:443 'unsafe-inline'/x"},
		{form, "", "action=pass", 0, "https://[::1]:8080/x"},
		{form, "", "action=pass", 0, "https://xn--bcher-kva.example/x"},
		{form, "", "action=pass", 0, "https://bücher.example/x"},
		{form, "", "action=pass", 0, "HTTPS://SHOP.EXAMPLE/x"},
		{form, "", "action=pass", 0, "https://user:pass@shop.example/x"},
		{form, "", "action=pass", 0, "https://shop.example/x\r\nSet-Cookie: a=b"},
		{form, "", "action=pass", 0, "https://shop.example/<script>"},
	} {
		f.Add(s.contentType, s.query, []byte(s.body), s.mode, s.returnURL)
	}

	f.Fuzz(func(t *testing.T, contentType, query string, body []byte, mode uint8, returnURL string) {
		submitErr := submitResults[int(mode)%len(submitResults)]
		// The session after a successful Submit: processing, or still
		// requires_input (an abandon, or a failure of the user's session).
		status := "processing"
		if int(mode)/len(submitResults)%2 == 1 {
			status = "requires_input"
		}
		session := Session{ID: "vs_fuzz", Type: "document", Status: status, ReturnURL: returnURL}
		b := &fakeBackend{t: t, submit: func(context.Context, string, Outcome) (Session, error) {
			if submitErr != nil {
				return Session{}, submitErr
			}
			return session, nil
		}}
		r := httptest.NewRequest(http.MethodPost, "/verify/"+testToken, bytes.NewReader(body))
		r.URL.RawQuery = query
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		rec, logs := serve(t, b, r)
		res := rec.Result()
		page := readAll(t, res.Body)

		// What the handler should make of the request.
		var (
			wantStatus int
			want       Outcome
			valid      bool
		)
		mediaType, _, ctErr := mime.ParseMediaType(contentType)
		if contentType == "" {
			mediaType, ctErr = "application/octet-stream", nil
		}
		_, queryErr := url.ParseQuery(query)
		switch {
		case ctErr != nil:
			wantStatus = http.StatusBadRequest
		case mediaType == "application/x-www-form-urlencoded" && len(body) > maxFormBytes:
			wantStatus = http.StatusRequestEntityTooLarge
		case mediaType != "application/x-www-form-urlencoded" || queryErr != nil:
			wantStatus = http.StatusBadRequest
		default:
			vals, err := url.ParseQuery(string(body))
			if err == nil {
				want, valid = wantOutcome(vals)
			}
			if !valid {
				wantStatus = http.StatusBadRequest
			}
		}

		calls := b.submitCalls()
		if valid {
			if len(calls) != 1 || calls[0] != (submitCall{Token: testToken, Outcome: want}) {
				t.Fatalf("Submit calls %+v; want one with %+v (content type %q, query %q, body %q)", calls, want, contentType, query, body)
			}
			wantStatus = map[error]int{nil: http.StatusOK, ErrNotFound: http.StatusNotFound, ErrNotSubmittable: http.StatusConflict, submitResults[3]: http.StatusBadRequest}[submitErr]
			if _, ok := returnTarget(returnURL); ok && submitErr == nil {
				wantStatus = http.StatusSeeOther
			}
		} else if len(calls) != 0 {
			t.Fatalf("Submit called with %+v for content type %q, query %q, body %q: not one valid choice", calls, contentType, query, body)
		}

		if res.StatusCode >= 500 || res.StatusCode != wantStatus {
			t.Fatalf("status %d; want %d (content type %q, query %q, body %q, mode %d, return_url %q)\n%s\nlogs: %s",
				res.StatusCode, wantStatus, contentType, query, body, mode, returnURL, page, logs)
		}
		// The one log line a submission may leave names the session only:
		// never the token or the return_url.
		wantLog := ""
		if wantStatus == http.StatusOK && returnURL != "" {
			wantLog = `level=WARN msg="hostedpage: return_url is not an absolute http(s) URL; showing the thanks page" session=vs_fuzz` + "\n"
		}
		if got := logTime.ReplaceAllString(logs, ""); got != wantLog {
			t.Fatalf("logs %q; want %q", got, wantLog)
		}
		// The page a plain request with the same result gets.
		plain := "action=bogus"
		switch {
		case wantStatus == http.StatusRequestEntityTooLarge:
			plain = "action=pass&" + strings.Repeat("x", maxFormBytes)
		case valid && want.Abandon:
			plain = "action=abandon"
		case valid && want.ErrorCode != "":
			// The page of a failure of the user's session names its code,
			// which wantOutcome took only if it is lower case words.
			plain = "action=fail&code=" + want.ErrorCode
		case valid:
			plain = "action=pass"
		}
		ref, _ := serve(t, &fakeBackend{t: t, submit: b.submit}, postForm("/verify/"+testToken, plain))
		assertSafeAnswer(t, res, page, ref.Body.String(), returnURL)

		// The verification page of a session with this return_url.
		formAction := formActionFor(returnURL)
		if !cspFormAction.MatchString(formAction) {
			t.Fatalf("formActionFor(%q) = %q: not a plain form-action source list", returnURL, formAction)
		}
	})
}

// assertSafeAnswer checks the headers and body of a hosted page answer;
// reference is the page a well-formed request with the same result gets.
func assertSafeAnswer(t *testing.T, res *http.Response, page, reference, returnURL string) {
	t.Helper()
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q; want no-store", got)
	}
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q; want no-referrer", got)
	}
	if res.StatusCode == http.StatusSeeOther {
		// The Location is the return target with its bytes outside ASCII
		// percent-encoded, as http.Redirect writes it: the same URL, in a
		// header that must be ASCII.
		u, ok := returnTarget(returnURL)
		if loc := res.Header.Get("Location"); !ok || loc != escapeNonASCII(u.String()) {
			t.Fatalf("303 to %q for return_url %q", loc, returnURL)
		}
		return
	}
	assertPageHeaders(t, res.Header, "'none'")
	assertNoScript(t, page)
	if strings.Contains(page, testToken) {
		t.Fatalf("the page shows the token:\n%s", page)
	}
	// The page never quotes the request: it is the page that a plain
	// request with the same result gets.
	if page != reference {
		t.Fatalf("the page differs from the one a plain request gets:\n%s\nwant:\n%s", page, reference)
	}
}

// escapeNonASCII percent-encodes the bytes of s outside printable ASCII.
func escapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			fmt.Fprintf(&b, "%%%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
