package graph

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stripe/stripe-go/v85"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/idgraph/idgraph/graph/model"
	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
	"github.com/idgraph/idgraph/internal/events"
)

// This file serves the subscriptions. A subscription's resolver subscribes
// to the events hub (internal/events), makes the subscription's first read
// from Stripe, and hands gqlgen a channel; every later value is read when
// the transport asks for the next response (the streams extension), that
// is once it has sent the previous one. So an update is read when it can
// be sent, and the changes that came while the subscriber was busy are one
// read: the hub keeps only the newest event of a Latest subscription
// (latest state wins), and the read returns the latest state anyway. The
// Stripe calls of a subscription are thus bounded by its events, and by
// what its subscriber takes. idgraph adds no goroutine to a subscription:
// the transport's own loop (gqlgen's goroutine for the operation on a
// WebSocket, the request's on SSE) waits for the next event.
//
// Each later read is charged to the caller's budget on its own (its cost
// in its update's extensions.cost); a caller whose budget is empty gets
// the update late, not lost. A read that fails sends its error in an
// update (data null) and the subscription goes on, unless the session is
// out of the caller's reach (NOT_FOUND, FORBIDDEN) or their token has
// expired (UNAUTHENTICATED): then that error is the subscription's last
// update.

// streamKey names an operation's stream in its Stats, from the resolver
// to the streams extension.
const streamKey = "idgraph.stream"

// errShutdown is a subscription refused because the handler is shutting
// down.
var errShutdown = errors.New("graph: shutting down")

// errSkip is a read's answer for an event the subscription's filter leaves
// out once its session is read: nothing is sent.
var errSkip = errors.New("graph: event filtered out")

// errExpired ends a subscription when the caller's token expires.
var errExpired = &auth.UnauthenticatedError{Message: "The token has expired: subscribe again with a fresh one."}

// minRetry is the least wait before a read the budget refused is tried
// again.
const minRetry = 50 * time.Millisecond

// subscribeUpdated serves verificationSessionUpdated: the session now, then
// after each change.
func (r *Resolver) subscribeUpdated(ctx context.Context, id string) (<-chan *model.VerificationSession, error) {
	if err := checkSessionID([]string{"id"}, id); err != nil {
		return nil, err
	}
	// Subscribed before the first read, so that no change after it is
	// missed.
	sub, err := r.subscribe(ctx, events.Filter{SessionID: id, Delivery: events.Latest})
	if err != nil {
		return nil, err
	}
	sel := sessionSelection(ctx, "")
	first, err := r.retrieveSession(operationMetered(ctx), id, sel)
	if err != nil {
		sub.Close()
		return nil, err
	}
	s := newStream(ctx, r, sub, true, sessionCalls(sel), func(ctx context.Context, _ events.Event) (*model.VerificationSession, error) {
		return r.retrieveSession(ctx, id, sel)
	})
	s.out <- first
	s.primed = true
	return s.out, nil
}

// subscribeEvents serves verificationSessionEvents: each event, with the
// session read after it when it is selected.
func (r *Resolver) subscribeEvents(ctx context.Context, filter *model.VerificationSessionEventFilter) (<-chan *model.VerificationSessionEvent, error) {
	f, err := eventFilter(filter)
	if err != nil {
		return nil, err
	}
	if f.SessionID != "" && auth.FromContext(ctx).Kind == auth.EndUser {
		// Another user's session is NOT_FOUND, as for a query: tenancy's
		// retrieve says so.
		if _, err := r.Identity.Retrieve(operationMetered(ctx), f.SessionID, &stripe.IdentityVerificationSessionRetrieveParams{}); err != nil {
			return nil, err
		}
	}
	sub, err := r.subscribe(ctx, f)
	if err != nil {
		return nil, err
	}
	var (
		path     = graphql.GetPath(ctx)
		aliases  = fieldAliases(ctx, verificationSessionEventImplementors, "session")
		sel      = sessionSelection(ctx, "", "session")
		statuses = statusFilter(filter)
		calls    = 0
	)
	if len(aliases) > 0 || len(statuses) > 0 {
		calls = sessionCalls(sel)
	}
	s := newStream(ctx, r, sub, false, calls, func(ctx context.Context, e events.Event) (*model.VerificationSessionEvent, error) {
		m := eventFromHub(e)
		if len(aliases) == 0 && len(statuses) == 0 {
			return m, nil
		}
		session, err := r.retrieveSession(ctx, e.SessionID, sel)
		switch {
		case err != nil && len(aliases) == 0:
			// Neither sent nor filtered without its session: the
			// subscriber hears of the failure.
			return m, err
		case err != nil:
			// The event is sent all the same, its session null.
			for _, a := range aliases {
				p := append(path[:len(path):len(path)], ast.PathName(a))
				graphql.AddError(ctx, onPath(err, p))
			}
		case len(statuses) > 0 && !slices.Contains(statuses, session.Status):
			return m, errSkip
		}
		if len(aliases) > 0 {
			m.Session = session
		}
		return m, nil
	})
	return s.out, nil
}

