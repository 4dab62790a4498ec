package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// This file shares events between replicas through Redis pub/sub. One
// goroutine PUBLISHes what this hub publishes, from a bounded queue, so
// Publish never waits on Redis; another receives the channel and delivers
// other replicas' events. Either one failing marks Redis down (logged once
// per outage, shown by Ready); the receiver marks it up again when the
// subscription answers (its confirmation after go-redis redials, a
// message, or a pong). While Redis is down, this hub's events are not
// queued for later: they would be stale, and subscribers re-fetch on the
// next one.

const (
	// channelPrefix names the pub/sub channel; the database number
	// follows, because pub/sub ignores it.
	channelPrefix = "idgraph:events:db"
	// outQueue is the events waiting to be PUBLISHed: a burst of
	// webhooks, not an outage.
	outQueue = 1024
	// publishTimeout bounds one PUBLISH.
	publishTimeout = time.Second
	// startTimeout bounds New's wait for the first subscription.
	startTimeout = time.Second
	// The backoff between attempts to reach a Redis that failed.
	minRedisBackoff = 100 * time.Millisecond
	maxRedisBackoff = 5 * time.Second
)

// message is an event on the wire.
type message struct {
	Origin            string    `json:"origin"`
	ID                string    `json:"id"`
	Type              string    `json:"type"`
	Created           time.Time `json:"created"`
	SessionID         string    `json:"session"`
	ClientReferenceID string    `json:"client_reference_id,omitempty"`
}

// bridge connects a hub to Redis.
type bridge struct {
	hub     *Hub
	client  *redis.Client
	channel string
	health  time.Duration
	out     chan Event
	dropped atomic.Uint64

	ctx    context.Context // canceled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex // guards the fields below
	ps     *redis.PubSub
	down   bool
	since  time.Time
	closed bool
}

// newBridge connects lazily to the Redis at url and waits, briefly, for the
// subscription: a hub that starts subscribed misses no event published
// after New returns.
func newBridge(ctx context.Context, h *Hub, url string, health time.Duration) (*bridge, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password: do not repeat it.
		return nil, errors.New("events: the Redis URL does not parse (redis://[:password@]host:port/db)")
	}
	// Failures must be quick, for the hub to say Redis is down rather
	// than hold events: short timeouts unless the URL sets them. A
	// retried PUBLISH may deliver twice; receivers ignore repeated IDs.
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 500 * time.Millisecond
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = 500 * time.Millisecond
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = 500 * time.Millisecond
	}
	opts.DialerRetries = 1
	opts.ContextTimeoutEnabled = true
	b := &bridge{
		hub:     h,
		client:  redis.NewClient(opts),
		channel: channelPrefix + strconv.Itoa(opts.DB),
		health:  health,
		out:     make(chan Event, outQueue),
	}
	b.ctx, b.cancel = context.WithCancel(context.WithoutCancel(ctx))

	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	b.ps = b.client.Subscribe(sctx, b.channel)
	_, err = b.ps.ReceiveTimeout(sctx, startTimeout) // the confirmation
	cancel()
	if err != nil {
		b.fail(err)
	}
	b.wg.Add(2)
	go b.publishLoop()
	go b.receiveLoop()
	return b, nil
}

// close stops both loops and closes the connections.
func (b *bridge) close() error {
	b.mu.Lock()
	b.closed = true
	ps := b.ps
	b.mu.Unlock()
	b.cancel()
	_ = ps.Close() // ends a receive in progress
	b.wg.Wait()
	return b.client.Close()
}

// send queues e for Redis, or counts it lost.
func (b *bridge) send(e Event) {
	select {
	case b.out <- e:
	default:
		b.dropped.Add(1)
	}
}

