package hostedpage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func returning(s Session, err error) func(context.Context, string) (Session, error) {
	return func(context.Context, string) (Session, error) { return s, err }
}

func TestVerificationPage(t *testing.T) {
	tests := []struct {
		name           string
		session        Session
		err            error
		wantStatus     int
		wantFormAction string
		wantBody       []string
	}{
		{
			name:           "a session that requires input shows its ID, type and three choices",
			session:        Session{ID: "vs_123", Type: "id_number", Status: "requires_input", ReturnURL: "https://shop.example/done?x=1"},
			wantStatus:     http.StatusOK,
			wantFormAction: "'self' https://shop.example",
			wantBody:       []string{"vs_123", "id_number", "Submit and pass", "Submit and fail", "Abandon", `name="action" value="pass"`, `name="action" value="fail"`, `name="action" value="abandon"`},
		},
		{
			name:           "a session without a return_url lets forms post to this page only",
			session:        Session{ID: "vs_123", Type: "document", Status: "requires_input"},
			wantStatus:     http.StatusOK,
			wantFormAction: "'self'",
			wantBody:       []string{"vs_123", "document"},
		},
		{
			name:           "a session ID is escaped, not trusted as HTML",
			session:        Session{ID: "vs_<b>x</b>", Type: "document", Status: "requires_input"},
			wantStatus:     http.StatusOK,
			wantFormAction: "'self'",
			wantBody:       []string{"vs_&lt;b&gt;x&lt;/b&gt;"},
		},
		{
			name:           "an unknown or used token is the 404 page",
			err:            ErrNotFound,
			wantStatus:     http.StatusNotFound,
			wantFormAction: "'none'",
			wantBody:       []string{"This verification link is invalid or has expired"},
		},
		{
			name:           "a wrapped not-found error is the 404 page too",
			err:            fmt.Errorf("store: %w", ErrNotFound),
			wantStatus:     http.StatusNotFound,
			wantFormAction: "'none'",
			wantBody:       []string{"This verification link is invalid or has expired"},
		},
		{
			name:           "a processing session is refused with 409 naming its status",
			session:        Session{ID: "vs_123", Type: "document", Status: "processing"},
			wantStatus:     http.StatusConflict,
			wantFormAction: "'none'",
			wantBody:       []string{"status processing and cannot be submitted"},
		},
		{
			name:           "a verified session is refused with 409",
			session:        Session{ID: "vs_123", Type: "document", Status: "verified"},
			wantStatus:     http.StatusConflict,
			wantFormAction: "'none'",
			wantBody:       []string{"status verified"},
		},
		{
			name:           "a canceled session is refused with 409",
			session:        Session{ID: "vs_123", Type: "document", Status: "canceled"},
			wantStatus:     http.StatusConflict,
			wantFormAction: "'none'",
			wantBody:       []string{"status canceled"},
		},
		{
			name:           "a backend that reports not submittable without a session is a 409",
			err:            ErrNotSubmittable,
			wantStatus:     http.StatusConflict,
			wantFormAction: "'none'",
			wantBody:       []string{"This session cannot be submitted"},
		},
		{
			name:           "an unexpected backend error is a generic 500",
			err:            errors.New("sqlite: disk I/O error"),
			wantStatus:     http.StatusInternalServerError,
			wantFormAction: "'none'",
			wantBody:       []string{"Something went wrong"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &fakeBackend{t: t, sessionByToken: returning(tt.session, tt.err)}
			rec, logs := serve(t, b, httptest.NewRequest(http.MethodGet, "/verify/"+testToken, nil))

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			assertPageHeaders(t, rec.Header(), tt.wantFormAction)
			body := rec.Body.String()
			for _, want := range tt.wantBody {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q", want)
				}
			}
			assertNoScript(t, body)
			if strings.Contains(body, "sqlite") {
				t.Error("body shows the backend's error text")
			}
			if !slices.Equal(b.lookups, []string{testToken}) {
				t.Errorf("lookups = %q, want exactly the token", b.lookups)
			}
			if len(b.submitCalls()) != 0 {
				t.Error("GET submitted")
			}
			wantLogs := 0
			if tt.wantStatus == http.StatusInternalServerError {
				wantLogs = 1
			}
			if n := countLogs(logs); n != wantLogs {
				t.Errorf("logged %d records, want %d:\n%s", n, wantLogs, logs)
			}
			if strings.Contains(logs, testToken) {
				t.Errorf("log contains the token:\n%s", logs)
			}
		})
	}
}

