package graph

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// serverSentEvents serves GraphQL over Server-Sent Events (the GraphQL
// over SSE protocol's distinct connections mode): a POST with Accept:
// text/event-stream and a JSON body, answered by a stream of `next` events
// and a `complete`. It is gqlgen's transport.SSE behind POST's own reading
// of the body, so that a body over the limit, or one that is not a
// well-formed request, is refused in idgraph's words before gqlgen, whose
// messages quote Go's decoding errors and the body, reads it. The HTTP
// middleware authenticates it, as any POST: fetch-based SSE clients send
// headers.
type serverSentEvents struct {
	gql          transport.SSE
	live         *live
	maxBodyBytes int64
}

var _ graphql.Transport = (*serverSentEvents)(nil)

func newServerSentEvents(opts Options, lv *live) *serverSentEvents {
	return &serverSentEvents{
		// Comments (": ping") keep proxies from closing an idle stream.
		gql:          transport.SSE{KeepAlivePingInterval: lv.opts.KeepAlive},
		live:         lv,
		maxBodyBytes: opts.MaxBodyBytes,
	}
}

// Supports takes a POST of JSON that accepts text/event-stream.
func (t *serverSentEvents) Supports(r *http.Request) bool { return t.gql.Supports(r) }

// Do reads and checks the body, then streams the operation's responses.
func (t *serverSentEvents) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	if e := checkPOSTContentType(r.Header.Get("Content-Type")); e != nil {
		refuseHTTP(ctx, w, exec, mediaJSON, e)
		return
	}
	body, e := POST{MaxBodyBytes: t.maxBodyBytes}.readBody(w, r)
	if e == nil {
		e = decodePOSTBody(body, &graphql.RawParams{})
	}
	if e != nil {
		refuseHTTP(ctx, w, exec, mediaJSON, e)
		return
	}
	if !t.live.enter() {
		refuseHTTP(ctx, w, exec, mediaJSON, errShuttingDown)
		return
	}
	defer t.live.leave()
	// The body is read: the server's read timeout has done its work, and
	// neither it nor the write timeout may cut the stream. (Through
	// middleware that hides the connection, they stay, and end it.)
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	r = r.WithContext(withLive(ctx, nil))
	r.Body = io.NopCloser(bytes.NewReader(body))
	t.gql.Do(w, r, exec)
}
