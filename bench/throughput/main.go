// Command throughput measures how many one-session GraphQL queries a second
// idgraph answers, next to a baseline on the same machine: both are
// processes of their own on loopback, loaded in one run by the same
// generator (Go HTTP clients with keep-alive, each sending its next request
// once its answer is read), so the ratio between them holds from one
// machine to another where the raw figures do not.
//
//	go run ./bench/throughput -duration 10s -concurrency 32
//	go run ./bench/throughput -backend stripe-mock -duration 10s -concurrency 32
//
// With -backend emulator (the default), idgraph runs on its embedded
// emulator, with its database in a temporary directory; one requires_input
// session is created through GraphQL and read over and over; the baseline
// is a bare net/http handler that serves a fixed 1 KB JSON to the same
// POST: the ceiling of a Go HTTP server.
//
// With -backend stripe-mock, idgraph runs in Stripe mode against a
// stripe-mock (Stripe's official mock, built at the version go.mod pins),
// and the baseline is that stripe-mock asked directly for the session. Each
// request names a session ID not asked before, so that nothing idgraph
// could cache helps it: the figure is the cost of idgraph's path to Stripe.
// stripe-mock's CPU time while it serves idgraph is reported too.
//
// Either way idgraph runs with IDGRAPH_BUDGET=off, and the query is
//
//	query ($id: ID!) { verificationSession(id: $id) { id status type created } }
//
// idgraph is built with go build (or taken from -idgraph, a binary built
// before, to compare two versions). The targets take turns under load in
// short slices (-slice), so that whatever else the machine runs weighs on
// both alike; the slice-by-slice ratios show how much it did. A request
// counts when it is answered 200 (without GraphQL errors) within its slice;
// anything else is an error and is reported. -cpuprofile then loads idgraph
// alone for -duration more and writes its CPU profile, for go tool pprof.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "throughput:", err)
		os.Exit(1)
	}
}

