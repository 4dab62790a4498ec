package tenancy

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"
)

// comparable is e without what differs between two calls about two IDs:
// the ID in the message and the request ID (checked apart), and the
// pointers to the response and typed error (whose kind and status are kept).
func comparable(t *testing.T, e *stripe.Error, id string) stripe.Error {
	t.Helper()
	cp := *e
	cp.Msg = strings.ReplaceAll(cp.Msg, id, "<id>")
	cp.RequestID = ""
	if cp.LastResponse == nil {
		t.Fatalf("error %v has no LastResponse", e)
	}
	if cp.LastResponse.RequestID != e.RequestID {
		t.Errorf("LastResponse.RequestID = %q, RequestID = %q", cp.LastResponse.RequestID, e.RequestID)
	}
	cp.LastResponse = &stripe.APIResponse{StatusCode: cp.LastResponse.StatusCode, Status: cp.LastResponse.Status}
	var ire *stripe.InvalidRequestError
	if !errors.As(e, &ire) {
		t.Errorf("error %v does not wrap a *stripe.InvalidRequestError as stripe-go's do", e)
	}
	cp.Err = nil
	return cp
}

func TestAnothersSessionIsIndistinguishableFromANonexistentOne(t *testing.T) {
	for _, op := range sessionOps {
		t.Run(op.name+" of Alice's session by Bob looks like one of a nonexistent session", func(t *testing.T) {
			s := newStore(t)
			c := New(s, Policy{})
			_, foreign := op.run(c, as(bob), "vs_alice")
			foreignCalls := s.ops()
			s.calls = nil
			_, missing := op.run(c, as(bob), "vs_nope")

			var fe, me *stripe.Error
			if !errors.As(foreign, &fe) || !errors.As(missing, &me) {
				t.Fatalf("errors = %v, %v; want two *stripe.Error", foreign, missing)
			}
			// A session read from the session cache has no request ID:
			// neither error has one, or it would tell the two apart.
			if fe.RequestID != "" || me.RequestID != "" {
				t.Errorf("request IDs %q (another's) and %q (nonexistent), want none", fe.RequestID, me.RequestID)
			}
			if got, want := comparable(t, fe, "vs_alice"), comparable(t, me, "vs_nope"); !reflect.DeepEqual(got, want) {
				t.Errorf("another's session gives\n%+v\nand a nonexistent one\n%+v", got, want)
			}
			if got := s.ops(); !slices.Equal(got, foreignCalls) {
				t.Errorf("calls = %v for a nonexistent session, %v for another's", got, foreignCalls)
			}
		})
	}
}

func TestTheSynthesizedNotFoundCarriesNoRequestID(t *testing.T) {
	tests := []struct {
		name    string
		session *stripe.IdentityVerificationSession
	}{
		{"another's session read from Stripe, with a request ID", &stripe.IdentityVerificationSession{ClientReferenceID: "user_bob",
			APIResource: stripe.APIResource{LastResponse: &stripe.APIResponse{RequestID: "req_probe"}}}},
		{"another's session read from the cache, without", &stripe.IdentityVerificationSession{ClientReferenceID: "user_bob"}},
		{"no session", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeClient{t: t, RetrieveFunc: func(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
				return tt.session, nil
			}}
			_, err := New(f, Policy{}).Retrieve(as(alice), "vs_x", nil)
			var se *stripe.Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *stripe.Error", err)
			}
			want := stripe.Error{HTTPStatusCode: 404, Type: stripe.ErrorTypeInvalidRequest, Code: stripe.ErrorCodeResourceMissing,
				Param: "session", Msg: "No such VerificationSession: 'vs_x'",
				DocURL: "https://stripe.com/docs/error-codes/resource-missing"}
			got := *se
			got.LastResponse, got.Err = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("error =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestAForeignCursorIsIndistinguishableFromANonexistentOne(t *testing.T) {
	for _, param := range []string{"starting_after", "ending_before"} {
		t.Run("a "+param+" naming another user's session fails as one naming nothing", func(t *testing.T) {
			s := newStore(t)
			c := New(s, Policy{})
			list := func(id string) (*stripe.Error, []string) {
				s.calls = nil
				p := &stripe.IdentityVerificationSessionListParams{}
				if param == "starting_after" {
					p.StartingAfter = &id
				} else {
					p.EndingBefore = &id
				}
				_, err := c.List(as(bob), p)
				var se *stripe.Error
				if !errors.As(err, &se) {
					t.Fatalf("err = %v, want a *stripe.Error", err)
				}
				return se, s.ops()
			}
			foreign, foreignCalls := list("vs_alice")
			missing, missingCalls := list("vs_nope")

			want := stripe.Error{HTTPStatusCode: 400, Type: stripe.ErrorTypeInvalidRequest, Code: stripe.ErrorCodeResourceMissing,
				Param: param, Msg: "No such verificationsession: '<id>'", DocURL: "https://stripe.com/docs/error-codes/resource-missing",
				APIResource: stripe.APIResource{LastResponse: &stripe.APIResponse{StatusCode: 400, Status: "400 Bad Request"}}}
			if got := comparable(t, foreign, "vs_alice"); !reflect.DeepEqual(got, want) {
				t.Errorf("foreign cursor:\n%+v\nwant\n%+v", got, want)
			}
			if got := comparable(t, missing, "vs_nope"); !reflect.DeepEqual(got, want) {
				t.Errorf("nonexistent cursor:\n%+v\nwant\n%+v", got, want)
			}
			if foreign.RequestID != "" || missing.RequestID != "" {
				t.Errorf("request IDs %q, %q; want none", foreign.RequestID, missing.RequestID)
			}
			if !slices.Equal(foreignCalls, []string{"Retrieve"}) || !slices.Equal(missingCalls, foreignCalls) {
				t.Errorf("calls = %v for another's cursor, %v for a nonexistent one; want one retrieve each", foreignCalls, missingCalls)
			}
		})
	}
	t.Run("the synthesized cursor error equals Stripe's own for a list", func(t *testing.T) {
		s := newStore(t)
		p := &stripe.IdentityVerificationSessionListParams{}
		p.StartingAfter = stripe.String("vs_nope")
		_, stripes := s.ListFunc(context.Background(), p)
		_, ours := New(s, Policy{}).List(as(bob), p)
		var se, oe *stripe.Error
		if !errors.As(stripes, &se) || !errors.As(ours, &oe) {
			t.Fatalf("errors %v, %v", stripes, ours)
		}
		if got, want := comparable(t, oe, "vs_nope"), comparable(t, se, "vs_nope"); !reflect.DeepEqual(got, want) {
			t.Errorf("ours:\n%+v\nStripe's:\n%+v", got, want)
		}
	})
}
