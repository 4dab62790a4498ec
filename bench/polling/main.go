// Command polling measures what the session cache saves Stripe under the
// load that needs it: frontends polling their users' sessions. It runs
// two idgraph processes side by side on their embedded emulators, one
// with the cache (IDGRAPH_CACHE=process) and one without (IDGRAPH_CACHE=off,
// concurrent reads still merged), and puts each under two loads:
//
//   - polling: -clients simulated clients, each reading its own session
//     (`verificationSession(id) { status }`) once a second for -duration,
//     while a driver passes the sessions one by one on the emulator's
//     hosted page, so that each goes to processing and, -processing later,
//     to verified. It counts the Stripe retrieves idgraph made (from its
//     /metrics), the events it delivered (one SSE subscription to
//     verificationSessionEvents, as a frontend would hear them), and the
//     stale reads: reads that returned a state older than an event the
//     benchmark had received before it sent them. With the cache the
//     retrieves must stay within one per event plus one per session and
//     TTL (sessions × (⌊duration/TTL⌋ + 1)), and stale reads must be 0.
//
//   - hot session: -hot-readers clients reading one session in a closed
//     loop for -hot-duration: reads a second and Stripe retrieves.
//
//     go run ./bench/polling -clients 1000 -duration 20s
//
// It builds idgraph with go build, or takes -idgraph, a binary built
// before. Budgets are off in both, so that only the cache differs.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/idgraph/idgraph/bench/internal/proc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "polling:", err)
		os.Exit(1)
	}
}

type options struct {
	clients     int
	duration    time.Duration
	ttl         time.Duration
	processing  time.Duration
	hotReaders  int
	hotDuration time.Duration
	idgraph     string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("polling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.clients, "clients", 1000, "simulated clients, each polling a session of its own once a second")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long the clients poll")
	fs.DurationVar(&o.ttl, "ttl", 5*time.Second, "the cache's TTL (IDGRAPH_CACHE_TTL)")
	fs.DurationVar(&o.processing, "processing", 2*time.Second, "how long a submitted session stays processing (IDGRAPH_EMULATOR_PROCESSING_DELAY)")
	fs.IntVar(&o.hotReaders, "hot-readers", 64, "clients reading one session in a closed loop")
	fs.DurationVar(&o.hotDuration, "hot-duration", 5*time.Second, "how long the hot session is read")
	fs.StringVar(&o.idgraph, "idgraph", "", "an idgraph binary to measure instead of building this checkout's")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.clients < 1 || o.duration < 5*time.Second || o.ttl <= 0 || o.hotReaders < 1 || o.hotDuration <= 0 {
		return fmt.Errorf("need -clients >= 1, -duration >= 5s, -ttl > 0, -hot-readers >= 1, -hot-duration > 0")
	}
	dir, err := os.MkdirTemp("", "idgraph-polling-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.idgraph
	if bin == "" {
		if bin, err = proc.BuildIdgraph(ctx, dir); err != nil {
			return err
		}
	}
	common := []string{"IDGRAPH_CACHE_TTL=" + o.ttl.String(), "IDGRAPH_EMULATOR_PROCESSING_DELAY=" + o.processing.String()}
	cached, err := start(ctx, "cache", bin, dir, append(common, "IDGRAPH_CACHE=process")...)
	if err != nil {
		return err
	}
	defer cached.Stop()
	uncached, err := start(ctx, "no cache", bin, dir, append(common, "IDGRAPH_CACHE=off")...)
	if err != nil {
		return err
	}
	defer uncached.Stop()

	fmt.Fprintf(stdout, "polling: %d clients, each reading its own session once a second for %v; each session passed on the hosted page (processing %v); TTL %v\n",
		o.clients, o.duration, o.processing, o.ttl)
	fmt.Fprintf(stdout, "%-9s %8s %7s %6s %7s %7s %10s %14s %8s\n", "", "reads", "errors", "stale", "submits", "events", "retrieves", "retrieves/read", "allowed")
	var failed []string
	for _, s := range []*idgraph{cached, uncached} {
		r, err := poll(ctx, s, o)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		allowed := float64(r.events) + float64(r.sessions)*(float64(o.duration/o.ttl)+1)
		fmt.Fprintf(stdout, "%-9s %8d %7d %6d %7d %7d %10.0f %14.3f %8.0f\n", s.name, r.reads, r.errors, r.stale, r.submits, r.events,
			r.retrieves, r.retrieves/float64(max(r.reads, 1)), allowed)
		if e := r.firstError.Load(); e != nil {
			fmt.Fprintf(stdout, "          first error: %v\n", e)
		}
		if s == cached && (r.stale > 0 || r.retrieves > allowed) {
			failed = append(failed, fmt.Sprintf("with the cache: %d stale reads, %.0f retrieves (allowed %.0f)", r.stale, r.retrieves, allowed))
		}
	}
	fmt.Fprintf(stdout, "allowed: events + sessions × (⌊duration/TTL⌋ + 1), the bound with the cache\n\n")

	fmt.Fprintf(stdout, "hot session: %d clients reading one session in a closed loop for %v\n", o.hotReaders, o.hotDuration)
	fmt.Fprintf(stdout, "%-9s %10s %8s %10s %12s\n", "", "reads/s", "errors", "retrieves", "retrieves/s")
	for _, s := range []*idgraph{cached, uncached} {
		r, err := hot(ctx, s, o)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(stdout, "%-9s %10.0f %8d %10.0f %12.1f\n", s.name, float64(r.reads)/r.elapsed.Seconds(), r.errors, r.retrieves, r.retrieves/r.elapsed.Seconds())
	}
	if len(failed) > 0 {
		return fmt.Errorf("over the bound: %v", failed)
	}
	return nil
}