type options struct {
	duration    time.Duration
	slice       time.Duration
	warmup      time.Duration
	concurrency int
	idgraph     string // a prebuilt binary; "" builds the module's
	against     string // another prebuilt binary, measured beside it
	backend     string // "emulator" or "stripe-mock"
	cpuProfile  string // where to write idgraph's CPU profile; "" for none
	serveBare   string // internal: serve the bare handler at this address
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("throughput", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each target is measured, in all")
	fs.DurationVar(&o.slice, "slice", time.Second, "the targets take turns under load in slices this long, so that both see the same background load")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "load on each target before measuring, not counted")
	fs.IntVar(&o.concurrency, "concurrency", 32, "concurrent clients per target, each with its own keep-alive connection")
	fs.StringVar(&o.idgraph, "idgraph", "", "an idgraph binary to measure instead of building this checkout's (to compare versions)")
	fs.StringVar(&o.against, "against", "", "another idgraph binary, measured in the same run beside the first (a before/after comparison)")
	fs.StringVar(&o.backend, "backend", "emulator", "what idgraph runs on: emulator (baseline: a bare net/http handler) or stripe-mock (baseline: stripe-mock itself)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "after measuring, load idgraph alone for -duration and write its CPU profile to this `file` (builds idgraph with net/http/pprof; not with -idgraph)")
	fs.StringVar(&o.serveBare, "serve-bare", "", "internal: serve the bare handler at this address and print it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.serveBare != "" {
		return serveBare(ctx, o.serveBare, stdout)
	}
	if o.duration <= 0 || o.slice <= 0 || o.warmup < 0 || o.concurrency < 1 {
		return fmt.Errorf("need -duration > 0, -slice > 0, -warmup >= 0 and -concurrency >= 1")
	}
	if o.backend != "emulator" && o.backend != "stripe-mock" {
		return fmt.Errorf("-backend is emulator or stripe-mock, not %q", o.backend)
	}
	if o.cpuProfile != "" && o.idgraph != "" {
		return fmt.Errorf("-cpuprofile builds idgraph with a profiling endpoint: it cannot take -idgraph")
	}

	dir, err := os.MkdirTemp("", "idgraph-throughput-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.idgraph
	if bin == "" {
		fmt.Fprintln(stderr, "building idgraph…")
		if bin, err = buildIdgraph(ctx, dir, o.cpuProfile != ""); err != nil {
			return err
		}
	}
	setup := emulatorSetup
	if o.backend == "stripe-mock" {
		setup = stripeMockSetup
	}
	builds := []build{{bin: bin}}
	if o.against != "" {
		builds[0].name = "this"
		if o.idgraph != "" {
			builds[0].name = filepath.Base(o.idgraph)
		}
		builds = append(builds, build{bin: o.against, name: filepath.Base(o.against)})
	}
	sc, err := setup(ctx, builds, dir, o.concurrency)
	if err != nil {
		return err
	}
	defer sc.stop()
	targets := sc.targets
	for _, t := range targets {
		if err := t.check(ctx); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		t.hammer(ctx, o.concurrency, o.warmup, false)
	}
	for left := o.duration; left > 0 && ctx.Err() == nil; left -= o.slice {
		for _, t := range targets {
			t.hammer(ctx, o.concurrency, min(o.slice, left), true)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.cpuProfile != "" {
		fmt.Fprintf(stderr, "profiling idgraph under load for %v…\n", o.duration)
		if err := profileUnderLoad(ctx, sc.idgraph, targets[1], o.concurrency, o.duration, o.cpuProfile); err != nil {
			return fmt.Errorf("CPU profile: %w", err)
		}
		fmt.Fprintf(stderr, "idgraph's CPU profile: go tool pprof -top %s\n", o.cpuProfile)
	}

	fmt.Fprintf(stdout, "%d clients per target over loopback, %v each in slices of %v, on %d CPUs\n",
		o.concurrency, o.duration, o.slice, runtime.NumCPU())
	width := 0
	for _, t := range targets {
		width = max(width, len(t.name))
	}
	fmt.Fprintf(stdout, "%-*s %10s %10s %10s %12s %7s %9s\n", width, "target", "req/s", "p50", "p99", "CPU/req", "errors", "peak RSS")
	for _, t := range targets {
		rss := "-"
		if kb, ok := peakRSS(t.pid); ok {
			rss = fmt.Sprintf("%.1fMB", float64(kb)/1024)
		}
		fmt.Fprintf(stdout, "%s %9s\n", t.res.line(t.name, width), rss)
	}
	for _, t := range targets {
		if t.res.firstErr != "" {
			fmt.Fprintf(stdout, "%s: first error: %s\n", t.name, t.res.firstErr)
		}
	}
	base := targets[0]
	for _, t := range targets[1:] {
		ratios(stdout, base, t, len(targets) > 2)
	}
	return nil
}

// ratios prints how t, an idgraph, compares with base: rates, slice by
// slice, and CPU time per request; named, when there is more than one
// idgraph.
func ratios(w io.Writer, base, t *target, named bool) {
	idg := "idgraph"
	if named {
		idg = t.name
	}
	bareRes, idgRes := &base.res, &t.res
	// Each slice of idgraph against the baseline's slice just before it:
	// their spread shows how much the machine's other load moved the
	// figures.
	var each []float64
	for i := range min(len(bareRes.slices), len(idgRes.slices)) {
		each = append(each, idgRes.slices[i]/bareRes.slices[i])
	}
	slices.Sort(each)
	fmt.Fprintf(w, "ratio %s / %s: %.3f (slice by slice: min %.3f, median %.3f, max %.3f)\n",
		idg, base.short, idgRes.rate()/bareRes.rate(), each[0], each[len(each)/2], each[len(each)-1])
	if b, i := bareRes.cpuPerReq(), idgRes.cpuPerReq(); b > 0 && i > 0 {
		// What the machine's other load hardly changes: the servers' own
		// CPU time per request (user and system, /proc).
		fmt.Fprintf(w, "CPU per request, %s / %s: %.3f\n", base.short, idg, float64(b)/float64(i))
	}
	if p := idgRes.peerCPUPerReq(); p > 0 {
		fmt.Fprintf(w, "stripe-mock's CPU per request behind %s: %.1fµs\n", idg, float64(p)/float64(time.Microsecond))
	}
}
