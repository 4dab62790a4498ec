// Command subscriptions measures what idgraph's subscriptions cost (issue
// 9's figures; a benchmark, not a timed test):
//
//   - memory: N idle subscriptions to verificationSessionUpdated on one
//     server process, over graphql-transport-ws with one WebSocket per
//     subscription and with -per-conn subscriptions per WebSocket, next to
//     a bare Go server holding N idle WebSockets (coder/websocket, the
//     library gqlgen uses) and N idle HTTP streams: the server's live heap,
//     goroutine stacks and RSS after a GC, before and after, divided by N;
//
//   - latency: with -subscribers subscriptions on one session, then on as
//     many sessions (one each), events published to the hub round after
//     round; each subscriber's time from its event's Publish to its next
//     message, p50 and p99, and the Stripe retrieves each event caused.
//
//     go run ./bench/subscriptions -n 10000 -per-conn 10 -subscribers 1000 -rounds 10
//
// Each server is a process of its own (this command, re-run with -serve),
// so that the clients' memory is not counted; idgraph's is its GraphQL
// handler and events hub wired as server.go does in development (full
// access without a credential) with the per-caller limits raised past the
// run's, on the embedded emulator in process (its SQLite in memory), and,
// for latency, also on a stand-in for Stripe that answers a retrieve from
// memory at once. Both sides are on one machine: latency is over loopback,
// and the clients' work competes with the server's for the CPUs. The
// command raises its open-files soft limit to the hard one; it needs
// about N+100 in each process.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "subscriptions:", err)
		os.Exit(1)
	}
}

type options struct {
	n           int // idle subscriptions for memory
	perConn     int // subscriptions per WebSocket, in the shared case
	sessions    int // sessions the idle subscriptions spread over
	subscribers int // subscribers for latency
	rounds      int // events per session for latency
	only        string
	profile     string // a directory for the servers' profiles
	serve       string // internal: run this server
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("subscriptions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "n", 10_000, "idle subscriptions for the memory figures")
	fs.IntVar(&o.perConn, "per-conn", 10, "subscriptions per WebSocket in the shared-connection case")
	fs.IntVar(&o.sessions, "sessions", 100, "sessions the idle subscriptions spread over")
	fs.IntVar(&o.subscribers, "subscribers", 1000, "subscribers for the latency figures")
	fs.IntVar(&o.rounds, "rounds", 10, "events per session for the latency figures")
	fs.StringVar(&o.only, "only", "", "memory or latency: run only those figures")
	fs.StringVar(&o.profile, "profile", "", "save each memory case's heap and goroutine profiles of the server (with the subscriptions open) in this directory")
	fs.StringVar(&o.serve, "serve", "", "internal: run this server ("+strings.Join([]string{serveIdgraph, serveIdgraphStub, serveBareWS, serveBareSSE}, ", ")+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.serve != "" {
		return serve(ctx, o.serve, stdout)
	}
	if o.n < 1 || o.perConn < 1 || o.sessions < 1 || o.subscribers < 1 || o.rounds < 1 {
		return errors.New("-n, -per-conn, -sessions, -subscribers and -rounds must be at least 1")
	}
	if err := raiseFileLimit(uint64(max(o.n, o.subscribers)) + 100); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s, %d CPUs, GOMAXPROCS %d\n\n", runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if o.only == "" || o.only == "memory" {
		if err := memoryFigures(ctx, o, stdout, stderr); err != nil {
			return err
		}
	}
	if o.only == "" || o.only == "latency" {
		if err := latencyFigures(ctx, o, stdout, stderr); err != nil {
			return err
		}
	}
	return nil
}

// raiseFileLimit raises the soft limit of open files to the hard one, which
// the servers started later inherit, and fails when that is under need.
func raiseFileLimit(need uint64) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return err
		}
	}
	if l.Cur < need {
		return fmt.Errorf("open files limited to %d, need %d: raise the hard limit (ulimit -Hn) or lower -n", l.Cur, need)
	}
	return nil
}

// server is a server process of the run.
type server struct {
	url string
	cmd *exec.Cmd
}

// start runs this command with -serve kind and waits for its URL.
func start(ctx context.Context, kind string, stderr io.Writer) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-serve", kind)
	cmd.Stderr = stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("server %s: said %q (%v)", kind, line, err)
	}
	return &server{url: url, cmd: cmd}, nil
}

// stop ends the process: first, so that the TIME_WAIT of the closed
// connections stays on its side, not on the clients' ephemeral ports.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	_ = s.cmd.Wait()
}
