package tenancy

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/identity"
)

// sessionOp is one of the operations on an existing session.
type sessionOp struct {
	name string
	run  func(c *Client, ctx context.Context, id string) (*stripe.IdentityVerificationSession, error)
}

var sessionOps = []sessionOp{
	{"Retrieve", func(c *Client, ctx context.Context, id string) (*stripe.IdentityVerificationSession, error) {
		return c.Retrieve(ctx, id, &stripe.IdentityVerificationSessionRetrieveParams{Expand: []*string{stripe.String("verified_outputs")}})
	}},
	{"Update", func(c *Client, ctx context.Context, id string) (*stripe.IdentityVerificationSession, error) {
		p := &stripe.IdentityVerificationSessionUpdateParams{}
		p.AddMetadata("plan", "pro")
		return c.Update(ctx, id, p)
	}},
	{"Cancel", func(c *Client, ctx context.Context, id string) (*stripe.IdentityVerificationSession, error) {
		return c.Cancel(ctx, id, &stripe.IdentityVerificationSessionCancelParams{})
	}},
	{"Redact", func(c *Client, ctx context.Context, id string) (*stripe.IdentityVerificationSession, error) {
		return c.Redact(ctx, id, &stripe.IdentityVerificationSessionRedactParams{})
	}},
}

// outcome is what a call on a session came to.
type outcome int

const (
	served          outcome = iota
	noSuchSession           // Stripe's 404, real or synthesized
	unauthenticated         // *auth.UnauthenticatedError
)

func TestSessionOperationsByCaller(t *testing.T) {
	tests := []struct {
		name   string
		caller auth.Principal
		id     string
		want   outcome
		// calls is what reaches Stripe; "op" stands for the operation itself.
		calls []string
	}{
		{"Alice works on her own session after one ownership retrieve", alice, "vs_alice", served, []string{"Retrieve", "op"}},
		{"Bob on Alice's session is told it does not exist, after the retrieve only", bob, "vs_alice", noSuchSession, []string{"Retrieve"}},
		{"Alice on a session with no client_reference_id is told it does not exist", alice, "vs_server", noSuchSession, []string{"Retrieve"}},
		{"Bob on a nonexistent session gets Stripe's own 404", bob, "vs_nope", noSuchSession, []string{"Retrieve"}},
		{"a server key works on anyone's session in one call", serverKey, "vs_alice", served, []string{"op"}},
		{"development works on anyone's session in one call", devMode, "vs_bob", served, []string{"op"}},
		{"no principal fails closed without a call", auth.Principal{}, "vs_alice", unauthenticated, nil},
		{"an end user without a subject fails closed without a call", auth.Principal{Kind: auth.EndUser}, "vs_server", unauthenticated, nil},
		{"an unknown kind fails closed without a call", auth.Principal{Kind: 42, Subject: "user_alice"}, "vs_alice", unauthenticated, nil},
	}
	for _, op := range sessionOps {
		for _, tt := range tests {
			t.Run(op.name+": "+tt.name, func(t *testing.T) {
				s := newStore(t)
				c := New(s, Policy{})
				got, err := op.run(c, as(tt.caller), tt.id)

				switch tt.want {
				case served:
					if err != nil || got == nil || got.ID != tt.id {
						t.Fatalf("got %v, %v; want session %s", got, err, tt.id)
					}
				case noSuchSession:
					var se *stripe.Error
					if got != nil || !errors.As(err, &se) || se.HTTPStatusCode != 404 || se.Msg != "No such VerificationSession: '"+tt.id+"'" {
						t.Fatalf("got %v, %v; want Stripe's 404 for %s", got, err, tt.id)
					}
				case unauthenticated:
					var ue *auth.UnauthenticatedError
					if got != nil || !errors.As(err, &ue) {
						t.Fatalf("got %v, %v; want an UnauthenticatedError", got, err)
					}
				}
				want := make([]string, len(tt.calls))
				for i, c := range tt.calls {
					want[i] = strings.ReplaceAll(c, "op", op.name)
				}
				// A retrieve of one's own session is one call, not two.
				want = slices.Compact(want)
				if got := s.ops(); !slices.Equal(got, want) {
					t.Errorf("calls = %v, want %v", got, want)
				}
			})
		}
	}
}

