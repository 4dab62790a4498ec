package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stripe/stripe-go/v85"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/idgraph/idgraph/graph/model"
	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
	"github.com/idgraph/idgraph/internal/events"
	"github.com/idgraph/idgraph/internal/requestid"
)

// This file is the one place where errors become what clients see: GraphQL
// errors with extensions.code (ErrorPresenter) or, for mutations, userErrors
// (userErrorsFrom). Resolvers return errors as they get them.

// Code is the extensions.code of a GraphQL error.
type Code string

// The codes of GraphQL errors idgraph sends; the README explains each.
const (
	CodeNotFound            Code = "NOT_FOUND"
	CodeBadUserInput        Code = "BAD_USER_INPUT"
	CodeConflict            Code = "CONFLICT"
	CodeRateLimited         Code = "RATE_LIMITED"
	CodeUpstreamUnavailable Code = "UPSTREAM_UNAVAILABLE"
	CodeUpstreamTimeout     Code = "UPSTREAM_TIMEOUT"
	CodeUnauthenticated     Code = "UNAUTHENTICATED"
	CodeForbidden           Code = "FORBIDDEN"
	CodeInternal            Code = "INTERNAL"
	// CodeTooManySubscriptions: the caller (or idgraph) holds as many
	// subscriptions as allowed; end one and subscribe again.
	CodeTooManySubscriptions Code = "TOO_MANY_SUBSCRIPTIONS"
	// CodeUnavailable: idgraph is shutting down; retry, and another
	// replica (or this one restarted) answers.
	CodeUnavailable Code = "UNAVAILABLE"
)

// inputError is an error idgraph finds in the input itself, before any call
// to Stripe. Field is the path into the input, when there is one.
type inputError struct {
	code    Code
	field   []string
	message string
}

func (e *inputError) Error() string { return e.message }

func badInput(field []string, message string) error {
	return &inputError{code: CodeBadUserInput, field: field, message: message}
}

func notFound(message string) error {
	return &inputError{code: CodeNotFound, field: []string{"id"}, message: message}
}

// emulatorStorageFailed is the code of the embedded emulator's 503 when its
// database fails (emulator.StorageFailedCode; graph speaks to the emulator
// only through stripe-go, as to Stripe, so the code is repeated here).
const emulatorStorageFailed = "emulator_storage_failed"

// stripeFailure is how one Stripe error reads in GraphQL.
type stripeFailure struct {
	code     Code
	userCode model.UserErrorCode // empty: not the caller's to fix
	message  string
}

// classify maps a Stripe error (type, code, param, HTTP status) to a GraphQL
// code and, where the caller can fix it, a userError code. Stripe's own
// message is not passed on: it is upstream text, written for Stripe's users.
func classify(e *stripe.Error) stripeFailure {
	switch {
	case e.HTTPStatusCode == http.StatusNotFound:
		// The session of the request's path does not exist; Stripe names
		// the path parameter in param ("session"), which is no input field.
		return stripeFailure{CodeNotFound, model.UserErrorCodeNotFound, "No verification session has this ID."}
	case e.Code == stripe.ErrorCodeResourceMissing:
		// An ID given in a parameter (related_customer, starting_after)
		// names nothing: the parameter is wrong, not the session.
		return stripeFailure{CodeBadUserInput, model.UserErrorCodeInvalid, "Stripe has no object with the ID given here."}
	case e.HTTPStatusCode == http.StatusConflict:
		// Also a retry while the first request with its idempotency key
		// still runs: retrying later is right.
		return stripeFailure{CodeConflict, "", "The session is being changed by another request; retry."}
	case e.Type == stripe.ErrorTypeIdempotency:
		return stripeFailure{CodeConflict, model.UserErrorCodeIdempotencyKeyReused,
			"This idempotency key was already used with different input."}
	case e.HTTPStatusCode == http.StatusUnauthorized:
		// idgraph's own key, not the caller's credential: nothing the
		// caller can do, and the operator must hear of it.
		return stripeFailure{CodeInternal, "", "idgraph is misconfigured: Stripe rejected its API key."}
	case e.HTTPStatusCode == http.StatusForbidden:
		return stripeFailure{CodeInternal, "", "idgraph is misconfigured: its Stripe key lacks a permission this operation needs."}
	case e.HTTPStatusCode == http.StatusTooManyRequests:
		return stripeFailure{CodeRateLimited, "", "Too many requests to Stripe; retry later."}
	case e.HTTPStatusCode == http.StatusServiceUnavailable && e.Code == emulatorStorageFailed:
		return stripeFailure{CodeUpstreamUnavailable, "", "The embedded emulator's storage failed: its database cannot be written (see /readyz). Nothing was saved."}
	case e.HTTPStatusCode >= 500:
		return stripeFailure{CodeUpstreamUnavailable, "", "Stripe is unavailable; retry later."}
	case e.Type == stripe.ErrorTypeInvalidRequest && e.Param != "":
		return stripeFailure{CodeBadUserInput, model.UserErrorCodeInvalid, "Stripe rejected this value."}
	case e.Type == stripe.ErrorTypeInvalidRequest && e.Code == "":
		// Stripe's parameter errors name their param; an invalid request
		// without param or code is one the session's status forbids.
		return stripeFailure{CodeBadUserInput, model.UserErrorCodeInvalidState,
			"The session's status does not allow this operation."}
	case e.Type == stripe.ErrorTypeInvalidRequest:
		return stripeFailure{CodeBadUserInput, model.UserErrorCodeInvalid, "Stripe rejected the request."}
	default:
		return stripeFailure{CodeInternal, "", "internal error"}
	}
}

