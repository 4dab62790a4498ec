package requestid

import (
	"context"
	"log/slog"
)

// LogKey is the attribute LogHandler adds to log records.
const LogKey = "request_id"

// LogHandler wraps h so that every record logged with a context that
// carries a request ID (logger.InfoContext, logger.LogAttrs(ctx, ...))
// gets a request_id attribute: the log lines of one request can then be
// found together, whichever package wrote them. Records logged without a
// context, or with one of no request, pass unchanged.
//
// The attribute joins the record, so under a logger's WithGroup it lands in
// that group, as every attribute of the record does.
func LogHandler(h slog.Handler) slog.Handler {
	if lh, ok := h.(logHandler); ok {
		return lh // wrapping twice would add the ID twice
	}
	return logHandler{h}
}

type logHandler struct{ next slog.Handler }

func (h logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := FromContext(ctx); id != "" {
			// A clone: the record may go on to other handlers.
			r = r.Clone()
			r.AddAttrs(slog.String(LogKey, id))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{h.next.WithAttrs(attrs)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.next.WithGroup(name)}
}
