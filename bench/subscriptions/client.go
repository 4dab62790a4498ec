package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// updatedQuery is the subscription every client holds.
const updatedQuery = `subscription($id: ID!) { verificationSessionUpdated(id: $id) { id status } }`

// received is one message a subscription got: its first (the session
// now) or an update.
type received struct {
	sub int   // the subscription's number in the run
	at  int64 // when, in Unix nanoseconds
	err string
}

// client holds the run's connections to one server.
type client struct {
	url   string
	out   chan received // every message of every subscription
	mu    sync.Mutex
	close []func()
}

func newClient(base string, subs int) *client {
	return &client{url: base, out: make(chan received, 2*subs+16)}
}

// closeAll drops every connection.
func (c *client) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.close {
		f()
	}
	c.close = nil
}

func (c *client) onClose(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.close = append(c.close, f)
}

// gqlMessage is a graphql-transport-ws message.
type gqlMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// subscribeWS opens one WebSocket to idgraph and starts one subscription on
// it for each of sessions, numbered from first. Each message of theirs goes
// to c.out; pings are answered.
func (c *client) subscribeWS(ctx context.Context, first int, sessions []string) error {
	hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(hctx, "ws"+strings.TrimPrefix(c.url, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return err
	}
	c.onClose(func() { conn.CloseNow() })
	write := func(m gqlMessage) error {
		b, _ := json.Marshal(m)
		return conn.Write(ctx, websocket.MessageText, b)
	}
	if err := write(gqlMessage{Type: "connection_init", Payload: json.RawMessage(`{}`)}); err != nil {
		return err
	}
	var ack gqlMessage
	if _, b, err := conn.Read(hctx); err != nil {
		return err
	} else if json.Unmarshal(b, &ack); ack.Type != "connection_ack" {
		return fmt.Errorf("connection_init answered %s", b)
	}
	for i, s := range sessions {
		vars, _ := json.Marshal(map[string]any{"query": updatedQuery, "variables": map[string]string{"id": s}})
		if err := write(gqlMessage{ID: strconv.Itoa(first + i), Type: "subscribe", Payload: vars}); err != nil {
			return err
		}
	}
	go func() {
		for {
			_, b, err := conn.Read(ctx)
			at := time.Now().UnixNano()
			if err != nil {
				return
			}
			var m gqlMessage
			if err := json.Unmarshal(b, &m); err != nil {
				continue
			}
			n, _ := strconv.Atoi(m.ID)
			switch m.Type {
			case "ping": // coder/websocket's writes may be concurrent
				_ = write(gqlMessage{Type: "pong"})
			case "next":
				r := received{sub: n, at: at}
				if bytes.Contains(m.Payload, []byte(`"errors"`)) {
					r.err = string(m.Payload)
				}
				c.out <- r
			case "error", "complete":
				c.out <- received{sub: n, at: at, err: m.Type + " " + string(m.Payload)}
			}
		}
	}()
	return nil
}

// holdBareWS opens one WebSocket to the bare server and keeps it.
func (c *client) holdBareWS(ctx context.Context, sub int) error {
	hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(hctx, "ws"+strings.TrimPrefix(c.url, "http")+"/graphql", nil)
	if err != nil {
		return err
	}
	c.onClose(func() { conn.CloseNow() })
	c.out <- received{sub: sub, at: time.Now().UnixNano()}
	return nil
}

// holdBareSSE opens one stream from the bare server, reads its first event
// and keeps it.
func (c *client) holdBareSSE(ctx context.Context, sub int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/graphql", nil)
	if err != nil {
		return err
	}
	res, err := sseClient.Do(req)
	if err != nil {
		return err
	}
	c.onClose(func() { res.Body.Close() })
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "event: next") {
		return fmt.Errorf("first event: %q, %v", line, err)
	}
	c.out <- received{sub: sub, at: time.Now().UnixNano()}
	return nil
}

// sseClient has no limit of connections per host: each stream holds one.
var sseClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}

// post sends body as JSON and decodes the answer into out.
func post(ctx context.Context, url string, body, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return do(req, out)
}

func get(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	return do(req, out)
}

func do(req *http.Request, out any) error {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

// save writes what url answers to file.
func save(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