func (b *bridge) publishLoop() {
	defer b.wg.Done()
	for {
		select {
		case <-b.ctx.Done():
			return
		case e := <-b.out:
			if b.isDown() {
				b.dropped.Add(1)
				continue
			}
			payload, err := json.Marshal(message{Origin: b.hub.origin, ID: e.ID, Type: e.Type, Created: e.Created,
				SessionID: e.SessionID, ClientReferenceID: e.ClientReferenceID})
			if err != nil { // a string field that is not UTF-8 still encodes; never here
				b.dropped.Add(1)
				continue
			}
			ctx, cancel := context.WithTimeout(b.ctx, publishTimeout)
			err = b.client.Publish(ctx, b.channel, payload).Err()
			cancel()
			if err != nil && b.ctx.Err() == nil {
				b.dropped.Add(1)
				b.fail(err)
			}
		}
	}
}

// receiveLoop delivers other replicas' events until close. go-redis's
// PubSub redials and subscribes again on the next receive after a broken
// connection; the loop backs off between failures, pings a silent
// connection, and replaces one that does not answer its ping.
func (b *bridge) receiveLoop() {
	defer b.wg.Done()
	backoff := minRedisBackoff
	pinged := false
	for b.ctx.Err() == nil {
		b.mu.Lock()
		ps := b.ps
		b.mu.Unlock()
		msg, err := ps.ReceiveTimeout(b.ctx, b.health)
		if b.ctx.Err() != nil {
			return
		}
		if err == nil {
			pinged = false
			backoff = minRedisBackoff
			b.answered()
			if m, ok := msg.(*redis.Message); ok {
				b.deliver(m.Payload)
			}
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && !pinged {
			// Silence: ask the connection whether it is alive; the pong
			// arrives as the next message.
			if err = ps.Ping(b.ctx); err == nil {
				pinged = true
				continue
			}
		}
		if pinged {
			// The connection took the ping and never answered: it died
			// without a word. A new PubSub dials afresh.
			err = fmt.Errorf("no answer to a ping within %s", b.health)
			b.replace()
		}
		pinged = false
		b.fail(err)
		if !b.sleep(backoff) {
			return
		}
		backoff = min(2*backoff, maxRedisBackoff)
	}
}

// replace closes the current PubSub and subscribes with a new one.
func (b *bridge) replace() {
	ps := b.client.Subscribe(b.ctx, b.channel)
	b.mu.Lock()
	old, closed := b.ps, b.closed
	if !closed {
		b.ps = ps
	}
	b.mu.Unlock()
	if closed {
		_ = ps.Close()
		return
	}
	_ = old.Close()
}

// sleep waits d, or until close; it reports whether to go on.
func (b *bridge) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.ctx.Done():
		return false
	}
}

// deliver hands a received message to the hub, unless it is the hub's own.
func (b *bridge) deliver(payload string) {
	var m message
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		b.hub.logger.Warn("events: ignored a Redis message that is not an event", "channel", b.channel)
		return
	}
	if m.Origin == b.hub.origin {
		b.hub.echoes.Add(1)
		return
	}
	e := Event{ID: m.ID, Type: m.Type, Created: m.Created, SessionID: m.SessionID, ClientReferenceID: m.ClientReferenceID}
	if err := e.validate(); err != nil {
		b.hub.logger.Warn("events: ignored an invalid event from Redis", "channel", b.channel, "error", err.Error())
		return
	}
	b.hub.receive(e)
}

func (b *bridge) isDown() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.down
}

// fail records that Redis failed with err; the first failure of an outage
// is logged.
func (b *bridge) fail(err error) {
	b.mu.Lock()
	if b.down || b.closed {
		b.mu.Unlock()
		return
	}
	b.down, b.since = true, time.Now()
	b.mu.Unlock()
	b.hub.logger.Warn("events: Redis does not answer; live updates reach only this replica's subscribers until it does",
		"error", err.Error())
}

// answered records that Redis answers.
func (b *bridge) answered() {
	b.mu.Lock()
	if !b.down || b.closed {
		b.mu.Unlock()
		return
	}
	b.down = false
	since := b.since
	b.mu.Unlock()
	b.hub.logger.Info("events: Redis answers again; live updates reach every replica again",
		"down_for", time.Since(since).Round(time.Millisecond).String())
}

func (b *bridge) ready() (bool, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.down {
		return true, ""
	}
	return false, fmt.Sprintf("events: Redis has not answered since %s; live updates reach only the subscribers of the replica where they happen",
		b.since.UTC().Format(time.RFC3339))
}
