package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fuzzEndpoints are the parameter specs that decode applies, with the object
// each endpoint returns, for parseExpand.
var fuzzEndpoints = []struct {
	name   string
	spec   *param
	object string
	list   bool
}{
	{"create session", specCreateSession, "verification_session", false},
	{"update session", specUpdateSession, "verification_session", false},
	{"retrieve, cancel or redact session", specExpandOnly, "verification_session", false},
	{"list sessions", specListSessions, "verification_session", true},
	{"list reports", specListReports, "verification_report", true},
	{"list events", specListEvents, "event", true},
}

// FuzzDecode sends arbitrary query strings and form bodies through decode,
// the emulator's reading of a request's parameters (url parsing, parseForm,
// validate), and then parseExpand, for every endpoint's spec. It checks that:
//   - a body or query that Go's form parser refuses is refused;
//   - every refusal is a 400 invalid_request_error whose body is JSON;
//   - an accepted request keeps every value, each as one leaf, no more;
//   - an accepted tree conforms to its spec, checked here independently of
//     validate: known names only, required fields present, strings within
//     maxLen and their enum, integers and booleans well formed, arrays
//     indexed by integers, and so no deeper than the spec;
//   - every accepted key is well formed: a non-empty name, then bracketed
//     segments, which print back to the key itself;
//   - an accepted expand[] names only paths the object can expand.
//
// The limits it relies on: a POST body over maxBodyBytes is refused (checked
// once below, as the fuzzer does not make megabyte inputs); strings have the
// spec's maxLen (5000); depth is bounded by the spec, but only after
// parseForm has built the whole tree (see the report on deep keys).
func FuzzDecode(f *testing.F) {
	for _, s := range []struct {
		which uint8
		post  bool
		query string
		body  string
	}{
		{0, true, "", "type=document&metadata[order]=42&options[document][allowed_types][]=passport&options[document][require_matching_selfie]=true&expand[]=verified_outputs.dob"},
		{0, true, "", "type=id_number&related_person[account]=acct_1&related_person[person]=person_1&provided_details[email]=a@example.com"},
		{0, true, "", "related_person[account]=acct_1"},
		{0, true, "", "type=document&client_reference_id=" + strings.Repeat("x", 5001)},
		{0, true, "expand[]=options", "type=document"},
		{1, true, "", "metadata=&options[document]=&type=document"},
		{1, true, "", "metadata[a][b]=c"},
		{1, true, "", "metadata=&metadata[a]=b"},
		{1, true, "", "metadata[a]=1&metadata[a]=2"},
		{1, true, "", "options[document][allowed_types][0]=passport&options[document][allowed_types][]=id_card"},
		{1, true, "", "options[document][allowed_types][1]=passport&options[document][allowed_types][]=id_card"},
		{1, true, "", "options[document][allowed_types][01]=passport&options[document][allowed_types][1]=id_card"},
		{1, true, "", "options[document][allowed_types][-1]=passport"},
		{1, true, "", "options[document][allowed_types][99999999999999999999]=passport"},
		{2, true, "", "expand[0]=a&expand[0]=b"},
		{2, true, "", "expand[]=last_verification_report.document.dob&expand[]=verified_outputs.id_number"},
		{2, true, "", "expand[][x]=a"},
		{2, true, "", "expand=verified_outputs"},
		{2, true, "", "expand[]=" + strings.Repeat("a.", 2600)},
		{3, false, "limit=3&created[gte]=1&created[lt]=99&status=verified&expand[]=data.verified_outputs", ""},
		{3, false, "created=12&starting_after=vs_1", ""},
		{3, false, "created[after]=1", ""},
		{3, false, "limit=ten", ""},
		{3, false, "limit=9223372036854775808", ""},
		{3, false, "expand[]=verified_outputs", ""},
		{4, false, "type=document&verification_session=vs_1&expand[]=data.document.dob", ""},
		{5, false, "type=identity.verification_session.verified&expand[]=data.object", ""},
		// malformed keys and encodings
		{0, true, "", "metadata[a=b"},
		{0, true, "", "metadata]a[=b"},
		{0, true, "", "[a]=b"},
		{0, true, "", "=b"},
		{0, true, "", "metadata[a][=b"},
		{0, true, "", "metadata[[a]]=b"},
		{0, true, "", "metadata[a]x=b"},
		{0, true, "", "a%zz=b"},
		{0, true, "", "a;b=c"},
		{0, true, "", "metadata[\x00]=\xff"},
		{0, true, "%zz", "type=document"},
		{0, true, "", strings.Repeat("metadata[a]", 300) + "=x"},
		{0, true, "", strings.Repeat("&", 1000)},
		{3, false, "a%zz=b", ""},
		{3, false, "created[gte][gte]=1", ""},
	} {
		f.Add(s.which, s.post, s.query, []byte(s.body))
	}

	// A body one byte over the limit is refused, whatever it holds.
	big := append([]byte("client_reference_id="), bytes.Repeat([]byte("x"), maxBodyBytes)...)
	if _, aerr := decode(formRequest(true, "", big), specCreateSession); aerr == nil || aerr.Status != http.StatusRequestEntityTooLarge {
		f.Fatalf("a body of %d bytes, over maxBodyBytes, was not refused: %v", len(big), aerr)
	}

	f.Fuzz(func(t *testing.T, which uint8, post bool, query string, body []byte) {
		ep := fuzzEndpoints[int(which)%len(fuzzEndpoints)]
		form, aerr := decode(formRequest(post, query, body), ep.spec)

		// What Go's form parsing makes of the request, as r.ParseForm does.
		vals, err := url.ParseQuery(query)
		if post {
			bodyVals, berr := url.ParseQuery(string(body))
			if berr != nil {
				err = berr
			}
			for k, vs := range vals {
				bodyVals[k] = append(bodyVals[k], vs...)
			}
			vals = bodyVals
		}

		if aerr != nil {
			assertRefusal(t, aerr)
			return
		}
		if err != nil {
			t.Fatalf("%s: decode accepted a request Go cannot parse (%v): query %q body %q", ep.name, err, query, body)
		}
		n := 0
		for k, vs := range vals {
			n += len(vs)
			segs, ok := splitKey(k)
			if !ok || segs[0] == "" || formatParam(segs) != k {
				t.Fatalf("%s: accepted the malformed key %q (segments %q)", ep.name, k, segs)
			}
			for _, s := range segs {
				if strings.Contains(s, "]") {
					t.Fatalf("%s: accepted key %q has a segment %q with ']'", ep.name, k, s)
				}
			}
		}
		if got := countLeaves(form); got != n {
			t.Fatalf("%s: %d values became %d leaves: query %q body %q", ep.name, n, got, query, body)
		}
		if d, max := formDepth(form), specDepth(ep.spec); d > max {
			t.Fatalf("%s: accepted a tree %d deep; the spec is %d deep", ep.name, d, max)
		}
		conforms(t, form, ep.spec, nil)

		ex, aerr := parseExpand(form, expandableOf(ep.object), ep.list)
		if aerr == nil {
			known := expandable(ep.object)
			for p := range ex {
				if !known[p] {
					t.Fatalf("%s: parseExpand accepted %q, which %s cannot expand (expand[] %q)", ep.name, p, ep.object, form.get("expand").list())
				}
			}
		} else {
			assertRefusal(t, aerr)
		}
		keepsArrays(t, form, ep.spec, nil)
	})
}