func TestErrorsOfTheClientPassUnchanged(t *testing.T) {
	upstream := &stripe.Error{HTTPStatusCode: 500, Type: stripe.ErrorTypeAPI, RequestID: "req_down"}
	fail := func(context.Context, string, *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		return nil, upstream
	}
	for _, op := range sessionOps {
		t.Run(op.name+" returns the ownership retrieve's error as it is", func(t *testing.T) {
			f := &fakeClient{t: t, RetrieveFunc: fail}
			_, err := op.run(New(f, Policy{}), as(alice), "vs_alice")
			if err != upstream {
				t.Errorf("err = %v, want the client's own", err)
			}
		})
	}
	t.Run("a real 404 reaches an end user as tenancy's own, without Stripe's request ID", func(t *testing.T) {
		s := newStore(t)
		var real error
		s.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
			_, real = s.get(id)
			return nil, real
		}
		_, err := New(s, Policy{}).Retrieve(as(alice), "vs_nope", nil)
		var se, re *stripe.Error
		if !errors.As(err, &se) || !errors.As(real, &re) || re.RequestID == "" {
			t.Fatalf("err = %v from %v, want two *stripe.Error, Stripe's with a request ID", err, real)
		}
		if got, want := comparable(t, se, "vs_nope"), comparable(t, re, "vs_nope"); !reflect.DeepEqual(got, want) || se.RequestID != "" {
			t.Errorf("err = %+v (request ID %q), want Stripe's without its request ID: %+v", got, se.RequestID, want)
		}
	})
	t.Run("a real 404 reaches a server key as it is", func(t *testing.T) {
		s := newStore(t)
		var real error
		s.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
			_, real = s.get(id)
			return nil, real
		}
		_, err := New(s, Policy{}).Retrieve(auth.NewContext(context.Background(), auth.Principal{Kind: auth.Server}), "vs_nope", nil)
		if err == nil || err != real {
			t.Errorf("err = %v, want the client's %v", err, real)
		}
	})
	t.Run("an error of the mutation itself passes unchanged", func(t *testing.T) {
		s := newStore(t)
		s.CancelFunc = func(context.Context, string, *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
			return &stripe.IdentityVerificationSession{ClientSecret: "leak"}, upstream
		}
		got, err := New(s, Policy{}).Cancel(as(alice), "vs_alice", nil)
		if got != nil || err != upstream {
			t.Errorf("got %v, %v; want nil and the client's error", got, err)
		}
	})
}

func TestTheOwnershipRetrieveAsksForNothingMore(t *testing.T) {
	s := newStore(t)
	p := &stripe.IdentityVerificationSessionCancelParams{}
	p.AddExpand("verified_outputs")
	p.SetStripeAccount("acct_connected")
	p.SetIdempotencyKey("idem_1")
	if _, err := New(s, Policy{}).Cancel(as(alice), "vs_alice", p); err != nil {
		t.Fatal(err)
	}
	rp := s.last("Retrieve").(*stripe.IdentityVerificationSessionRetrieveParams)
	if len(rp.Expand) != 0 || rp.IdempotencyKey != nil || stripe.StringValue(rp.StripeAccount) != "acct_connected" {
		t.Errorf("retrieve params = %+v; want no expand, no idempotency key, the same account", rp)
	}
	if s.last("Cancel") != any(p) {
		t.Error("the cancel did not get the caller's params")
	}
}