func TestVerificationPageOffersTheSessionsFailures(t *testing.T) {
	failures := []Failure{
		{Code: "consent_declined", Reason: "The user declined to be verified by Stripe."},
		{Code: "id_number_mismatch", Reason: "The <b>ID</b> number does not match."},
	}
	b := &fakeBackend{t: t, sessionByToken: returning(Session{ID: "vs_1", Type: "id_number", Status: "requires_input", Failures: failures}, nil)}
	rec, _ := serve(t, b, httptest.NewRequest(http.MethodGet, "/verify/"+testToken, nil))
	body := rec.Body.String()

	var got []string
	for _, m := range regexp.MustCompile(`<option value="([^"]*)">`).FindAllStringSubmatch(body, -1) {
		got = append(got, m[1])
	}
	// The first option is the empty placeholder that makes `required` bite;
	// then the backend's failures, those only, in its order.
	want := []string{"", "consent_declined", "id_number_mismatch"}
	if !slices.Equal(got, want) {
		t.Errorf("options = %q, want %q", got, want)
	}
	for _, f := range failures {
		if !strings.Contains(body, f.Code+")</option>") {
			t.Errorf("option for %s does not show its code", f.Code)
		}
	}
	if !strings.Contains(body, "The &lt;b&gt;ID&lt;/b&gt; number does not match. (id_number_mismatch)") {
		t.Error("a reason is not shown, escaped, next to its code")
	}
	if !strings.Contains(body, `<select id="code" name="code" required>`) || !strings.Contains(body, `<label for="code">`) {
		t.Error("the select is not labelled or not required")
	}
}

