package events

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/idgraph/idgraph/internal/redistest"
)

// Run with:
//
//	go test -run '^$' -bench 'IdleSubscription' -benchmem ./internal/events/
//	go test -run '^$' -bench 'HeapPer10k' -benchtime 3x ./internal/events/
//	go test -run '^$' -bench 'PublishDeliver' -benchtime 1000x ./internal/events/
//
// BenchmarkIdleSubscription's B/op is what one more subscription holds
// (allocations that stay live: the subscription, its channel and buffer,
// its context.AfterFunc, its place in the hub's index);
// BenchmarkHeapPer10kSubscriptions measures the same as live heap with
// runtime.ReadMemStats. BenchmarkPublishDeliver reports publish→receive
// latency percentiles with 1,000 subscribers, one event at a time.

// unlimited are options that let a benchmark open as many as it likes.
var unlimited = Options{MaxSubscriptions: 1 << 30, MaxPerCaller: 1 << 30}

// layouts are the subscriptions the benchmarks open: one session each (a
// verificationSessionUpdated), or every session (a
// verificationSessionEvents).
var layouts = []struct {
	name   string
	filter func(i int) Filter
}{
	{"latest-own-session", func(i int) Filter {
		return Filter{SessionID: fmt.Sprint("vs_", i), Delivery: Latest, ClientReferenceID: "user"}
	}},
	{"every-all-sessions", func(i int) Filter { return Filter{Types: []string{TypePrefix + "*"}, ClientReferenceID: "user"} }},
}

func BenchmarkIdleSubscription(b *testing.B) {
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			h := newHub(b, unlimited)
			filters := make([]Filter, b.N)
			for i := range filters {
				filters[i] = l.filter(i)
			}
			// Each subscription's own context, as each GraphQL
			// subscription has its connection's.
			parent, cancel := context.WithCancel(context.Background())
			defer cancel()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := h.Subscribe(parent, filters[i]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHeapPer10kSubscriptions(b *testing.B) {
	const n = 10_000
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			filters := make([]Filter, n)
			for i := range filters {
				filters[i] = l.filter(i)
			}
			var perSub float64
			for range b.N {
				h, _ := New(context.Background(), unlimited)
				parent, cancel := context.WithCancel(context.Background())
				before := liveHeap()
				for _, f := range filters {
					if _, err := h.Subscribe(parent, f); err != nil {
						b.Fatal(err)
					}
				}
				after := liveHeap()
				perSub = float64(after-before) / n
				runtime.KeepAlive(h)
				cancel()
				h.Close()
			}
			b.ReportMetric(perSub, "heap-B/sub")
			b.ReportMetric(perSub*n/(1<<20), "heap-MiB/10k")
		})
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func BenchmarkPublishDeliver(b *testing.B) {
	for _, sessions := range []int{1, 1000} {
		for _, d := range []Delivery{Latest, Every} {
			name := fmt.Sprintf("1000-subs-%d-sessions-%s", sessions, map[Delivery]string{Latest: "latest", Every: "every"}[d])
			b.Run(name, func(b *testing.B) {
				h := newHub(b, unlimited)
				benchDeliver(b, h, h, sessions, d)
			})
		}
	}
}

// BenchmarkPublishDeliverThroughRedis is the same from one replica to
// another's subscribers.
func BenchmarkPublishDeliverThroughRedis(b *testing.B) {
	srv := redistest.Start(b)
	for _, sessions := range []int{1, 1000} {
		b.Run(fmt.Sprintf("1000-subs-%d-sessions-latest", sessions), func(b *testing.B) {
			o := unlimited
			o.RedisURL = srv.URL()
			pub, sub := newHub(b, o), newHub(b, o)
			benchDeliver(b, pub, sub, sessions, Latest)
		})
	}
}

// benchDeliver opens 1,000 subscriptions on sub, spread over sessions, and
// publishes b.N events on pub, one at a time, round the sessions; each is
// received by every subscriber of its session before the next. It reports
// the publish→receive latency percentiles over every delivery.
func benchDeliver(b *testing.B, pub, sub *Hub, sessions int, d Delivery) {
	const subscribers = 1000
	perSession := subscribers / sessions
	var (
		got     sync.WaitGroup
		readers sync.WaitGroup
		mu      sync.Mutex
		samples = make([]time.Duration, 0, b.N*perSession)
	)
	ctx, cancel := context.WithCancel(context.Background())
	for i := range subscribers {
		s, err := sub.Subscribe(ctx, Filter{SessionID: fmt.Sprint("vs_", i%sessions), Delivery: d})
		if err != nil {
			b.Fatal(err)
		}
		readers.Go(func() {
			var mine []time.Duration
			for e := range s.C() {
				mine = append(mine, time.Since(e.Created))
				got.Done()
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		})
	}
	events := make([]Event, b.N)
	for i := range events {
		events[i] = ev(fmt.Sprint("evt_", i), fmt.Sprint("vs_", i%sessions))
	}
	b.ResetTimer()
	for i := range b.N {
		got.Add(perSession)
		events[i].Created = time.Now()
		if err := pub.Publish(ctx, events[i]); err != nil {
			b.Fatal(err)
		}
		got.Wait()
	}
	b.StopTimer()
	cancel()
	readers.Wait()
	slices.Sort(samples)
	pct := func(p float64) float64 {
		return float64(samples[int(p*float64(len(samples)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
