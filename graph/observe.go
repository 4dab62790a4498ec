package graph

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/idgraph/idgraph/internal/accesslog"
	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/requestid"
	"github.com/idgraph/idgraph/internal/tracing"
)

// This file makes GraphQL operations observable: each one's name, type,
// caller kind and error codes in the request's access line, its count and
// latency in the metrics, and a span of its own between the HTTP request's
// and the Stripe calls'. Nothing of the operation's variables, arguments or
// results goes anywhere.

// OperationRecorder is where Observe counts operations; *metrics.Metrics is
// one. (An interface, so that graph does not depend on Prometheus.)
type OperationRecorder interface {
	// Operation records an operation's name ("" when anonymous), type (""
	// when the request named no valid operation), outcome
	// (accesslog.OutcomeOK, accesslog.OutcomeClientClosed or the first
	// error's code) and duration.
	Operation(name, typ, outcome string, d time.Duration)
}

// noCode is the code recorded for an error without extensions.code; the
// error presenter gives every error one, so it means a presenter bypassed.
const noCode = "NO_CODE"

// maxSpanName bounds the operation name in a span's name and attributes;
// longer names (GraphQL sets no limit) are cut.
const maxSpanName = 64

// observedKey marks, in an operation's Stats, that InterceptOperation has
// it in hand: InterceptResponse then leaves its responses alone.
const observedKey = "idgraph.observe"

// Observe returns the gqlgen extension that observes each operation. Use it
// first (srv.Use(graph.Observe(m)) before the other extensions), so that it
// sees what they refuse too. It records:
//
//   - in the access log (accesslog.SetCaller, SetOperation, AddErrorCodes):
//     the caller's kind, the operation's name and type, and the
//     extensions.code of every error of the answer;
//   - in m: the operation with its outcome and duration (from the start of
//     the request's handling, parsing included);
//   - a span "graphql.<type> <name>" with graphql.operation.name,
//     graphql.operation.type and the request ID, and the error codes;
//     Stripe calls made by the operation are its children.
//
// Request errors (the document does not parse or validate, the variables do
// not coerce, a limit refuses the operation) never reach an operation
// interceptor: gqlgen answers them with DispatchError, which runs the
// response interceptors, where Observe records them.
//
// m may be nil: then nothing is counted.
func Observe(m OperationRecorder) graphql.HandlerExtension {
	return &observer{metrics: m}
}

type observer struct {
	metrics OperationRecorder
	// tracerProvider makes the spans; nil means OpenTelemetry's global one,
	// looked up for each operation so that tracing.Setup may come later.
	tracerProvider trace.TracerProvider
}

var (
	_ graphql.HandlerExtension     = (*observer)(nil)
	_ graphql.OperationInterceptor = (*observer)(nil)
	_ graphql.ResponseInterceptor  = (*observer)(nil)
)

func (*observer) ExtensionName() string                   { return "Observe" }
func (*observer) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation observes an operation that passed parsing and
// validation, once its answer is made (or the client went away first).
func (o *observer) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	opCtx.Stats.SetExtension(observedKey, true)
	op := o.begin(ctx, opCtx)
	responses := next(op.ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp != nil {
			op.add(ctx, resp.Errors)
		}
		// A query or mutation has one answer; a subscription's stream ends
		// with nil, which is no client gone unless its context ended.
		if op.typ != "subscription" || resp == nil {
			op.end(ctx, resp == nil && op.typ != "subscription")
		}
		return resp
	}
}

// InterceptResponse observes the answers of request errors; the responses
// of operations InterceptOperation has in hand pass through.
func (o *observer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	var opCtx *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		opCtx = graphql.GetOperationContext(ctx)
		if opCtx.Stats.GetExtension(observedKey) != nil {
			return next(ctx)
		}
	}
	op := o.begin(ctx, opCtx)
	resp := next(op.ctx)
	if resp != nil {
		op.add(ctx, resp.Errors)
	}
	op.end(ctx, resp == nil)
	return resp
}

// operation is one operation under observation.
type operation struct {
	o         *observer
	ctx       context.Context // the operation's, with its span
	span      trace.Span
	name, typ string
	start     time.Time
	outcome   string // the first error's code; "" without errors
}

// begin records what is known before an operation runs; opCtx is nil for a
// request error that came before gqlgen read the request.
func (o *observer) begin(ctx context.Context, opCtx *graphql.OperationContext) *operation {
	op := &operation{o: o, start: graphql.Now()}
	if opCtx != nil {
		op.name, op.typ = opCtx.OperationName, ""
		if opCtx.Operation != nil {
			op.name, op.typ = opCtx.Operation.Name, string(opCtx.Operation.Operation)
		}
		if !opCtx.Stats.OperationStart.IsZero() {
			op.start = opCtx.Stats.OperationStart
		}
	}
	accesslog.SetCaller(ctx, callerKind(auth.FromContext(ctx)))
	accesslog.SetOperation(ctx, op.name, op.typ)

	tp := o.tracerProvider
	if tp == nil {
		if !tracing.Enabled() {
			// No spans to make: skip building one that goes nowhere.
			op.ctx, op.span = ctx, noop.Span{}
			return op
		}
		tp = otel.GetTracerProvider()
	}
	name, typ := op.name, op.typ
	if typ == "" {
		// Never parsed or validated: the client's name is no fact.
		name, typ = "", "invalid"
	}
	name = cut(name, maxSpanName)
	attrs := []attribute.KeyValue{attribute.String("graphql.operation.type", typ)}
	spanName := "graphql." + typ
	if name != "" {
		attrs = append(attrs, attribute.String("graphql.operation.name", name))
		spanName += " " + name
	}
	if id := requestid.FromContext(ctx); id != "" {
		attrs = append(attrs, tracing.RequestIDKey.String(id))
	}
	op.ctx, op.span = tp.Tracer("github.com/idgraph/idgraph/graph").Start(ctx, spanName,
		trace.WithTimestamp(op.start), trace.WithAttributes(attrs...))
	return op
}

// add records the codes of errs, in the access log and as the outcome.
func (op *operation) add(ctx context.Context, errs gqlerror.List) {
	if len(errs) == 0 {
		return
	}
	var codes []string // distinct, in order; a page of 100 NOT_FOUNDs is one
	for _, e := range errs {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = noCode
		}
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	accesslog.AddErrorCodes(ctx, codes...)
	op.span.SetAttributes(attribute.StringSlice("graphql.error.codes", codes))
	if op.outcome == "" {
		op.outcome = codes[0]
	}
}

// end counts the operation and ends its span; gone tells that no answer
// was made (the client went away first).
func (op *operation) end(ctx context.Context, gone bool) {
	outcome := op.outcome
	switch {
	case gone || errors.Is(ctx.Err(), context.Canceled):
		// Whatever the answer says (a Stripe call that failed as its
		// context ended), nobody reads it.
		outcome = accesslog.OutcomeClientClosed
	case outcome == "":
		outcome = accesslog.OutcomeOK
	}
	if op.o.metrics != nil {
		op.o.metrics.Operation(op.name, op.typ, outcome, graphql.Now().Sub(op.start))
	}
	if outcome != accesslog.OutcomeOK {
		op.span.SetStatus(codes.Error, outcome)
	}
	op.span.End()
}

// callerKind is the kind of a principal, for the access log: never who.
func callerKind(p auth.Principal) string {
	switch p.Kind {
	case auth.EndUser:
		return "end_user"
	case auth.Server:
		return "server"
	case auth.Development:
		return "development"
	}
	return "none"
}

// cut keeps the first n bytes of s.
func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