func TestSubmission(t *testing.T) {
	const returnURL = "https://shop.example/verified?order=42"
	submitted := func(s Session, err error) func(context.Context, string, Outcome) (Session, error) {
		return func(context.Context, string, Outcome) (Session, error) { return s, err }
	}
	processing := Session{ID: "vs_123", Type: "document", Status: "processing", ReturnURL: returnURL}
	tests := []struct {
		name         string
		target       string // default /verify/{testToken}
		contentType  string // default form-urlencoded
		body         string
		submit       func(context.Context, string, Outcome) (Session, error)
		wantStatus   int
		wantLocation string
		wantSubmits  []Outcome
		wantBody     []string
		wantLogs     int
	}{
		{
			name:         "pass submits an empty outcome and sends the browser to return_url",
			body:         "action=pass",
			submit:       submitted(processing, nil),
			wantStatus:   http.StatusSeeOther,
			wantLocation: returnURL,
			wantSubmits:  []Outcome{{}},
		},
		{
			name:         "fail submits the chosen code",
			body:         "action=fail&code=selfie_manipulated",
			submit:       submitted(processing, nil),
			wantStatus:   http.StatusSeeOther,
			wantLocation: returnURL,
			wantSubmits:  []Outcome{{ErrorCode: "selfie_manipulated"}},
		},
		{
			name:         "abandon submits Abandon",
			body:         "action=abandon",
			submit:       submitted(Session{ID: "vs_123", Status: "requires_input", ReturnURL: returnURL}, nil),
			wantStatus:   http.StatusSeeOther,
			wantLocation: returnURL,
			wantSubmits:  []Outcome{{Abandon: true}},
		},
		{
			name:        "pass without a return_url shows the thanks page with the status",
			body:        "action=pass",
			submit:      submitted(Session{ID: "vs_123", Status: "processing"}, nil),
			wantStatus:  http.StatusOK,
			wantSubmits: []Outcome{{}},
			wantBody:    []string{"Thanks, your submission is being processed", "<code>processing</code>", "vs_123"},
		},
		{
			name:        "a failure of the user's session without a return_url says nothing was processed",
			body:        "action=fail&code=consent_declined",
			submit:      submitted(Session{ID: "vs_123", Status: "requires_input"}, nil),
			wantStatus:  http.StatusOK,
			wantSubmits: []Outcome{{ErrorCode: "consent_declined"}},
			wantBody:    []string{"The verification could not go on", "consent_declined", "<code>requires_input</code>"},
		},
		{
			name:        "abandon without a return_url says so with the status",
			body:        "action=abandon",
			submit:      submitted(Session{ID: "vs_123", Status: "requires_input"}, nil),
			wantStatus:  http.StatusOK,
			wantSubmits: []Outcome{{Abandon: true}},
			wantBody:    []string{"You left the verification", "<code>requires_input</code>"},
		},
		{
			name:        "a return_url that is not an http URL is not followed",
			body:        "action=pass",
			submit:      submitted(Session{ID: "vs_123", Status: "processing", ReturnURL: "javascript:alert(1)"}, nil),
			wantStatus:  http.StatusOK,
			wantSubmits: []Outcome{{}},
			wantBody:    []string{"Thanks, your submission is being processed"},
			wantLogs:    1,
		},
		{
			name:       "fail without a code is a 400 and submits nothing",
			body:       "action=fail",
			wantStatus: http.StatusBadRequest,
			wantBody:   []string{"This choice is not valid", "Back to the verification page"},
		},
		{
			name:       "fail with a code that does not look like a last_error code is a 400",
			body:       "action=fail&code=Not-A-Code",
			wantStatus: http.StatusBadRequest,
		},
		{
			name:       "an unknown action is a 400",
			body:       "action=approve",
			wantStatus: http.StatusBadRequest,
		},
		{
			name:       "an empty body is a 400",
			wantStatus: http.StatusBadRequest,
		},
		{
			name:       "a choice in the query string alone is a 400",
			target:     "/verify/" + testToken + "?action=pass",
			wantStatus: http.StatusBadRequest,
		},
		{
			name:        "a multipart body is not read, so it is a 400",
			contentType: "multipart/form-data; boundary=x",
			body:        "--x\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\npass\r\n--x--\r\n",
			wantStatus:  http.StatusBadRequest,
		},
		{
			name:       "a body over 8 KiB is a 413 and submits nothing",
			body:       "action=pass&pad=" + strings.Repeat("a", maxFormBytes),
			wantStatus: http.StatusRequestEntityTooLarge,
		},
		{
			name:        "the backend's ErrInvalidOutcome is a 400",
			body:        "action=fail&code=consent_declined",
			submit:      submitted(Session{}, fmt.Errorf("emulator: %w", ErrInvalidOutcome)),
			wantStatus:  http.StatusBadRequest,
			wantSubmits: []Outcome{{ErrorCode: "consent_declined"}},
		},
		{
			name:        "an unknown or used token is the 404 page",
			body:        "action=pass",
			submit:      submitted(Session{}, ErrNotFound),
			wantStatus:  http.StatusNotFound,
			wantSubmits: []Outcome{{}},
			wantBody:    []string{"This verification link is invalid or has expired"},
		},
		{
			name:        "a session that cannot be submitted is a 409 naming its status",
			body:        "action=pass",
			submit:      submitted(Session{ID: "vs_123", Status: "verified"}, ErrNotSubmittable),
			wantStatus:  http.StatusConflict,
			wantSubmits: []Outcome{{}},
			wantBody:    []string{"status verified and cannot be submitted"},
		},
		{
			name:        "an unexpected backend error is a generic 500, logged once without the token",
			body:        "action=pass",
			submit:      submitted(Session{}, errors.New("store: update session for "+testToken+": database is locked")),
			wantStatus:  http.StatusInternalServerError,
			wantSubmits: []Outcome{{}},
			wantBody:    []string{"Something went wrong"},
			wantLogs:    1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.target
			if target == "" {
				target = "/verify/" + testToken
			}
			r := postForm(target, tt.body)
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			b := &fakeBackend{t: t, submit: tt.submit}
			rec, logs := serve(t, b, r)

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get("Location"); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
			var wantCalls []submitCall
			for _, o := range tt.wantSubmits {
				wantCalls = append(wantCalls, submitCall{Token: testToken, Outcome: o})
			}
			if got := b.submitCalls(); !slices.Equal(got, wantCalls) {
				t.Errorf("Submit calls = %+v, want %+v", got, wantCalls)
			}
			if tt.wantStatus == http.StatusSeeOther {
				// The redirect must not leak the token through Referer or a cache.
				for name, value := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
					if got := rec.Header().Get(name); got != value {
						t.Errorf("header %s = %q, want %q", name, got, value)
					}
				}
			} else {
				assertPageHeaders(t, rec.Header(), "'none'")
			}
			body := rec.Body.String()
			for _, want := range tt.wantBody {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
			assertNoScript(t, body)
			for _, leak := range []string{"database is locked", "hostedpage:", testToken} {
				if strings.Contains(body, leak) {
					t.Errorf("body contains %q", leak)
				}
			}
			if n := countLogs(logs); n != tt.wantLogs {
				t.Errorf("logged %d records, want %d:\n%s", n, tt.wantLogs, logs)
			}
			if strings.Contains(logs, testToken) || strings.Contains(logs, "javascript:") {
				t.Errorf("log contains a secret:\n%s", logs)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		target     string
		header     http.Header
		wantStatus int
		wantHeader map[string]string
	}{
		{
			name:       "the style sheet is served as CSS",
			method:     http.MethodGet,
			target:     "/verify/static/page.css",
			wantStatus: http.StatusOK,
			wantHeader: map[string]string{"Content-Type": "text/css; charset=utf-8", "X-Content-Type-Options": "nosniff", "ETag": pageCSSETag},
		},
		{
			name:       "a style sheet the browser holds is not sent again",
			method:     http.MethodGet,
			target:     "/verify/static/page.css",
			header:     http.Header{"If-None-Match": {pageCSSETag}},
			wantStatus: http.StatusNotModified,
		},
		{
			name:       "a deeper path under /verify/ is the 404 page",
			method:     http.MethodGet,
			target:     "/verify/static/other.css",
			wantStatus: http.StatusNotFound,
			wantHeader: map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
		},
		{
			name:       "/verify/ without a token is the 404 page",
			method:     http.MethodGet,
			target:     "/verify/",
			wantStatus: http.StatusNotFound,
			wantHeader: map[string]string{"Content-Type": "text/html; charset=utf-8"},
		},
		{
			name:       "another method on a session's url is not allowed",
			method:     http.MethodPut,
			target:     "/verify/" + testToken,
			wantStatus: http.StatusMethodNotAllowed,
			wantHeader: map[string]string{"Allow": "GET, HEAD, POST"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			for k, v := range tt.header {
				r.Header[k] = v
			}
			// No function fields: any Backend call fails the test.
			rec, _ := serve(t, &fakeBackend{t: t}, r)
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			for name, value := range tt.wantHeader {
				if got := rec.Header().Get(name); got != value {
					t.Errorf("header %s = %q, want %q", name, got, value)
				}
			}
		})
	}
}

// TestTesterFlowOverHTTP walks the page as a browser would, over a real
// connection: load the page, post the fail form, stop at the redirect.
func TestTesterFlowOverHTTP(t *testing.T) {
	const returnURL = "http://localhost:3000/after-verify"
	session := Session{ID: "vs_flow", Type: "document", Status: "requires_input", ReturnURL: returnURL}
	b := &fakeBackend{t: t, sessionByToken: returning(session, nil)}
	b.submit = func(_ context.Context, _ string, o Outcome) (Session, error) {
		s := session
		s.Status = "processing"
		return s, nil
	}
	srv := httptest.NewServer(New(b, nil))
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	page, err := client.Get(srv.URL + "/verify/" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET status = %d", page.StatusCode)
	}
	assertPageHeaders(t, page.Header, "'self' http://localhost:3000")
	if !strings.Contains(body, `<form method="post">`) {
		t.Fatal("the page's forms do not post back to the page")
	}

	resp, err := client.PostForm(srv.URL+"/verify/"+testToken, url.Values{"action": {"fail"}, "code": {"document_expired"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != returnURL {
		t.Errorf("POST = %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), returnURL)
	}
	want := []submitCall{{Token: testToken, Outcome: Outcome{ErrorCode: "document_expired"}}}
	if got := b.submitCalls(); !slices.Equal(got, want) {
		t.Errorf("Submit calls = %+v, want %+v", got, want)
	}
}

func TestNewPanicsOnNilBackend(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New(nil, nil) did not panic")
		}
	}()
	New(nil, nil)
}