// keepsArrays fails t unless every array of strings in f lists each of its
// items once: the list the endpoint reads (form.list) is the values sent.
func keepsArrays(t *testing.T, f *form, p *param, path []string) {
	t.Helper()
	if f.isStr {
		return
	}
	switch p.kind {
	case kObject:
		for k, c := range f.children {
			keepsArrays(t, c, p.fields[k], append(path, k))
		}
	case kArray:
		var sent []string
		seen := map[int]string{}
		for k, c := range f.children {
			if !c.isStr {
				keepsArrays(t, c, p.items, append(path, k))
				continue
			}
			sent = append(sent, c.str)
			i, _ := strconv.Atoi(k)
			if other, ok := seen[i]; ok {
				// Known bug, reported: validate takes any strconv.Atoi
				// index, so expand[01] and expand[1] are two items with one
				// index, and form.list returns one of them twice and drops
				// the other. validate should take canonical indexes only;
				// drop this skip when it does.
				t.Skipf("%s: indexes %q and %q are both %d (known bug)", formatParam(path), other, k, i)
			}
			seen[i] = k
		}
		got := f.list()
		slices.Sort(sent)
		slices.Sort(got)
		if !slices.Equal(got, sent) {
			t.Fatalf("%s: the items sent are %q, the list read is %q", formatParam(path), sent, got)
		}
	}
}