func TestFullAccessPassesEverythingThroughUnchanged(t *testing.T) {
	for _, caller := range []auth.Principal{serverKey, devMode} {
		s := newStore(t)
		c := New(s, Policy{Types: []string{"document"}, Document: DocumentPolicy{RequireMatchingSelfie: true}})
		ctx := as(caller)

		cp := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("id_number"), ClientReferenceID: stripe.String("user_bob")}
		up := &stripe.IdentityVerificationSessionUpdateParams{Type: stripe.String("id_number")}
		up.AddExtra("options[document]", "")
		lp := &stripe.IdentityVerificationSessionListParams{ClientReferenceID: stripe.String("user_bob")}
		lp.StartingAfter = stripe.String("vs_alice")
		rp := &stripe.IdentityVerificationSessionRetrieveParams{}
		_, _ = c.Create(ctx, cp)
		_, _ = c.Retrieve(ctx, "vs_alice", rp)
		_, _ = c.Update(ctx, "vs_alice", up)
		_, _ = c.List(ctx, lp)

		if got, want := s.ops(), []string{"Create", "Retrieve", "Update", "List"}; !slices.Equal(got, want) {
			t.Errorf("%v: calls = %v, want %v", caller.Kind, got, want)
		}
		for op, want := range map[string]any{"Create": cp, "Retrieve": rp, "Update": up, "List": lp} {
			if s.last(op) != want {
				t.Errorf("%v: %s got other params than the caller's", caller.Kind, op)
			}
		}
		if cp.Options != nil || *lp.ClientReferenceID != "user_bob" {
			t.Errorf("%v: the caller's params were changed", caller.Kind)
		}
	}
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name      string
		caller    auth.Principal
		crid      *string
		wantParam string // of a ForbiddenError; "" for none
		wantSent  string // client_reference_id sent to Stripe
	}{
		{"an end user's session gets their subject", alice, nil, "", "user_alice"},
		{"an end user may name themselves", alice, stripe.String("user_alice"), "", "user_alice"},
		{"an end user naming another user is refused without a call", alice, stripe.String("user_bob"), "client_reference_id", ""},
		{"an end user naming no one (empty) is refused", alice, stripe.String(""), "client_reference_id", ""},
		{"a server key's session keeps what it names", serverKey, stripe.String("user_bob"), "", "user_bob"},
		{"a server key may name no one", serverKey, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			p := &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document"), ClientReferenceID: tt.crid}
			got, err := New(s, Policy{}).Create(as(tt.caller), p)
			if tt.wantParam != "" {
				var fe *auth.ForbiddenError
				if !errors.As(err, &fe) || fe.Param != tt.wantParam || got != nil {
					t.Fatalf("got %v, %v; want a ForbiddenError on %s", got, err, tt.wantParam)
				}
				if calls := s.ops(); len(calls) != 0 {
					t.Errorf("calls = %v, want none", calls)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sent := s.last("Create").(*stripe.IdentityVerificationSessionCreateParams)
			if stripe.StringValue(sent.ClientReferenceID) != tt.wantSent {
				t.Errorf("sent client_reference_id %q, want %q", stripe.StringValue(sent.ClientReferenceID), tt.wantSent)
			}
			if p.ClientReferenceID != tt.crid {
				t.Error("the caller's params were changed")
			}
			if got.ClientSecret == "" {
				t.Error("the creator did not get the client secret")
			}
		})
	}
}

func TestList(t *testing.T) {
	ids := func(t *testing.T, c *Client, caller auth.Principal, p *stripe.IdentityVerificationSessionListParams) []string {
		t.Helper()
		page, err := c.List(as(caller), p)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range page.Sessions {
			ids = append(ids, s.ID)
		}
		return ids
	}
	tests := []struct {
		name   string
		caller auth.Principal
		params func() *stripe.IdentityVerificationSessionListParams
		want   []string
		calls  []string
	}{
		{"an end user lists only their sessions", alice, func() *stripe.IdentityVerificationSessionListParams { return nil },
			[]string{"vs_alice"}, []string{"List"}},
		{"a filter naming the user themselves lists their sessions", bob, func() *stripe.IdentityVerificationSessionListParams {
			return &stripe.IdentityVerificationSessionListParams{ClientReferenceID: stripe.String("user_bob")}
		}, []string{"vs_bob"}, []string{"List"}},
		{"a filter naming another user is empty, with no call", bob, func() *stripe.IdentityVerificationSessionListParams {
			return &stripe.IdentityVerificationSessionListParams{ClientReferenceID: stripe.String("user_alice")}
		}, nil, nil},
		{"a filter naming no one is empty, with no call", bob, func() *stripe.IdentityVerificationSessionListParams {
			return &stripe.IdentityVerificationSessionListParams{ClientReferenceID: stripe.String("")}
		}, nil, nil},
		{"a cursor on the user's own session is checked, then listed", alice, func() *stripe.IdentityVerificationSessionListParams {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.EndingBefore = stripe.String("vs_alice")
			return p
		}, []string{"vs_alice"}, []string{"Retrieve", "List"}},
		{"a created filter passes", alice, func() *stripe.IdentityVerificationSessionListParams {
			p := &stripe.IdentityVerificationSessionListParams{}
			p.Filters.AddFilter("created", "gte", "0")
			return p
		}, []string{"vs_alice"}, []string{"List"}},
		{"a server key lists everyone's sessions", serverKey, func() *stripe.IdentityVerificationSessionListParams { return nil },
			[]string{"vs_alice", "vs_bob", "vs_server"}, []string{"List"}},
		{"a server key's filter on a user is Stripe's to apply", serverKey, func() *stripe.IdentityVerificationSessionListParams {
			return &stripe.IdentityVerificationSessionListParams{ClientReferenceID: stripe.String("user_bob")}
		}, []string{"vs_bob"}, []string{"List"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			got := ids(t, New(s, Policy{}), tt.caller, tt.params())
			if !slices.Equal(got, tt.want) {
				t.Errorf("sessions = %v, want %v", got, tt.want)
			}
			if calls := s.ops(); !slices.Equal(calls, tt.calls) {
				t.Errorf("calls = %v, want %v", calls, tt.calls)
			}
		})
	}

	t.Run("the list sent names the user, and the caller's params stay as they were", func(t *testing.T) {
		s := newStore(t)
		p := &stripe.IdentityVerificationSessionListParams{Status: stripe.String("verified")}
		p.Limit = stripe.Int64(3)
		ids(t, New(s, Policy{}), alice, p)
		sent := s.last("List").(*stripe.IdentityVerificationSessionListParams)
		if sent == p || stripe.StringValue(sent.ClientReferenceID) != "user_alice" ||
			stripe.StringValue(sent.Status) != "verified" || stripe.Int64Value(sent.Limit) != 3 {
			t.Errorf("sent %+v", sent)
		}
		if p.ClientReferenceID != nil || p.Single {
			t.Errorf("the caller's params were changed: %+v", p)
		}
	})

	t.Run("another user's session in Stripe's page is dropped", func(t *testing.T) {
		s := newStore(t)
		s.ListFunc = func(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
			a, _ := s.get("vs_alice")
			b, _ := s.get("vs_bob")
			return identity.Page{Sessions: []*stripe.IdentityVerificationSession{a, b, nil}, HasMore: true}, nil
		}
		page, err := New(s, Policy{}).List(as(alice), nil)
		if err != nil || len(page.Sessions) != 1 || page.Sessions[0].ID != "vs_alice" || !page.HasMore {
			t.Errorf("page = %+v, %v; want only vs_alice, has_more kept", page, err)
		}
	})
}

