package form

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fuzzEndpoints are the parameter specs that Decode applies, with the
// object each endpoint returns (one of testObjects), for ParseExpand.
var fuzzEndpoints = []struct {
	name   string
	spec   *Spec
	object string
	list   bool
}{
	{"create session", CreateSession, "verification_session", false},
	{"update session", UpdateSession, "verification_session", false},
	{"retrieve, cancel or redact session", ExpandOnly, "verification_session", false},
	{"list sessions", ListSessions, "verification_session", true},
	{"list reports", ListReports, "verification_report", true},
	{"list events", ListEvents, "event", true},
}

// FuzzDecode sends arbitrary query strings and form bodies through Decode,
// the emulator's reading of a request's parameters (url parsing, Parse,
// Validate), and then ParseExpand, for every endpoint's spec. It checks that:
//   - a body or query that Go's form parser refuses is refused;
//   - every refusal is a 400 with a message;
//   - an accepted request keeps every value, each as one leaf, no more;
//   - an accepted tree conforms to its spec, checked here independently of
//     Validate: known names only, required fields present, strings within
//     maxLen and their enum, integers and booleans well formed, arrays
//     indexed by integers, and so no deeper than the spec;
//   - every accepted key is well formed: a non-empty name, then bracketed
//     segments, which print back to the key itself;
//   - an accepted expand[] names only paths the object can expand.
//
// The limits it relies on: a POST body over MaxBodyBytes is refused (checked
// once below, as the fuzzer does not make megabyte inputs); strings have the
// spec's maxLen (5000); depth is bounded by the spec, but only after
// Parse has built the whole tree (see the report on deep keys).
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
	big := append([]byte("client_reference_id="), bytes.Repeat([]byte("x"), MaxBodyBytes)...)
	if _, aerr := Decode(formRequest(true, "", big), CreateSession); aerr == nil || aerr.Status != http.StatusRequestEntityTooLarge {
		f.Fatalf("a body of %d bytes, over MaxBodyBytes, was not refused: %v", len(big), aerr)
	}
	expandable := map[string][]string{}
	for _, o := range testObjects(f) {
		expandable[o.name] = o.expandable
	}

	f.Fuzz(func(t *testing.T, which uint8, post bool, query string, body []byte) {
		ep := fuzzEndpoints[int(which)%len(fuzzEndpoints)]
		form, aerr := Decode(formRequest(post, query, body), ep.spec)

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
			t.Fatalf("%s: Decode accepted a request Go cannot parse (%v): query %q body %q", ep.name, err, query, body)
		}
		n := 0
		for k, vs := range vals {
			n += len(vs)
			segs, ok := splitKey(k)
			if !ok || segs[0] == "" || ParamName(segs) != k {
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

		ex, aerr := ParseExpand(form, expandable[ep.object], ep.list)
		if aerr == nil {
			known := withParents(expandable[ep.object])
			for p := range ex {
				if !known[p] {
					t.Fatalf("%s: ParseExpand accepted %q, which %s cannot expand (expand[] %q)", ep.name, p, ep.object, form.Get("expand").List())
				}
			}
		} else {
			assertRefusal(t, aerr)
		}
		keepsArrays(t, form, ep.spec, nil)
	})
}

// keepsArrays fails t unless every array of strings in f lists each of its
// items once: the list the endpoint reads (Params.List) is the values sent.
func keepsArrays(t *testing.T, f *Params, p *Spec, path []string) {
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
				t.Fatalf("%s: indexes %q and %q both accepted as %d", ParamName(path), other, k, i)
			}
			seen[i] = k
		}
		got := f.List()
		slices.Sort(sent)
		slices.Sort(got)
		if !slices.Equal(got, sent) {
			t.Fatalf("%s: the items sent are %q, the list read is %q", ParamName(path), sent, got)
		}
	}
}

// formRequest is a request to Decode: a GET with query, or a form POST
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

// assertRefusal checks that aerr is a 400 with a message.
func assertRefusal(t *testing.T, aerr *Error) {
	t.Helper()
	if aerr.Status != http.StatusBadRequest || aerr.Message == "" {
		t.Fatalf("refusal %v; want a 400 with a message", aerr)
	}
}

func countLeaves(f *Params) int {
	if f.isStr {
		return 1
	}
	n := 0
	for _, c := range f.children {
		n += countLeaves(c)
	}
	return n
}

func formDepth(f *Params) int {
	d := 0
	for _, c := range f.children {
		d = max(d, 1+formDepth(c))
	}
	return d
}

func specDepth(p *Spec) int {
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
func conforms(t *testing.T, f *Params, p *Spec, path []string) {
	t.Helper()
	name := ParamName(path)
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
			conforms(t, f, &Spec{kind: kInt}, path)
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