// formRequest is a request to decode: a GET with query, or a form POST
// with body and query.
func formRequest(post bool, query string, body []byte) *http.Request {
	method := http.MethodGet
	if post {
		method = http.MethodPost
	}
	r := httptest.NewRequest(method, "/v1/identity/verification_sessions", bytes.NewReader(body))
	r.URL.RawQuery = query
	if post {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

// assertRefusal checks that aerr is a client error with a JSON body.
func assertRefusal(t *testing.T, aerr *apiError) {
	t.Helper()
	if aerr.Status != http.StatusBadRequest || aerr.Type != errTypeInvalidRequest {
		t.Fatalf("refusal %v; want a 400 %s", aerr, errTypeInvalidRequest)
	}
	if b, err := json.Marshal(aerr.body()); err != nil || !json.Valid(b) {
		t.Fatalf("refusal %v: body is not JSON: %v", aerr, err)
	}
}

func countLeaves(f *form) int {
	if f.isStr {
		return 1
	}
	n := 0
	for _, c := range f.children {
		n += countLeaves(c)
	}
	return n
}

func formDepth(f *form) int {
	d := 0
	for _, c := range f.children {
		d = max(d, 1+formDepth(c))
	}
	return d
}

func specDepth(p *param) int {
	d := 0
	switch p.kind {
	case kObject:
		for _, c := range p.fields {
			d = max(d, 1+specDepth(c))
		}
	case kArray:
		d = 1 + specDepth(p.items)
	case kMap, kIntOrRange:
		d = 1
	}
	return d
}

// conforms fails t unless f fits spec p. It restates the spec's rules
// rather than calling validate, so that a validate that lets something
// through is caught.
func conforms(t *testing.T, f *form, p *param, path []string) {
	t.Helper()
	name := formatParam(path)
	if f.isStr && f.str == "" && p.emptyOK {
		return
	}
	switch p.kind {
	case kString:
		switch {
		case !f.isStr:
			t.Fatalf("%s: nested parameters accepted for a string", name)
		case p.maxLen > 0 && len(f.str) > p.maxLen:
			t.Fatalf("%s: %d bytes accepted, over maxLen %d", name, len(f.str), p.maxLen)
		case f.str == "":
			t.Fatalf("%s: empty string accepted", name)
		case len(p.enum) > 0 && !slices.Contains(p.enum, f.str):
			t.Fatalf("%s: %q accepted, not one of %v", name, f.str, p.enum)
		}
	case kInt:
		if _, err := strconv.ParseInt(f.str, 10, 64); !f.isStr || err != nil {
			t.Fatalf("%s: %q accepted as an integer", name, f.str)
		}
	case kBool:
		if !f.isStr || (f.str != "true" && f.str != "false") {
			t.Fatalf("%s: %q accepted as a boolean", name, f.str)
		}
	case kIntOrRange:
		if f.isStr {
			conforms(t, f, &param{kind: kInt}, path)
		} else {
			conforms(t, f, rangeSpec, path)
		}
	case kMap:
		if f.isStr {
			t.Fatalf("%s: %q accepted for a map", name, f.str)
		}
		for k, c := range f.children {
			if !c.isStr {
				t.Fatalf("%s[%s]: nested parameters accepted in a map", name, k)
			}
		}
	case kArray:
		if f.isStr {
			t.Fatalf("%s: %q accepted for an array", name, f.str)
		}
		for k, c := range f.children {
			if _, err := strconv.Atoi(k); err != nil {
				t.Fatalf("%s: index %q accepted", name, k)
			}
			conforms(t, c, p.items, append(path, k))
		}
	case kObject:
		if f.isStr {
			t.Fatalf("%s: %q accepted for an object", name, f.str)
		}
		for k, c := range f.children {
			fp, ok := p.fields[k]
			if !ok {
				t.Fatalf("%s: unknown parameter %q accepted", name, k)
			}
			conforms(t, c, fp, append(path, k))
		}
		for _, r := range p.required {
			if _, ok := f.children[r]; !ok {
				t.Fatalf("%s: accepted without required %q", name, r)
			}
		}
	}
}

// expandable is every path that an expand[] of object may leave in an
// expansion: the expandable paths and their dotted parents.
func expandable(object string) map[string]bool {
	known := map[string]bool{}
	for _, p := range expandableOf(object) {
		for {
			known[p] = true
			i := strings.LastIndexByte(p, '.')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	return known
}
