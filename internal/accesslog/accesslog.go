package accesslog

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// The outcomes of a request in its line.
const (
	// OutcomeOK: answered, with no error status and no GraphQL error.
	OutcomeOK = "ok"
	// OutcomeError: answered with a 4xx or 5xx status or GraphQL errors.
	OutcomeError = "error"
	// OutcomeClientClosed: the client went away before the answer was
	// complete; whatever idgraph wrote, nobody read it.
	OutcomeClientClosed = "client_closed"
	// OutcomeAborted: the handler panicked through the middleware (an
	// http.ErrAbortHandler, which chi's Recoverer passes on).
	OutcomeAborted = "aborted"
)

// Middleware logs one line per request at its end: method, route (chi's
// route pattern, "/verify/*", never the path: the hosted page's paths
// carry a session's secret token), status, bytes, duration, outcome, the
// caller's kind and, for GraphQL requests, the operation's name and type
// and the error codes of the answer (SetCaller, SetOperation,
// AddErrorCodes). The request ID joins the line through the context
// (requestid.LogHandler), so Middleware goes after requestid.Middleware.
//
// The level is Error for a 5xx answer only, Warn for an aborted one and
// Info otherwise: a GraphQL error is the client's business or was logged
// where it happened, and a client that went away is no failure of
// idgraph's.
func Middleware(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			e := &entry{}
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			returned := false
			defer func() {
				// A panic that goes through (chi's Recoverer passes
				// http.ErrAbortHandler on) still gets its line.
				if !returned {
					write(logger, r, ww, e, start, OutcomeAborted)
				}
			}()
			next.ServeHTTP(ww, r.WithContext(newContext(r.Context(), e)))
			returned = true
			write(logger, r, ww, e, start, "")
		})
	}
}

func write(logger *slog.Logger, r *http.Request, ww middleware.WrapResponseWriter, e *entry, start time.Time, outcome string) {
	ctx := r.Context()
	route := "unmatched"
	if rctx := chi.RouteContext(ctx); rctx != nil && rctx.RoutePattern() != "" {
		route = rctx.RoutePattern()
	}
	status := ww.Status()
	if status == 0 && outcome == "" {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	caller, opName, opType, codes := e.snapshot()
	// The request's context ends when the client goes away (or, for
	// HTTP/2, resets the stream); it is not yet done when a handler
	// returns normally, as net/http cancels it only after the outermost
	// handler. An answer that was complete before the client left is not
	// held back by the server (a small body is buffered until the handler
	// returns, a large one ends with its last chunk), so a canceled
	// context here means the client did not get the whole answer.
	level := slog.LevelInfo
	switch {
	case outcome == OutcomeAborted:
		level = slog.LevelWarn
	case errors.Is(ctx.Err(), context.Canceled):
		outcome = OutcomeClientClosed
	case status >= 500:
		outcome, level = OutcomeError, slog.LevelError
	case status >= 400 || codes != "":
		outcome = OutcomeError
	default:
		outcome = OutcomeOK
	}
	attrs := make([]slog.Attr, 0, 11)
	attrs = append(attrs,
		slog.String("method", method(r.Method)),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int("bytes", ww.BytesWritten()),
		slog.Duration("duration", time.Since(start)),
		slog.String("outcome", outcome),
		slog.String("caller", caller),
	)
	if opName != "" || opType != "" {
		attrs = append(attrs, slog.String("operation", opName), slog.String("operation_type", opType))
	}
	if codes != "" {
		attrs = append(attrs, slog.String("error_codes", codes))
	}
	// Straight to the handler: Logger.LogAttrs would also take the
	// caller's program counter (runtime.Callers), which an access line
	// does not use.
	h := logger.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, "http request", 0)
	rec.AddAttrs(attrs...)
	_ = h.Handle(ctx, rec)
}

// method is r.Method when it is one of HTTP's, "OTHER" otherwise: net/http
// accepts any token as a method, and the log does not echo a client's
// choice.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "OTHER"
}
