package tenancy

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
)

var (
	selfieOnly = DocumentPolicy{RequireMatchingSelfie: true}
	strict     = DocumentPolicy{RequireMatchingSelfie: true, RequireLiveCapture: true, RequireIDNumber: true,
		AllowedTypes: []string{"passport", "id_card"}}
)

// docParams is the document options as sent, for comparison.
type docParams = stripe.IdentityVerificationSessionOptionsDocumentParams

func docOf(o any) (doc *docParams, unset bool) {
	switch o := o.(type) {
	case *stripe.IdentityVerificationSessionCreateOptionsParams:
		if o == nil {
			return nil, false
		}
		return (*docParams)(o.Document), len(o.UnsetFields) > 0
	case *stripe.IdentityVerificationSessionUpdateOptionsParams:
		if o == nil {
			return nil, false
		}
		return (*docParams)(o.Document), len(o.UnsetFields) > 0
	}
	panic("not options")
}

func allTrue(types ...string) *docParams {
	d := &docParams{RequireMatchingSelfie: stripe.Bool(true), RequireLiveCapture: stripe.Bool(true), RequireIDNumber: stripe.Bool(true)}
	if types != nil {
		d.AllowedTypes = stripe.StringSlice(types)
	}
	return d
}

// wantForbidden checks that err is a ForbiddenError on param.
func wantForbidden(t *testing.T, err error, param string) *auth.ForbiddenError {
	t.Helper()
	var fe *auth.ForbiddenError
	if !errors.As(err, &fe) || fe.Param != param {
		t.Fatalf("err = %v, want a ForbiddenError on %s", err, param)
	}
	return fe
}

