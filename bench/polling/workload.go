package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// rank orders a session's states along the path the benchmark drives it:
// requires_input, then processing, then verified. Events and reads both
// name them.
var rank = map[string]int32{"CREATED": 0, "REQUIRES_INPUT": 0, "PROCESSING": 1, "VERIFIED": 2}

// pollResult is what one polling run counted.
type pollResult struct {
	sessions   int
	elapsed    time.Duration
	reads      int64
	errors     int64
	stale      int64 // reads older than an event the benchmark had received before sending them
	submits    int64 // hosted-page submissions
	events     int64 // processing and verified events received
	retrieves  float64
	firstError atomic.Value
}

// tracker holds, per session, the rank of the newest event received.
type tracker struct{ last map[string]*atomic.Int32 }

// poll runs the polling workload on s: o.clients sessions, each read by
// its own client once a second, while a driver passes them one by one on
// the emulator's hosted page; it counts the Stripe retrieves idgraph made
// meanwhile and the reads that were stale.
func poll(ctx context.Context, s *idgraph, o options) (*pollResult, error) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConns: o.clients + 16, MaxIdleConnsPerHost: o.clients + 16}}
	sessions, err := createAll(ctx, s, client, o.clients)
	if err != nil {
		return nil, err
	}
	tr := tracker{last: map[string]*atomic.Int32{}}
	for _, vs := range sessions {
		tr.last[vs.ID] = &atomic.Int32{}
	}
	r := &pollResult{sessions: len(sessions)}
	streamCtx, stopStream := context.WithCancel(ctx)
	defer stopStream()
	streaming, err := follow(streamCtx, s, tr, r)
	if err != nil {
		return nil, err
	}
	before, err := s.retrieves(ctx)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	began := time.Now()
	var wg sync.WaitGroup
	for i, vs := range sessions {
		phase := time.Duration(i) * time.Second / time.Duration(len(sessions))
		wg.Go(func() { pollOne(runCtx, s, client, vs.ID, phase, tr.last[vs.ID], r) })
	}
	wg.Go(func() { drive(runCtx, sessions, o, r) })
	wg.Wait()
	r.elapsed = time.Since(began)
	after, err := s.retrieves(ctx)
	if err != nil {
		return nil, err
	}
	r.retrieves = after - before
	stopStream()
	<-streaming
	return r, nil
}

func createAll(ctx context.Context, s *idgraph, client *http.Client, n int) ([]created, error) {
	out := make([]created, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range out {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			vs, err := s.create(ctx, client)
			out[i] = vs
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pollOne reads one session once a second, from phase on.
func pollOne(ctx context.Context, s *idgraph, client *http.Client, id string, phase time.Duration, last *atomic.Int32, r *pollResult) {
	select {
	case <-time.After(phase):
	case <-ctx.Done():
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		known := last.Load() // the newest event received before the read is sent
		raw, err := post(ctx, client, s.URL+"/graphql", `query($id: ID!) { verificationSession(id: $id) { status } }`, map[string]any{"id": id})
		if ctx.Err() != nil {
			return
		}
		var out struct {
			Data   struct{ VerificationSession *struct{ Status string } }
			Errors []json.RawMessage
		}
		if err == nil {
			err = json.Unmarshal(raw, &out)
		}
		switch {
		case err != nil || len(out.Errors) > 0 || out.Data.VerificationSession == nil:
			atomic.AddInt64(&r.errors, 1)
			r.firstError.CompareAndSwap(nil, fmt.Sprintf("%v %s", err, raw))
		case rank[out.Data.VerificationSession.Status] < known:
			atomic.AddInt64(&r.stale, 1)
		}
		atomic.AddInt64(&r.reads, 1)
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}

// drive passes the sessions on their hosted page one after the other,
// spread over the run so that each also reaches verified within it.
func drive(ctx context.Context, sessions []created, o options, r *pollResult) {
	span := o.duration - o.processing - 2*time.Second
	if span < time.Second {
		span = time.Second
	}
	every := span / time.Duration(len(sessions))
	noRedirect := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next := time.Now()
	for _, vs := range sessions {
		select {
		case <-time.After(time.Until(next)):
		case <-ctx.Done():
			return
		}
		next = next.Add(every)
		res, err := noRedirect.PostForm(vs.URL, url.Values{"action": {"pass"}})
		if err != nil {
			r.firstError.CompareAndSwap(nil, "hosted page: "+err.Error())
			continue
		}
		res.Body.Close()
		atomic.AddInt64(&r.submits, 1)
	}
}

// follow streams every session's events over SSE, as a frontend would
// hear of them, into tr; the returned channel closes when the stream ends.
func follow(ctx context.Context, s *idgraph, tr tracker, r *pollResult) (<-chan struct{}, error) {
	body, _ := json.Marshal(map[string]any{"query": `subscription { verificationSessionEvents { type sessionId } }`})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, fmt.Errorf("event stream: %s", res.Status)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var ev struct {
				Data struct {
					VerificationSessionEvents struct{ Type, SessionID string }
				}
			}
			if json.Unmarshal([]byte(data), &ev) != nil {
				continue
			}
			e := ev.Data.VerificationSessionEvents
			if last := tr.last[e.SessionID]; last != nil && (e.Type == "PROCESSING" || e.Type == "VERIFIED") {
				atomic.AddInt64(&r.events, 1)
				for {
					old := last.Load()
					if rank[e.Type] <= old || last.CompareAndSwap(old, rank[e.Type]) {
						break
					}
				}
			}
		}
	}()
	// The subscription is in idgraph's hub once its stream has begun.
	time.Sleep(200 * time.Millisecond)
	return done, nil
}

// hotResult is what one hot-session run counted.
type hotResult struct {
	reads, errors int64
	elapsed       time.Duration
	retrieves     float64
}

// hot reads one session from o.hotReaders clients in a closed loop (each
// sends its next read once its answer is in) for o.hotDuration.
func hot(ctx context.Context, s *idgraph, o options) (*hotResult, error) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.hotReaders + 4}}
	vs, err := s.create(ctx, client)
	if err != nil {
		return nil, err
	}
	before, err := s.retrieves(ctx)
	if err != nil {
		return nil, err
	}
	r := &hotResult{}
	runCtx, cancel := context.WithTimeout(ctx, o.hotDuration)
	defer cancel()
	began := time.Now()
	var wg sync.WaitGroup
	for range o.hotReaders {
		wg.Go(func() {
			for runCtx.Err() == nil {
				_, err := post(runCtx, client, s.URL+"/graphql", `query($id: ID!) { verificationSession(id: $id) { id status type created } }`, map[string]any{"id": vs.ID})
				if runCtx.Err() != nil {
					return
				}
				if err != nil {
					atomic.AddInt64(&r.errors, 1)
				}
				atomic.AddInt64(&r.reads, 1)
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(began)
	after, err := s.retrieves(ctx)
	r.retrieves = after - before
	return r, err
}
