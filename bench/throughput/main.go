// Command throughput measures how many one-session GraphQL queries a second
// idgraph answers on its embedded emulator, next to a bare net/http handler
// that serves a fixed 1 KB JSON: the ceiling of a Go HTTP server on the same
// machine. Both are processes of their own on loopback, loaded in one run by
// the same generator (Go HTTP clients with keep-alive, each sending its next
// request once its answer is read), so the ratio between them holds from one
// machine to another where the raw figures do not.
//
//	go run ./bench/throughput -duration 10s -concurrency 32
//
// It builds idgraph with go build (or takes -idgraph, a binary built
// before, to compare two versions), starts it with IDGRAPH_BUDGET=off and
// its emulator's database in a temporary directory, creates one
// requires_input session through GraphQL, then sends
//
//	query ($id: ID!) { verificationSession(id: $id) { id status type created } }
//
// over and over; the bare handler gets the same POST. The two take turns
// under load in short slices (-slice), so that whatever else the machine
// runs weighs on both alike; the slice-by-slice ratios show how much it
// did. A request counts when it is answered 200 (without GraphQL errors)
// within its slice; anything else is an error and is reported.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
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

	dir, err := os.MkdirTemp("", "idgraph-throughput-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.idgraph
	if bin == "" {
		fmt.Fprintln(stderr, "building idgraph…")
		if bin, err = buildIdgraph(ctx, dir); err != nil {
			return err
		}
	}
	idg, err := startIdgraph(ctx, bin, dir)
	if err != nil {
		return err
	}
	defer idg.stop()
	bare, err := startBare(ctx)
	if err != nil {
		return err
	}
	defer bare.stop()

	id, err := createSession(ctx, idg.url)
	if err != nil {
		return err
	}
	targets := []*target{
		newTarget("bare net/http, 1 KB JSON", bare.url, queryBody(id), false, bare.cmd.Process.Pid, o.concurrency),
		newTarget("idgraph on its emulator", idg.url+"/graphql", queryBody(id), true, idg.cmd.Process.Pid, o.concurrency),
	}
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

	fmt.Fprintf(stdout, "%d clients per target over loopback, %v each in slices of %v, on %d CPUs\n",
		o.concurrency, o.duration, o.slice, runtime.NumCPU())
	fmt.Fprintf(stdout, "%-26s %10s %10s %10s %12s %7s\n", "target", "req/s", "p50", "p99", "CPU/req", "errors")
	for _, t := range targets {
		fmt.Fprintln(stdout, t.res.line(t.name))
	}
	bareRes, idgRes := &targets[0].res, &targets[1].res
	// Each slice of idgraph against the bare slice just before it: their
	// spread shows how much the machine's other load moved the figures.
	var each []float64
	for i := range min(len(bareRes.slices), len(idgRes.slices)) {
		each = append(each, idgRes.slices[i]/bareRes.slices[i])
	}
	slices.Sort(each)
	fmt.Fprintf(stdout, "ratio idgraph / bare: %.3f (slice by slice: min %.3f, median %.3f, max %.3f)\n",
		idgRes.rate()/bareRes.rate(), each[0], each[len(each)/2], each[len(each)-1])
	if b, i := bareRes.cpuPerReq(), idgRes.cpuPerReq(); b > 0 && i > 0 {
		// What the machine's other load hardly changes: the servers' own
		// CPU time per request (user and system, /proc).
		fmt.Fprintf(stdout, "CPU per request, bare / idgraph: %.3f\n", float64(b)/float64(i))
	}
	return nil
}
