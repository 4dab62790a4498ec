package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// target is one server under load, with its clients' connections, which
// stay open from one slice to the next.
type target struct {
	name  string
	short string // its name in the ratio lines
	// request builds the n-th request (n counts from 0 across slices), so
	// that a target can ask for a different session each time.
	request func(ctx context.Context, n uint64) (*http.Request, error)
	want    []byte // what check expects in the first answer
	graphql bool   // an answer with "errors" is an error
	pid     int    // the server's process
	// peerPid is a process the server calls for each request (stripe-mock
	// behind idgraph), whose CPU time is reported beside the server's; 0
	// for none.
	peerPid int
	client  *http.Client
	sent    atomic.Uint64
	res     result
}

func newTarget(name, short string, request func(context.Context, uint64) (*http.Request, error), want string, graphql bool, pid, concurrency int) *target {
	tr := &http.Transport{
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		MaxConnsPerHost:     concurrency,
		DisableCompression:  true,
	}
	return &target{name: name, short: short, request: request, want: []byte(want), graphql: graphql, pid: pid,
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// postEach returns a request builder for a POST of body to url, the same each
// time.
func postEach(url string, body []byte) func(context.Context, uint64) (*http.Request, error) {
	return func(ctx context.Context, _ uint64) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}
}

// check sends one request and fails unless it succeeds.
func (t *target) check(ctx context.Context) error {
	var buf bytes.Buffer
	if err := t.once(ctx, &buf); err != nil {
		return err
	}
	if !bytes.Contains(buf.Bytes(), t.want) {
		return fmt.Errorf("unexpected answer: %s", buf.Bytes())
	}
	return nil
}

// result is what was measured of a target, over all its slices.
type result struct {
	ok, errs  int
	elapsed   time.Duration
	latencies []time.Duration
	firstErr  string
	slices    []float64     // req/s of each slice
	cpu       time.Duration // the server's CPU time in the slices
	peerCPU   time.Duration // the peer's, when there is one
	cpuGap    bool          // in some slice it could not be read
}

func (r *result) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// cpuPerReq is the server's CPU time per request counted, 0 when unknown.
func (r *result) cpuPerReq() time.Duration {
	if r.cpuGap || r.ok == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.ok)
}

// peerCPUPerReq is the peer's CPU time per request counted, 0 when unknown
// or when there is no peer.
func (r *result) peerCPUPerReq() time.Duration {
	if r.cpuGap || r.ok == 0 {
		return 0
	}
	return r.peerCPU / time.Duration(r.ok)
}

func (r *result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	slices.Sort(r.latencies)
	return r.latencies[int(p*float64(len(r.latencies)-1))]
}

func (r *result) line(name string, width int) string {
	cpu := "-"
	if c := r.cpuPerReq(); c > 0 {
		cpu = fmt.Sprintf("%.1fµs", float64(c)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%-*s %10.0f %10s %10s %12s %7d", width, name, r.rate(), r.pct(0.50).Round(time.Microsecond),
		r.pct(0.99).Round(time.Microsecond), cpu, r.errs)
}

// hammer sends requests to t from concurrency clients, each waiting for its
// answer before the next, for d. Requests that end after d are not counted
// (nor are their answers' latencies); when count is false, nothing is (a
// warm-up). Every answer is read whole.
func (t *target) hammer(ctx context.Context, concurrency int, d time.Duration, count bool) {
	type tally struct {
		ok, errs  int
		latencies []time.Duration
		firstErr  string
	}
	tallies := make([]tally, concurrency)
	var over atomic.Bool
	var wg sync.WaitGroup
	cpu0, known0 := cpuTime(t.pid)
	peer0, peerKnown0 := t.peerCPUTime()
	start := time.Now()
	for i := range tallies {
		wg.Add(1)
		go func(tl *tally) {
			defer wg.Done()
			var buf bytes.Buffer
			for !over.Load() && ctx.Err() == nil {
				began := time.Now()
				err := t.once(ctx, &buf)
				if over.Load() {
					return
				}
				if err != nil {
					if tl.errs == 0 {
						tl.firstErr = err.Error()
					}
					tl.errs++
					continue
				}
				tl.ok++
				tl.latencies = append(tl.latencies, time.Since(began))
			}
		}(&tallies[i])
	}
	sleep(ctx, d)
	over.Store(true)
	elapsed := time.Since(start)
	cpu1, known1 := cpuTime(t.pid) // before the stragglers, which are not counted
	peer1, peerKnown1 := t.peerCPUTime()
	wg.Wait()
	if !count {
		return
	}
	n := 0
	for _, tl := range tallies {
		n += tl.ok
		t.res.errs += tl.errs
		t.res.latencies = append(t.res.latencies, tl.latencies...)
		if t.res.firstErr == "" {
			t.res.firstErr = tl.firstErr
		}
	}
	t.res.ok += n
	t.res.elapsed += elapsed
	t.res.cpu += cpu1 - cpu0
	t.res.peerCPU += peer1 - peer0
	t.res.cpuGap = t.res.cpuGap || !known0 || !known1 || !peerKnown0 || !peerKnown1
	t.res.slices = append(t.res.slices, float64(n)/elapsed.Seconds())
}

// peerCPUTime is the peer's CPU time; 0 and known without a peer.
func (t *target) peerCPUTime() (time.Duration, bool) {
	if t.peerPid == 0 {
		return 0, true
	}
	return cpuTime(t.peerPid)
}

// once sends one request and reads the answer into buf.
func (t *target) once(ctx context.Context, buf *bytes.Buffer) error {
	req, err := t.request(ctx, t.sent.Add(1)-1)
	if err != nil {
		return err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := io.Copy(buf, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %.200s", resp.Status, buf.Bytes())
	}
	if t.graphql && bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
		return fmt.Errorf("GraphQL errors: %.200s", buf.Bytes())
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