func TestPolicyOnCreate(t *testing.T) {
	document := func(o *stripe.IdentityVerificationSessionCreateOptionsParams) *stripe.IdentityVerificationSessionCreateParams {
		return &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), Options: o}
	}
	withDoc := func(d *docParams) *stripe.IdentityVerificationSessionCreateParams {
		return document(&stripe.IdentityVerificationSessionCreateOptionsParams{Document: (*stripe.IdentityVerificationSessionCreateOptionsDocumentParams)(d)})
	}
	removed := func() *stripe.IdentityVerificationSessionCreateParams {
		o := &stripe.IdentityVerificationSessionCreateOptionsParams{}
		o.AddUnsetField(stripe.IdentityVerificationSessionCreateOptionsParamsUnsetFieldDocument)
		return document(o)
	}
	tests := []struct {
		name      string
		caller    auth.Principal
		policy    Policy
		params    *stripe.IdentityVerificationSessionCreateParams
		wantParam string     // of a ForbiddenError
		wantDoc   *docParams // sent options.document
		wantUnset bool       // sent options with document unset
	}{
		{"an empty policy sends options as given", alice, Policy{},
			withDoc(&docParams{RequireMatchingSelfie: stripe.Bool(false)}), "", &docParams{RequireMatchingSelfie: stripe.Bool(false)}, false},
		{"an empty policy lets document options be removed", alice, Policy{}, removed(), "", nil, true},
		{"a type the policy does not list is refused on type", alice, Policy{Types: []string{"document"}},
			&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")}, "type", nil, false},
		{"a verification flow is refused when flows are not listed", alice, Policy{Types: []string{"document", "id_number"}},
			&stripe.IdentityVerificationSessionCreateParams{VerificationFlow: stripe.String("vf_1")}, "verification_flow", nil, false},
		{"a listed verification flow gets no document options", alice, Policy{Types: []string{"verification_flow"}, Document: strict},
			&stripe.IdentityVerificationSessionCreateParams{VerificationFlow: stripe.String("vf_1")}, "", nil, false},
		{"an id_number session gets no document options when the policy allows any type", alice, Policy{Document: strict},
			&stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")}, "", nil, false},
		{"a document session without options gets every requirement imposed", alice, Policy{Document: strict},
			document(nil), "", allTrue("passport", "id_card"), false},
		{"options without a document object get it imposed", alice, Policy{Document: strict},
			document(&stripe.IdentityVerificationSessionCreateOptionsParams{}), "", allTrue("passport", "id_card"), false},
		{"a requirement left out is imposed beside the options given", alice, Policy{Document: selfieOnly},
			withDoc(&docParams{RequireLiveCapture: stripe.Bool(true)}), "",
			&docParams{RequireMatchingSelfie: stripe.Bool(true), RequireLiveCapture: stripe.Bool(true)}, false},
		{"an option the policy does not require may be turned off", alice, Policy{Document: selfieOnly},
			withDoc(&docParams{RequireLiveCapture: stripe.Bool(false)}), "",
			&docParams{RequireMatchingSelfie: stripe.Bool(true), RequireLiveCapture: stripe.Bool(false)}, false},
		{"a selfie check turned off is refused", alice, Policy{Document: strict},
			withDoc(&docParams{RequireMatchingSelfie: stripe.Bool(false)}), "options[document][require_matching_selfie]", nil, false},
		{"live capture turned off is refused", alice, Policy{Document: strict},
			withDoc(&docParams{RequireLiveCapture: stripe.Bool(false)}), "options[document][require_live_capture]", nil, false},
		{"an ID number check turned off is refused", alice, Policy{Document: strict},
			withDoc(&docParams{RequireIDNumber: stripe.Bool(false)}), "options[document][require_id_number]", nil, false},
		{"allowed types within the policy's are kept", alice, Policy{Document: strict},
			withDoc(&docParams{AllowedTypes: stripe.StringSlice([]string{"passport"})}), "", allTrue("passport"), false},
		{"an allowed type outside the policy's is refused", alice, Policy{Document: strict},
			withDoc(&docParams{AllowedTypes: stripe.StringSlice([]string{"passport", "driving_license"})}), "options[document][allowed_types]", nil, false},
		{"cleared allowed types are refused", alice, Policy{Document: strict},
			withDoc(&docParams{AllowedTypes: []*string{}}), "options[document][allowed_types]", nil, false},
		{"a missing allowed type is refused", alice, Policy{Document: strict},
			withDoc(&docParams{AllowedTypes: []*string{nil}}), "options[document][allowed_types]", nil, false},
		{"removed document options are refused", alice, Policy{Document: selfieOnly}, removed(), "options[document]", nil, false},
		{"the policy does not bind a server key", serverKey, Policy{Types: []string{"id_number"}, Document: strict},
			withDoc(&docParams{RequireMatchingSelfie: stripe.Bool(false)}), "", &docParams{RequireMatchingSelfie: stripe.Bool(false)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			before := *tt.params
			var beforeDoc *docParams
			if tt.params.Options != nil && tt.params.Options.Document != nil {
				d := *tt.params.Options.Document
				beforeDoc = (*docParams)(&d)
			}
			_, err := New(s, tt.policy).Create(as(tt.caller), tt.params)
			if tt.wantParam != "" {
				wantForbidden(t, err, tt.wantParam)
				if calls := s.ops(); len(calls) != 0 {
					t.Errorf("calls = %v, want none", calls)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			doc, unset := docOf(s.last("Create").(*stripe.IdentityVerificationSessionCreateParams).Options)
			if !reflect.DeepEqual(doc, tt.wantDoc) || unset != tt.wantUnset {
				t.Errorf("sent document %s (unset %v), want %s (unset %v)", show(doc), unset, show(tt.wantDoc), tt.wantUnset)
			}
			if !reflect.DeepEqual(*tt.params, before) {
				t.Error("the caller's params were changed")
			}
			if beforeDoc != nil && !reflect.DeepEqual((*docParams)(tt.params.Options.Document), beforeDoc) {
				t.Error("the caller's document options were changed")
			}
		})
	}
}

func TestPolicyOnUpdate(t *testing.T) {
	withDoc := func(d *docParams) *stripe.IdentityVerificationSessionUpdateParams {
		return &stripe.IdentityVerificationSessionUpdateParams{Options: &stripe.IdentityVerificationSessionUpdateOptionsParams{
			Document: (*stripe.IdentityVerificationSessionUpdateOptionsDocumentParams)(d)}}
	}
	metadataOnly := func() *stripe.IdentityVerificationSessionUpdateParams {
		p := &stripe.IdentityVerificationSessionUpdateParams{}
		p.AddMetadata("plan", "pro")
		return p
	}
	// vs_alice is a document session requiring a selfie and a passport;
	// vs_bob an id_number session.
	tests := []struct {
		name      string
		caller    auth.Principal
		id        string
		policy    Policy
		params    *stripe.IdentityVerificationSessionUpdateParams
		wantParam string
		wantDoc   *docParams
		calls     []string
	}{
		{"leaving options out changes nothing", alice, "vs_alice", Policy{Document: strict},
			metadataOnly(), "", nil, []string{"Retrieve", "Update"}},
		{"a change to a type the policy does not list is refused after the ownership retrieve", alice, "vs_alice",
			Policy{Types: []string{"document"}}, &stripe.IdentityVerificationSessionUpdateParams{Type: stripe.String("id_number")},
			"type", nil, []string{"Retrieve"}},
		{"a change to a listed type passes", alice, "vs_alice", Policy{Types: []string{"document", "id_number"}, Document: strict},
			&stripe.IdentityVerificationSessionUpdateParams{Type: stripe.String("id_number")}, "", nil, []string{"Retrieve", "Update"}},
		{"given document options get the requirements left out, and the session's narrower list", alice, "vs_alice", Policy{Document: strict},
			withDoc(&docParams{RequireLiveCapture: stripe.Bool(true)}), "", allTrue("passport"), []string{"Retrieve", "Update"}},
		{"allowed types left out become the policy's when the session's are outside it", alice, "vs_alice",
			Policy{Document: DocumentPolicy{AllowedTypes: []string{"id_card"}}},
			withDoc(&docParams{}), "", &docParams{AllowedTypes: stripe.StringSlice([]string{"id_card"})}, []string{"Retrieve", "Update"}},
		{"a selfie check turned off is refused", alice, "vs_alice", Policy{Document: selfieOnly},
			withDoc(&docParams{RequireMatchingSelfie: stripe.Bool(false)}), "options[document][require_matching_selfie]", nil, []string{"Retrieve"}},
		{"allowed types outside the policy's are refused", alice, "vs_alice", Policy{Document: strict},
			withDoc(&docParams{AllowedTypes: stripe.StringSlice([]string{"driving_license"})}), "options[document][allowed_types]", nil, []string{"Retrieve"}},
		{"removing the document options is refused", alice, "vs_alice", Policy{Document: selfieOnly},
			func() *stripe.IdentityVerificationSessionUpdateParams {
				p := &stripe.IdentityVerificationSessionUpdateParams{Options: &stripe.IdentityVerificationSessionUpdateOptionsParams{}}
				p.Options.AddUnsetField(stripe.IdentityVerificationSessionUpdateOptionsParamsUnsetFieldDocument)
				return p
			}(), "options[document]", nil, []string{"Retrieve"}},
		{"a change of type to document imposes the document options", bob, "vs_bob", Policy{Document: selfieOnly},
			&stripe.IdentityVerificationSessionUpdateParams{Type: stripe.String("document")}, "",
			&docParams{RequireMatchingSelfie: stripe.Bool(true)}, []string{"Retrieve", "Update"}},
		{"an id_number session's document options are not the policy's", bob, "vs_bob", Policy{Document: selfieOnly},
			withDoc(&docParams{RequireMatchingSelfie: stripe.Bool(false)}), "",
			&docParams{RequireMatchingSelfie: stripe.Bool(false)}, []string{"Retrieve", "Update"}},
		{"another user's session is not found before the policy is looked at", bob, "vs_alice", Policy{Document: selfieOnly},
			withDoc(&docParams{RequireMatchingSelfie: stripe.Bool(false)}), "", nil, []string{"Retrieve"}},
		{"the policy does not bind a server key", serverKey, "vs_alice", Policy{Document: selfieOnly},
			withDoc(&docParams{RequireMatchingSelfie: stripe.Bool(false)}), "",
			&docParams{RequireMatchingSelfie: stripe.Bool(false)}, []string{"Update"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			var before *stripe.IdentityVerificationSessionUpdateOptionsParams
			if tt.params.Options != nil {
				o := *tt.params.Options
				before = &o
			}
			_, err := New(s, tt.policy).Update(as(tt.caller), tt.id, tt.params)
			if calls := s.ops(); !slices.Equal(calls, tt.calls) {
				t.Errorf("calls = %v, want %v", calls, tt.calls)
			}
			if !reflect.DeepEqual(tt.params.Options, before) {
				t.Error("the caller's options were changed")
			}
			switch {
			case tt.wantParam != "":
				wantForbidden(t, err, tt.wantParam)
			case !slices.Contains(tt.calls, "Update"):
				var se *stripe.Error
				if !errors.As(err, &se) || se.HTTPStatusCode != 404 {
					t.Errorf("err = %v, want the 404 of a nonexistent session", err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				doc, _ := docOf(s.last("Update").(*stripe.IdentityVerificationSessionUpdateParams).Options)
				if !reflect.DeepEqual(doc, tt.wantDoc) {
					t.Errorf("sent document %s, want %s", show(doc), show(tt.wantDoc))
				}
			}
		})
	}
}

func TestPolicyMessagesSayWhatIsRequired(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		params *stripe.IdentityVerificationSessionCreateParams
		want   string
	}{
		{"a selfie check", Policy{Document: selfieOnly}, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
			Options: &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{RequireMatchingSelfie: stripe.Bool(false)}}},
			"This app requires a selfie check (requireMatchingSelfie); it cannot be turned off."},
		{"document types", Policy{Document: strict}, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"),
			Options: &stripe.IdentityVerificationSessionCreateOptionsParams{Document: &stripe.IdentityVerificationSessionCreateOptionsDocumentParams{AllowedTypes: stripe.StringSlice([]string{"driving_license"})}}},
			`This app accepts only these documents: passport, id_card (allowedTypes); "driving_license" is not one of them.`},
		{"session types", Policy{Types: []string{"document"}}, &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")},
			"This app does not let users create id_number sessions; it allows: document."},
	}
	for _, tt := range tests {
		t.Run("the message names "+tt.name, func(t *testing.T) {
			_, err := New(newStore(t), tt.policy).Create(as(alice), tt.params)
			var fe *auth.ForbiddenError
			if !errors.As(err, &fe) || fe.Message != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPolicyEmpty(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		want   bool
	}{
		{"the zero policy is empty", Policy{}, true},
		{"a policy with types is not", Policy{Types: []string{"document"}}, false},
		{"a policy with a requirement is not", Policy{Document: DocumentPolicy{RequireLiveCapture: true}}, false},
		{"a policy with document types is not", Policy{Document: DocumentPolicy{AllowedTypes: []string{"passport"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.policy.Empty(); got != tt.want {
				t.Errorf("Empty() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewKeepsItsOwnCopyOfThePolicy(t *testing.T) {
	p := Policy{Types: []string{"document"}}
	c := New(newStore(t), p)
	p.Types[0] = "id_number"
	_, err := c.Create(as(alice), &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number")})
	wantForbidden(t, err, "type")
}

func show(d *docParams) string {
	if d == nil {
		return "none"
	}
	b := func(p *bool) string {
		if p == nil {
			return "-"
		}
		if *p {
			return "true"
		}
		return "false"
	}
	var types []string
	for _, t := range d.AllowedTypes {
		types = append(types, stripe.StringValue(t))
	}
	return "{selfie " + b(d.RequireMatchingSelfie) + " live " + b(d.RequireLiveCapture) + " id " + b(d.RequireIDNumber) + " types [" + strings.Join(types, " ") + "]}"
}