func TestSecretsOfOthersNeverLeak(t *testing.T) {
	// A Stripe that answers a write with another user's session (it never
	// should): the caller gets no client secret or URL of it.
	other := func() *stripe.IdentityVerificationSession {
		return &stripe.IdentityVerificationSession{ID: "vs_bob", ClientReferenceID: "user_bob", ClientSecret: "vs_secret_bob", URL: "https://verify.stripe.com/start/vs_bob"}
	}
	tests := []struct {
		name string
		run  func(s *store, c *Client) (*stripe.IdentityVerificationSession, error)
	}{
		{"create", func(s *store, c *Client) (*stripe.IdentityVerificationSession, error) {
			s.CreateFunc = func(context.Context, *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
				return other(), nil
			}
			return c.Create(as(alice), &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
		}},
		{"update", func(s *store, c *Client) (*stripe.IdentityVerificationSession, error) {
			s.UpdateFunc = func(context.Context, string, *stripe.IdentityVerificationSessionUpdateParams) (*stripe.IdentityVerificationSession, error) {
				return other(), nil
			}
			return c.Update(as(alice), "vs_alice", nil)
		}},
		{"cancel", func(s *store, c *Client) (*stripe.IdentityVerificationSession, error) {
			s.CancelFunc = func(context.Context, string, *stripe.IdentityVerificationSessionCancelParams) (*stripe.IdentityVerificationSession, error) {
				return other(), nil
			}
			return c.Cancel(as(alice), "vs_alice", nil)
		}},
		{"redact", func(s *store, c *Client) (*stripe.IdentityVerificationSession, error) {
			s.RedactFunc = func(context.Context, string, *stripe.IdentityVerificationSessionRedactParams) (*stripe.IdentityVerificationSession, error) {
				return other(), nil
			}
			return c.Redact(as(alice), "vs_alice", nil)
		}},
		{"retrieve", func(s *store, c *Client) (*stripe.IdentityVerificationSession, error) {
			return c.Retrieve(as(alice), "vs_bob", nil)
		}},
	}
	for _, tt := range tests {
		t.Run("a "+tt.name+" answered with another user's session leaks no secret", func(t *testing.T) {
			s := newStore(t)
			got, err := tt.run(s, New(s, Policy{}))
			if got != nil && (got.ClientSecret != "" || got.URL != "") {
				t.Errorf("got client_secret %q, url %q of %s", got.ClientSecret, got.URL, got.ClientReferenceID)
			}
			if got == nil && err == nil {
				t.Error("got neither a session nor an error")
			}
		})
	}
	t.Run("a server key gets every session's secrets", func(t *testing.T) {
		s := newStore(t)
		got, err := New(s, Policy{}).Retrieve(as(serverKey), "vs_bob", nil)
		if err != nil || got.ClientSecret == "" || got.URL == "" {
			t.Errorf("got %+v, %v", got, err)
		}
	})
}
