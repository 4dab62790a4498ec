package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// dialers bounds the connections opened at once, under the listen
// backlog.
const dialers = 32

// waitFirst is how long every subscription has to get its first message.
const waitFirst = 3 * time.Minute

// open connects subs subscriptions to srv, perConn on each connection,
// subscription i to sessions[i%len(sessions)] (idgraph only), and waits
// until each has its first message.
func open(ctx context.Context, kind string, cl *client, subs, perConn int, sessions []string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(dialers)
	for first := 0; first < subs; first += perConn {
		n := min(perConn, subs-first)
		g.Go(func() error {
			switch kind {
			case serveBareWS:
				return cl.holdBareWS(ctx, first)
			case serveBareSSE:
				return cl.holdBareSSE(ctx, first)
			}
			ids := make([]string, n)
			for i := range ids {
				ids[i] = sessions[(first+i)%len(sessions)]
			}
			// The connection outlives the errgroup: ctx, not gctx.
			if gctx.Err() != nil {
				return gctx.Err()
			}
			return cl.subscribeWS(ctx, first, ids)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	timeout := time.After(waitFirst)
	for got := 0; got < subs; got++ {
		select {
		case m := <-cl.out:
			if m.err != "" {
				return fmt.Errorf("subscription %d: %s", m.sub, m.err)
			}
		case <-timeout:
			return fmt.Errorf("%d of %d subscriptions got their first message within %v", got, subs, waitFirst)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// setup starts a server of kind and, for idgraph, creates sessions.
func setup(ctx context.Context, kind string, sessions int, stderr io.Writer) (*server, []string, error) {
	srv, err := start(ctx, kind, stderr)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	if kind == serveIdgraph || kind == serveIdgraphStub {
		if err := post(ctx, fmt.Sprintf("%s/bench/setup?sessions=%d", srv.url, sessions), nil, &ids); err != nil {
			srv.stop()
			return nil, nil, err
		}
	}
	return srv, ids, nil
}

type memCase struct {
	name          string
	kind          string
	subs, perConn int
}

func memoryFigures(ctx context.Context, o options, stdout, stderr io.Writer) error {
	cases := []memCase{
		{"idgraph, 1 subscription per WebSocket", serveIdgraph, o.n, 1},
		{fmt.Sprintf("idgraph, %d subscriptions per WebSocket", o.perConn), serveIdgraph, o.n, o.perConn},
		{"bare Go WebSocket (coder/websocket)", serveBareWS, o.n, 1},
		{"bare Go HTTP stream (SSE-like)", serveBareSSE, o.n, 1},
	}
	fmt.Fprintf(stdout, "Memory of %d idle subscriptions, server process, after a GC; delta from before they opened, per subscription\n", o.n)
	fmt.Fprintf(stdout, "%-42s %7s %9s %9s %9s %9s %8s %8s\n", "server", "conns", "heap", "stacks", "Go sys", "RSS", "gorout.", "open")
	for _, c := range cases {
		line, err := measureIdle(ctx, c, o.sessions, o.profile, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintln(stdout)
	return nil
}

func measureIdle(ctx context.Context, c memCase, sessions int, profile string, stderr io.Writer) (string, error) {
	srv, ids, err := setup(ctx, c.kind, sessions, stderr)
	if err != nil {
		return "", err
	}
	defer srv.stop()
	var before, after mem
	if err := get(ctx, srv.url+"/bench/mem", &before); err != nil {
		return "", err
	}
	cl := newClient(srv.url, c.subs)
	defer cl.closeAll()
	t0 := time.Now()
	if err := open(ctx, c.kind, cl, c.subs, c.perConn, ids); err != nil {
		return "", err
	}
	opened := time.Since(t0)
	if err := get(ctx, srv.url+"/bench/mem", &after); err != nil {
		return "", err
	}
	if profile != "" {
		name := fmt.Sprintf("%s-%d-per-conn", c.kind, c.perConn)
		for file, path := range map[string]string{name + ".heap.pb.gz": "heap", name + ".goroutines.txt": "goroutine?debug=1"} {
			if err := save(ctx, srv.url+"/debug/pprof/"+path, filepath.Join(profile, file)); err != nil {
				return "", err
			}
		}
	}
	per := func(a, b uint64) string {
		return fmt.Sprintf("%.1f KB", (float64(b)-float64(a))/float64(c.subs)/1024)
	}
	conns := (c.subs + c.perConn - 1) / c.perConn
	return fmt.Sprintf("%-42s %7d %9s %9s %9s %9s %8.2f %8s", c.name, conns,
		per(before.HeapAlloc, after.HeapAlloc), per(before.StackInuse, after.StackInuse),
		per(before.Sys, after.Sys), per(before.RSS, after.RSS),
		float64(after.Goroutines-before.Goroutines)/float64(c.subs), opened.Round(100*time.Millisecond)), nil
}

func latencyFigures(ctx context.Context, o options, stdout, stderr io.Writer) error {
	fmt.Fprintf(stdout, "Latency from the hub's Publish to each subscriber's next message: %d subscribers, one WebSocket each, %d rounds\n", o.subscribers, o.rounds)
	fmt.Fprintf(stdout, "%-22s %9s %8s %9s %9s %9s %12s %12s\n", "Stripe", "sessions", "samples", "p50", "p99", "max", "retrieves/ev", "round (p50)")
	for _, kind := range []string{serveIdgraph, serveIdgraphStub} {
		for _, sessions := range []int{1, o.subscribers} {
			line, err := measureLatency(ctx, kind, o.subscribers, sessions, o.rounds, stderr)
			if err != nil {
				return fmt.Errorf("latency, %s, %d sessions: %w", kind, sessions, err)
			}
			fmt.Fprintln(stdout, line)
		}
	}
	fmt.Fprintln(stdout)
	return nil
}

// waitRound is how long every subscriber has to get a round's update.
const waitRound = time.Minute

func measureLatency(ctx context.Context, kind string, subs, sessions, rounds int, stderr io.Writer) (string, error) {
	srv, ids, err := setup(ctx, kind, sessions, stderr)
	if err != nil {
		return "", err
	}
	defer srv.stop()
	cl := newClient(srv.url, subs)
	defer cl.closeAll()
	if err := open(ctx, kind, cl, subs, 1, ids); err != nil {
		return "", err
	}
	var before, after serverStats
	if err := get(ctx, srv.url+"/bench/stats", &before); err != nil {
		return "", err
	}
	var lat, roundTimes []time.Duration
	for r := range rounds {
		var at []int64
		if err := post(ctx, srv.url+"/bench/publish", ids, &at); err != nil {
			return "", err
		}
		timeout := time.After(waitRound)
		var last int64
		for got := 0; got < subs; got++ {
			select {
			case m := <-cl.out:
				if m.err != "" {
					return "", fmt.Errorf("subscription %d: %s", m.sub, m.err)
				}
				lat = append(lat, time.Duration(m.at-at[m.sub%sessions]))
				last = max(last, m.at)
			case <-timeout:
				return "", fmt.Errorf("round %d: %d of %d subscribers got the update within %v", r, got, subs, waitRound)
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		roundTimes = append(roundTimes, time.Duration(last-at[0]))
	}
	if err := get(ctx, srv.url+"/bench/stats", &after); err != nil {
		return "", err
	}
	slices.Sort(lat)
	slices.Sort(roundTimes)
	pct := func(d []time.Duration, p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	name := "emulator (SQLite)"
	if kind == serveIdgraphStub {
		name = "stand-in (memory)"
	}
	events := rounds * sessions
	return fmt.Sprintf("%-22s %9d %8d %9s %9s %9s %12.1f %12s", name, sessions, len(lat),
		round(pct(lat, .50)), round(pct(lat, .99)), round(lat[len(lat)-1]),
		float64(after.Retrieves-before.Retrieves)/float64(events), round(pct(roundTimes, .5))), nil
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}