// resolverError marks an error that a resolver returned (or a panic), as
// opposed to one gqlgen raised while reading the request's arguments: an
// unknown resolver error is idgraph's bug, an argument error the client's.
type resolverError struct{ err error }

func (e *resolverError) Error() string { return e.err.Error() }
func (e *resolverError) Unwrap() error { return e.err }

// MarkResolverErrors is the field middleware that marks resolver errors for
// ErrorPresenter. gqlgen reads a field's arguments before it calls the
// middleware, so argument errors stay unmarked.
func MarkResolverErrors(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		err = &resolverError{err}
	}
	return res, err
}

// ErrorPresenter turns any error into the GraphQL error a client sees:
// idgraph's own input errors and Stripe's errors get a code and a message of
// idgraph's; gqlgen's argument errors are BAD_USER_INPUT with gqlgen's
// message (written for clients); anything else is logged once and becomes
// INTERNAL.
func ErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		// Read before setError drops the error chain: gqlErr may be err.
		var me *mutationError
		errors.As(err, &me)
		var (
			te   *budget.ThrottledError
			le   *events.LimitError
			in   *inputError
			fe   *auth.ForbiddenError
			ue   *auth.UnauthenticatedError
			sens *sensitiveError
			se   *stripe.Error
			re   *resolverError
			gerr *gqlerror.Error
		)
		switch {
		case errors.As(err, &te):
			setError(gqlErr, CodeThrottled, "idgraph is holding back calls to Stripe to stay within its rate limits; retry shortly.")
			gqlErr.Extensions["retryAfter"] = te.RetryAfterSeconds()
		case errors.As(err, &le) && le.Scope == events.ScopeCaller:
			setError(gqlErr, CodeTooManySubscriptions, fmt.Sprintf("You have %d subscriptions open, as many as allowed: end one and subscribe again.", le.Limit))
		case errors.As(err, &le):
			setError(gqlErr, CodeTooManySubscriptions, "idgraph holds as many subscriptions as it can; subscribe again later.")
		case errors.Is(err, errShutdown) || errors.Is(err, events.ErrClosed):
			setError(gqlErr, CodeUnavailable, "idgraph is shutting down; subscribe again.")
		case errors.As(err, &in):
			setError(gqlErr, in.code, in.message)
		case errors.As(err, &fe):
			setError(gqlErr, CodeForbidden, fe.Message)
		case errors.As(err, &ue):
			setError(gqlErr, CodeUnauthenticated, ue.Message)
		case errors.As(err, &sens) && errors.As(err, &se) && se.HTTPStatusCode == http.StatusForbidden:
			setError(gqlErr, CodeForbidden, sensitiveRefusal(se))
			if se.RequestID != "" {
				gqlErr.Extensions["stripeRequestId"] = se.RequestID
			}
		case errors.As(err, &sens) && errors.Is(err, errSensitiveChanged):
			setError(gqlErr, CodeConflict, "The session changed while it was read; retry.")
		case errors.As(err, &se):
			f := classify(se)
			setError(gqlErr, f.code, f.message)
			if se.RequestID != "" {
				gqlErr.Extensions["stripeRequestId"] = se.RequestID
			}
			if f.userCode == "" {
				logger.LogAttrs(ctx, slog.LevelError, "stripe error",
					slog.String("code", string(f.code)), slog.Int("status", se.HTTPStatusCode),
					slog.String("stripe_type", string(se.Type)), slog.String("stripe_code", string(se.Code)),
					slog.String("stripe_request_id", se.RequestID))
			}
		case errors.Is(err, context.Canceled):
			// The client went away: nobody reads this answer, and it is
			// not idgraph's failure.
			logger.LogAttrs(ctx, slog.LevelInfo, "request canceled by the client")
			setError(gqlErr, CodeUpstreamUnavailable, "The request was canceled.")
		case errors.Is(err, context.DeadlineExceeded):
			logger.LogAttrs(ctx, slog.LevelWarn, "operation deadline passed", slog.String("error", redact(err)))
			setError(gqlErr, CodeUpstreamTimeout, "Stripe did not answer within the operation's deadline; retry.")
		case isUnavailable(err):
			logger.LogAttrs(ctx, slog.LevelError, "stripe unreachable", slog.String("error", redact(err)))
			setError(gqlErr, CodeUpstreamUnavailable, "Stripe is unreachable; retry later.")
		case errors.As(err, &re):
			logger.LogAttrs(ctx, slog.LevelError, "internal error",
				slog.String("error", err.Error()), slog.Any("path", gqlErr.Path))
			setError(gqlErr, CodeInternal, "internal error")
		case errors.As(err, &gerr):
			// gqlgen's own errors: argument coercion, complexity.
			if _, ok := gqlErr.Extensions["code"]; !ok {
				setError(gqlErr, CodeBadUserInput, gqlErr.Message)
			}
		default:
			logger.LogAttrs(ctx, slog.LevelError, "internal error",
				slog.String("error", err.Error()), slog.Any("path", gqlErr.Path))
			setError(gqlErr, CodeInternal, "internal error")
		}
		if id := requestid.FromContext(ctx); id != "" {
			gqlErr.Extensions["requestId"] = id
		}
		if me != nil {
			gqlErr.Extensions["idempotencyKey"] = me.idempotencyKey
			if code := gqlErr.Extensions["code"]; code == string(CodeUpstreamTimeout) || code == string(CodeUpstreamUnavailable) {
				gqlErr.Message += " The mutation may have happened: retry it with the idempotencyKey of this error's extensions, and it happens once."
			}
		}
		return gqlErr
	}
}

