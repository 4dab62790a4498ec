package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
)

// wsImplementation accepts WebSockets with coder/websocket, as gqlgen's
// own adapter does, once webSocket.Do has checked the Origin, with three
// differences: it reads within the limit itself and refuses a larger
// message in idgraph's words (coder's own limit closes with its error
// text); a write that the peer does not take within writeTimeout ends the
// connection; and the connection closes with its wsConn's code when that
// ends it.
type wsImplementation struct {
	writeTimeout time.Duration
	pingEvery    time.Duration // graphql-transport-ws's pings, once acknowledged
}

var _ transport.WebsocketImplementation = wsImplementation{}

// Accept implements transport.WebsocketImplementation.
func (i wsImplementation) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	for k, vs := range opts.ResponseHeader {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	conn, err := coderws.Accept(w, r, &coderws.AcceptOptions{
		Subprotocols:       opts.Subprotocols,
		InsecureSkipVerify: true, // webSocket.originAllowed checked the Origin against idgraph's list
	})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(-1) // NextReader holds the limit
	c := wsConnOf(r.Context())
	a := &wsAdapter{conn: conn, c: c, limit: DefaultMaxBodyBytes, writeTimeout: i.writeTimeout}
	if conn.Subprotocol() == transportWSProtocol {
		a.proto = &wsProtocol{}
		a.pingEvery = i.pingEvery
	}
	if c != nil {
		c.conn = a
		close(c.accepted)
	}
	return a, nil
}

// wsAdapter is one accepted connection, as gqlgen's transport uses it.
type wsAdapter struct {
	conn         *coderws.Conn
	c            *wsConn // nil outside webSocket.Do
	limit        int64
	writeTimeout time.Duration
	proto        *wsProtocol // graphql-transport-ws's rules; nil for the legacy protocol

	pingEvery time.Duration

	mu        sync.Mutex
	deadline  *time.Timer // the pong deadline
	pinger    *time.Timer // the next ping; nil until acknowledged, and once closing
	handshake bool        // WriteClose started the close handshake
}

var (
	_ transport.WebsocketConn          = (*wsAdapter)(nil)
	_ transport.WebsocketReadLimiter   = (*wsAdapter)(nil)
	_ transport.WebsocketReadDeadliner = (*wsAdapter)(nil)
)

// errMessageTooBig ends a connection whose client sent a message over the
// limit (gqlgen hands it to ErrorFunc, and closes).
var errMessageTooBig = errors.New("graph: a WebSocket message over the limit")

// errProtocol ends a connection whose client broke graphql-transport-ws's
// rules (transport_ws_protocol.go).
var errProtocol = errors.New("graph: a message against graphql-transport-ws's rules")

// transportWSProtocol is graphql-ws's subprotocol name.
const transportWSProtocol = "graphql-transport-ws"

// NextReader reads the next message whole, within the limit.
func (a *wsAdapter) NextReader() (int, io.Reader, error) {
	typ, r, err := a.conn.Reader(context.Background())
	if err != nil {
		switch coderws.CloseStatus(err) {
		case coderws.StatusNormalClosure, coderws.StatusNoStatusRcvd:
			return 0, nil, transport.ErrWebsocketClosed
		}
		return 0, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, a.limit+1))
	if err != nil {
		return 0, nil, err
	}
	if int64(len(data)) > a.limit {
		a.WriteClose(int(coderws.StatusMessageTooBig), fmt.Sprintf("Message too big: idgraph reads at most %d bytes", a.limit))
		return 0, nil, errMessageTooBig
	}
	if a.proto != nil {
		if code, reason := a.proto.received(data); code != 0 {
			a.WriteClose(code, reason)
			return 0, nil, errProtocol
		}
	}
	return int(typ), bytes.NewReader(data), nil
}

// WriteJSON sends v as a text message.
func (a *wsAdapter) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if a.proto != nil {
		// Before the write: the client may reuse an ID as soon as it
		// reads the operation's end.
		if a.proto.sent(b) == "connection_ack" {
			a.startPinging()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.writeTimeout)
	defer cancel()
	return a.conn.Write(ctx, coderws.MessageText, b) // past the timeout, coder closes the connection
}

// startPinging pings the client every pingEvery from now on, and closes
// the connection when a ping is unanswered by the next: the peer is gone.
func (a *wsAdapter) startPinging() {
	if a.pingEvery <= 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pinger == nil && !a.handshake {
		a.pinger = time.AfterFunc(a.pingEvery, a.ping)
	}
}

func (a *wsAdapter) ping() {
	if !a.proto.pinged() {
		a.conn.CloseNow() // the last ping is unanswered
		return
	}
	if err := a.WriteJSON(map[string]string{"type": "ping"}); err != nil {
		return // the connection is gone; its reader ends it
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pinger != nil {
		a.pinger.Reset(a.pingEvery)
	}
}

// stopPinging stops the pings for good.
func (a *wsAdapter) stopPinging() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pinger != nil {
		a.pinger.Stop()
		a.pinger = nil
	}
}

// WriteClose starts the close handshake, with the wsConn's code and
// reason when it ends the connection. coder's handshake waits up to five
// seconds for the peer's close frame: it runs in the background, as in
// gqlgen's adapter, and owns the connection from then on.
func (a *wsAdapter) WriteClose(code int, reason string) error {
	a.SetReadDeadline(time.Time{})
	a.stopPinging()
	if a.proto != nil {
		code, reason = a.proto.closing(code, reason)
	}
	if a.c != nil {
		code, reason = a.c.closeStatus(code, reason)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.handshake {
		return nil
	}
	a.handshake = true
	go a.conn.Close(coderws.StatusCode(code), closeReason(reason))
	return nil
}

// Close closes the connection now, unless the close handshake has it.
func (a *wsAdapter) Close() error {
	a.SetReadDeadline(time.Time{})
	a.stopPinging()
	a.mu.Lock()
	handshake := a.handshake
	a.mu.Unlock()
	if handshake {
		return nil
	}
	return a.conn.CloseNow()
}

// Subprotocol is the negotiated subprotocol.
func (a *wsAdapter) Subprotocol() string { return a.conn.Subprotocol() }

// SetReadLimit takes gqlgen's PayloadReadLimit.
func (a *wsAdapter) SetReadLimit(limit int64) { a.limit = limit }

// SetReadDeadline closes the connection at t, unless cleared (the zero
// time) first: gqlgen's pong deadline.
func (a *wsAdapter) SetReadDeadline(t time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.deadline != nil {
		a.deadline.Stop()
		a.deadline = nil
	}
	if !t.IsZero() {
		a.deadline = time.AfterFunc(time.Until(t), func() { a.conn.CloseNow() })
	}
	return nil
}