// subscribe opens the hub subscription of f for the caller of ctx: an end
// user's is held to their own sessions, and every one to the caller's
// limit.
func (r *Resolver) subscribe(ctx context.Context, f events.Filter) (*events.Subscription, error) {
	p := auth.FromContext(ctx)
	switch {
	case isClosed(r.draining()):
		return nil, errShutdown
	case !p.Expires.IsZero() && !time.Now().Before(p.Expires):
		return nil, errExpired
	case p.Kind == auth.EndUser && p.Subject != "":
		f.ClientReferenceID = p.Subject
	case !p.FullAccess():
		return nil, &auth.UnauthenticatedError{Message: "This operation needs an authenticated caller."}
	}
	if r.Events == nil {
		return nil, errors.New("graph: no events hub (Options.Events)")
	}
	f.Caller = callerOf(ctx)
	return r.Events.Subscribe(ctx, f)
}

// draining is done when the handler shuts down; nil without a handler.
func (r *Resolver) draining() <-chan struct{} {
	if r.live == nil {
		return nil
	}
	return r.live.draining.Done()
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// sessionCalls is the Stripe calls of one read of a session as sel asks:
// the sensitive fields come from a call of their own.
func sessionCalls(sel selection) int {
	if sel.sensitive != nil {
		return 2
	}
	return 1
}

// fieldAliases are the response names under which the current field's
// selection (of an object of type implementors) selects name.
func fieldAliases(ctx context.Context, implementors []string, name string) []string {
	var out []string
	for _, f := range graphql.CollectFieldsCtx(ctx, implementors) {
		if f.Name == name {
			out = append(out, f.Alias)
		}
	}
	return out
}

// stream is one subscription as the streams extension drives it: its hub
// subscription, the channel gqlgen's generated code reads, and its read.
// Only the transport's loop touches it, one response at a time.
type stream[T any] struct {
	r      *Resolver
	sub    *events.Subscription
	out    chan T // respond fills its one slot, then gqlgen reads it
	latest bool   // a newer event replaces one waiting for the budget
	read   func(ctx context.Context, e events.Event) (T, error)
	calls  int                  // the Stripe calls of one read: an update's price
	caller string               // the budget's caller key
	field  graphql.FieldContext // the subscription field's
	path   ast.Path
	expiry *time.Timer // nil when the credential does not expire

	primed  bool          // out holds the first value, read by the resolver
	ended   bool          // the last update was sent
	pending *events.Event // the event whose read waits for the budget
	retry   *time.Timer   // when to try it again
}

// responder is a stream, as the streams extension sees it.
type responder interface {
	respond(ctx context.Context, next graphql.ResponseHandler) *graphql.Response
}

// newStream makes the stream of sub for the subscription field of ctx, and
// hands it to the streams extension.
func newStream[T any](ctx context.Context, r *Resolver, sub *events.Subscription, latest bool, calls int, read func(context.Context, events.Event) (T, error)) *stream[T] {
	s := &stream[T]{r: r, sub: sub, out: make(chan T, 1), latest: latest, read: read,
		calls: calls, caller: callerOf(ctx), field: *graphql.GetFieldContext(ctx), path: graphql.GetPath(ctx)}
	if exp := auth.FromContext(ctx).Expires; !exp.IsZero() {
		s.expiry = time.NewTimer(time.Until(exp))
	}
	graphql.GetOperationContext(ctx).Stats.SetExtension(streamKey, responder(s))
	return s
}

// respond makes the stream's next response: the first value, or else the
// read after the next event; nil ends the stream (gqlgen then sends
// complete).
func (s *stream[T]) respond(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	// gqlgen marshals each value under the response's context, which
	// knows nothing of the subscription field: without it, the errors of
	// the value's fields would miss it in their paths.
	field := s.field
	ctx = graphql.WithFieldContext(ctx, &field)
	if s.primed {
		s.primed = false
		return next(ctx)
	}
	for !s.ended {
		var (
			notified <-chan events.Event
			expired  <-chan time.Time
			retry    <-chan time.Time
		)
		if s.pending == nil || s.latest {
			notified = s.sub.C()
		}
		if s.expiry != nil {
			expired = s.expiry.C
		}
		if s.retry != nil {
			retry = s.retry.C
		}
		select {
		case <-ctx.Done(): // the subscriber left
			return s.end()
		case <-s.r.draining(): // Shutdown: complete
			return s.end()
		case <-expired:
			return s.fail(ctx, errExpired)
		case e, ok := <-notified:
			if !ok { // the hub closed
				return s.end()
			}
			s.pending = &e
			if s.retry != nil {
				continue // the budget is still empty
			}
		case <-retry:
			s.retry = nil
		}
		resp, wait, skipped := s.update(ctx, next)
		switch {
		case skipped:
			continue
		case wait == 0:
			return resp
		}
		s.retry = time.NewTimer(max(wait, minRetry))
	}
	return nil
}

// update reads and sends the pending event's update, with its cost; wait
// is how long to wait before trying again when the budget holds no call
// now, and skipped tells an event the filter left out (then nothing is
// sent).
func (s *stream[T]) update(ctx context.Context, next graphql.ResponseHandler) (resp *graphql.Response, wait time.Duration, skipped bool) {
	readCtx, res, wait, err := s.reserve(ctx)
	if wait > 0 {
		return nil, wait, false
	}
	if err != nil {
		return s.fail(ctx, err), 0, false
	}
	v, err := s.read(readCtx, *s.pending)
	var te *budget.ThrottledError
	if errors.As(err, &te) && ctx.Err() == nil {
		// The global budget (Stripe's rate limit) refused the call
		// before it was made: the update comes later.
		if res != nil {
			res.Settle(ctx)
		}
		return nil, te.RetryAfter, false
	}
	s.pending = nil
	if res != nil {
		cost := res.Settle(ctx) // a skipped event's read is charged too
		if errors.Is(err, errSkip) {
			return nil, 0, true
		}
		graphql.RegisterExtension(ctx, "cost", cost)
	}
	switch {
	case ctx.Err() != nil:
		return s.end(), 0, false
	case errors.Is(err, errSkip):
		return nil, 0, true
	case err != nil && endsStream(err):
		return s.fail(ctx, err), 0, false
	case err != nil:
		return s.errorResponse(ctx, err), 0, false
	}
	select {
	case <-s.out: // never there: next(ctx) takes each value
	default:
	}
	s.out <- v
	return next(ctx), 0, false
}

// reserve takes an update's Stripe calls from the caller's budget and
// returns ctx metered for them; wait says how long until the budget holds
// them, when it does not now.
func (s *stream[T]) reserve(ctx context.Context) (_ context.Context, _ *budget.Reservation, wait time.Duration, _ error) {
	if s.r.Budget == nil {
		return ctx, nil, 0, nil
	}
	res, err := s.r.Budget.Reserve(ctx, s.caller, s.calls)
	var te *budget.ThrottledError
	switch {
	case errors.As(err, &te):
		return ctx, nil, max(te.RetryAfter, minRetry), nil
	case err != nil:
		return ctx, nil, 0, refusal(err, res)
	}
	return res.Metered(ctx), res, 0, nil
}

// endsStream tells the read errors after which the subscription cannot go
// on: the session is out of the caller's reach, or the caller has no
// valid credential.
func endsStream(err error) bool {
	var (
		ue *auth.UnauthenticatedError
		fe *auth.ForbiddenError
		se *stripe.Error
	)
	return errors.As(err, &ue) || errors.As(err, &fe) || errors.As(err, &se) && se.HTTPStatusCode == http.StatusNotFound
}

// errorResponse is an update that carries err, at the subscription
// field's path, instead of data.
func (s *stream[T]) errorResponse(ctx context.Context, err error) *graphql.Response {
	graphql.AddError(ctx, onPath(err, s.path))
	return &graphql.Response{Errors: graphql.GetErrors(ctx), Extensions: graphql.GetExtensions(ctx)}
}

// onPath is a resolver's err at path, for the error presenter: marked as
// the resolver's, so that an unknown one is INTERNAL rather than taken for
// gqlgen's own (whose text the presenter passes on).
func onPath(err error, path ast.Path) *gqlerror.Error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) && ge.Extensions["code"] != nil {
		// Already presented (the budget's refusal): its code holds.
		return &gqlerror.Error{Err: err, Message: ge.Message, Path: path, Extensions: ge.Extensions}
	}
	return &gqlerror.Error{Err: &resolverError{err}, Message: "internal error", Path: path}
}

// fail sends err as the stream's last update.
func (s *stream[T]) fail(ctx context.Context, err error) *graphql.Response {
	resp := s.errorResponse(ctx, err)
	s.end()
	return resp
}

// end ends the stream; the next response is none.
func (s *stream[T]) end() *graphql.Response {
	s.ended = true
	s.sub.Close()
	if s.expiry != nil {
		s.expiry.Stop()
	}
	if s.retry != nil {
		s.retry.Stop()
	}
	return nil
}

// streams is the extension that makes each response of a subscription
// from its stream. Use it last, inside the cost budget's metering, so that
// a stream's reads are an update's own cost.
type streams struct{}

var _ graphql.ResponseInterceptor = streams{}

func (streams) ExtensionName() string                   { return "Streams" }
func (streams) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse hands a subscription's response to its stream.
func (streams) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if graphql.HasOperationContext(ctx) {
		if s, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(streamKey).(responder); ok {
			return s.respond(ctx, next)
		}
	}
	return next(ctx)
}