// redact is an error's text for the log without URLs' query strings, which
// carry callers' values (client_reference_id of a list).
func redact(err error) string {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err.Error()
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return ue.Op + ": " + ue.Err.Error()
	}
	return ue.Op + " " + u.Scheme + "://" + u.Host + u.Path + ": " + ue.Err.Error()
}

func setError(e *gqlerror.Error, code Code, message string) {
	e.Message = message
	e.Err = nil
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = string(code)
}

// isUnavailable tells network failures and timeouts on the way to Stripe.
func isUnavailable(err error) bool {
	var (
		ue *url.Error
		ne net.Error
	)
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// Recover turns a panic in a resolver into an INTERNAL error, logged once
// with its stack.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.LogAttrs(ctx, slog.LevelError, "panic in resolver",
			slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
		return &resolverError{errors.New("panic")} // presented as INTERNAL
	}
}

// userErrorsFrom turns an error that the caller of a mutation can fix into
// userErrors; ok is false for any other error, which the resolver returns
// as a GraphQL error.
func userErrorsFrom(err error, m mutation) (ue []model.UserError, ok bool) {
	var (
		in *inputError
		fe *auth.ForbiddenError
		se *stripe.Error
	)
	switch {
	case errors.As(err, &fe):
		u := model.UserError{Message: fe.Message, Code: model.UserErrorCodeForbidden}
		if fe.Param != "" {
			u.Field = inputField(m.metadata)(fe.Param)
		}
		return []model.UserError{u}, true
	case errors.As(err, &in):
		code := model.UserErrorCodeInvalid
		if in.code == CodeNotFound {
			code = model.UserErrorCodeNotFound
		}
		return []model.UserError{{Field: in.field, Message: in.message, Code: code}}, true
	case errors.As(err, &se):
		f := classify(se)
		if f.userCode == "" {
			return nil, false
		}
		u := model.UserError{Message: f.message, Code: f.userCode}
		switch f.userCode {
		case model.UserErrorCodeNotFound:
			u.Field = []string{"id"}
		case model.UserErrorCodeIdempotencyKeyReused:
			u.Field = []string{"idempotencyKey"}
		case model.UserErrorCodeInvalidState:
			if !m.existing {
				// A new session has no status: the request itself was wrong.
				u.Code, u.Message = model.UserErrorCodeInvalid, "Stripe rejected the request."
			}
		case model.UserErrorCodeInvalid:
			if se.Param != "" {
				u.Field = inputField(m.metadata)(se.Param)
				u.Message = "Stripe rejected the value of " + pathString(u.Field) + "."
			}
		}
		return []model.UserError{u}, true
	}
	return nil, false
}

// sensitiveRefusal says which of Stripe's rules on sensitive verification
// results refused them, and what fixes it: Stripe serves them only to a
// restricted key with the "Access recent sensitive verification results" permission,
// and to such a key only within 48 hours of the verification unless the key
// is IP-restricted.
func sensitiveRefusal(e *stripe.Error) string {
	msg := strings.ToLower(e.Msg)
	if strings.Contains(msg, "48 hours") || strings.Contains(msg, "ip restrict") || strings.Contains(msg, "ip-restrict") {
		return "Stripe serves sensitive verification results only within 48 hours of the verification, unless idgraph's restricted key is IP-restricted; the operator can add an IP restriction to the key."
	}
	return "Stripe serves sensitive verification results only to a restricted API key with the \"Access recent sensitive verification results\" permission; the operator must give idgraph such a key (rk_…) instead of a secret key."
}
