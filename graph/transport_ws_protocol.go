package graph

import (
	"encoding/json"
	"slices"
	"sync"
)

// This file holds graphql-transport-ws's rules that gqlgen's transport does
// not keep, so that graphql-ws clients see the close codes the protocol
// names (github.com/enisdenjo/graphql-ws, PROTOCOL.md): gqlgen closes an
// unknown message with 1000, a message before connection_init or a second
// connection_init with 1002, and runs a subscribe whose ID is in use or
// missing. wsAdapter checks each message from the client here before gqlgen
// reads it, and each of its own messages after gqlgen writes it.

// The protocol's close codes.
const (
	closeUnauthorized    = 4401 // an operation before the connection is acknowledged
	closeSubscriberTaken = 4409 // a subscribe with the ID of one still running
	closeTooManyInits    = 4429 // a second connection_init
	closeInitTimeout     = 4408 // no connection_init in time
)

// gqlgenInitTimeout is the reason gqlgen closes with (1002) when no
// connection_init came in time.
const gqlgenInitTimeout = "connection initialisation timeout"

// wsProtocol is one graphql-transport-ws connection's state.
type wsProtocol struct {
	mu      sync.Mutex
	inited  bool     // connection_init received
	acked   bool     // connection_ack sent
	ids     []string // operations running, by the client's ID: a few
	waiting bool     // a ping of the server's is unanswered
}

// wsMessage is what the protocol needs of a message.
type wsMessage struct {
	Type    string          `json:"type"`
	ID      *string         `json:"id"`
	Payload json.RawMessage `json:"payload"`
}

// received checks a message from the client; a code other than 0 closes
// the connection with it and reason.
func (p *wsProtocol) received(data []byte) (code int, reason string) {
	var m wsMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return closeBadRequest, "Invalid message received: not a JSON object"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch m.Type {
	case "connection_init":
		if p.inited {
			return closeTooManyInits, "Too many initialisation requests"
		}
		p.inited = true
	case "ping":
	case "pong":
		p.waiting = false
	case "subscribe":
		switch {
		case m.ID == nil || *m.ID == "":
			return closeBadRequest, `Invalid message received: subscribe needs an "id"`
		case !isJSONObject(m.Payload):
			return closeBadRequest, `Invalid message received: subscribe needs a "payload" object`
		case !p.acked:
			return closeUnauthorized, "Unauthorized"
		}
		if slices.Contains(p.ids, *m.ID) {
			return closeSubscriberTaken, "Subscriber for " + *m.ID + " already exists"
		}
		p.ids = append(p.ids, *m.ID)
	case "complete":
		if m.ID == nil || *m.ID == "" {
			return closeBadRequest, `Invalid message received: complete needs an "id"`
		}
		p.forget(*m.ID)
	default:
		return closeBadRequest, "Invalid message received: unknown type"
	}
	return 0, ""
}

// sent notes a message of the server's, and returns its type: the
// acknowledgement, and the end of an operation, whose ID the client may
// then use again.
func (p *wsProtocol) sent(data []byte) string {
	var m wsMessage
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch m.Type {
	case "connection_ack":
		p.acked = true
	case "complete", "error":
		if m.ID != nil {
			p.forget(*m.ID)
		}
	}
	return m.Type
}

// forget lets the client use id again.
func (p *wsProtocol) forget(id string) {
	p.ids = slices.DeleteFunc(p.ids, func(s string) bool { return s == id })
}

// pinged tells whether the server may ping now, the previous ping
// answered, and notes that it does.
func (p *wsProtocol) pinged() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waiting {
		return false
	}
	p.waiting = true
	return true
}

func isJSONObject(raw json.RawMessage) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal(raw, &v) == nil && v != nil
}

// closing is the code and reason to close with instead of gqlgen's.
func (p *wsProtocol) closing(code int, reason string) (int, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.inited && reason == gqlgenInitTimeout {
		return closeInitTimeout, "Connection initialisation timeout"
	}
	return code, reason
}
