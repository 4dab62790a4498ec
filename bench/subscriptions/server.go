package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph"
	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/emulator"
	"github.com/idgraph/idgraph/internal/events"
	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/sessioncache"
)

// The servers a child process runs (-serve).
const (
	// serveIdgraph is idgraph's GraphQL handler with its events hub, on
	// the embedded emulator in process, as server.go wires them in
	// development (full access without a credential), with the limits on
	// subscriptions and connections raised past the run's.
	serveIdgraph = "idgraph"
	// serveIdgraphStub is the same on a stand-in for Stripe that answers
	// every retrieve at once from memory: what the transport and the hub
	// cost, without the emulator's SQLite read per update.
	serveIdgraphStub = "idgraph-stub"
	// serveBareWS accepts a WebSocket and waits on a read: the least a Go
	// server holds per idle WebSocket.
	serveBareWS = "bare-ws"
	// serveBareSSE answers a request with a streamed response that sends
	// one event and then waits: the least per idle HTTP stream.
	serveBareSSE = "bare-sse"
)

// serve runs the server of kind at a free loopback port, prints its URL,
// and serves until ctx is done. Besides its own routes it serves
// /bench/mem (memory after a GC) and, for idgraph, /bench/setup (create
// sessions), /bench/publish (publish one event per session listed) and
// /bench/stats (Stripe retrieves and the hub's counters).
func serve(ctx context.Context, kind string, stdout io.Writer) error {
	mux := http.NewServeMux()
	// For -profile: the bench's servers listen on loopback only.
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /bench/mem", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, readMem())
	})
	switch kind {
	case serveIdgraph, serveIdgraphStub:
		closeIdgraph, err := mountIdgraph(ctx, mux, kind == serveIdgraphStub)
		if err != nil {
			return err
		}
		defer closeIdgraph()
	case serveBareWS:
		mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			for {
				if _, _, err := c.Read(r.Context()); err != nil {
					return
				}
			}
		})
	case serveBareSSE:
		mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "event: next\ndata: {}\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		})
	default:
		return fmt.Errorf("no server %q", kind)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening http://%s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// mountIdgraph mounts /graphql and the bench's routes for idgraph.
func mountIdgraph(ctx context.Context, mux *http.ServeMux, stub bool) (func(), error) {
	logger := slog.New(slog.DiscardHandler)
	hub, err := events.New(ctx, events.Options{MaxSubscriptions: 1 << 20, MaxPerCaller: 1 << 20})
	if err != nil {
		return nil, err
	}
	closers := []func() error{hub.Close}
	var client identity.Client = &stubStripe{}
	if !stub {
		em, err := emulator.New(ctx, emulator.Options{PublicURL: "http://127.0.0.1", Logger: logger})
		if err != nil {
			return nil, err
		}
		closers = append(closers, em.Close)
		client = identity.NewStripe(identity.Config{Key: "rk_test_bench", BaseURL: "http://emulator.bench.invalid",
			HTTPClient: &http.Client{Transport: em.RoundTripper(), Timeout: 30 * time.Second}})
	}
	counted := &countingClient{Client: client}
	authn, err := auth.New(ctx, auth.Config{Development: true})
	if err != nil {
		return nil, err
	}
	// As server.go: reads merged, sessions cached and refreshed by the
	// hub's events; the retrieves counted are those that reach Stripe.
	cached := sessioncache.New(counted, sessioncache.Options{Cache: true, TTL: 5 * time.Second, Events: hub, FetchTimeout: 30 * time.Second})
	gql := graph.NewHandler(cached, logger, graph.Options{Events: hub, Authenticator: authn,
		Live: graph.LiveOptions{ConnectionsPerCaller: 1 << 20}})
	// As server.go's authUnlessWebSocket: a WebSocket authenticates in
	// connection_init.
	authed := authn.Middleware(gql)
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		if graph.IsWebSocket(r) {
			gql.ServeHTTP(w, r)
			return
		}
		authed.ServeHTTP(w, r)
	})

	mux.HandleFunc("POST /bench/setup", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("sessions"))
		ids := make([]string, 0, n)
		for range n {
			s, err := client.Create(r.Context(), &stripe.IdentityVerificationSessionCreateParams{Type: stripe.String("document")})
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			ids = append(ids, s.ID)
		}
		writeJSON(w, ids)
	})
	var seq atomic.Int64
	mux.HandleFunc("POST /bench/publish", func(w http.ResponseWriter, r *http.Request) {
		var ids []string
		if err := json.NewDecoder(r.Body).Decode(&ids); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// When each event was published, in Unix nanoseconds: the clients
		// are on the same machine, so they subtract it from their own
		// clock's reading.
		at := make([]int64, len(ids))
		for i, id := range ids {
			at[i] = time.Now().UnixNano()
			err := hub.Publish(r.Context(), events.Event{ID: fmt.Sprintf("evt_bench_%d", seq.Add(1)),
				Type: string(stripe.EventTypeIdentityVerificationSessionProcessing), Created: time.Now(), SessionID: id})
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		writeJSON(w, at)
	})
	mux.HandleFunc("GET /bench/stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, serverStats{Retrieves: counted.retrieves.Load(), Hub: hub.Stats()})
	})
	return func() {
		for _, c := range closers {
			_ = c()
		}
	}, nil
}

// serverStats is what /bench/stats answers.
type serverStats struct {
	// Retrieves counts the Identity client's Retrieve calls: one Stripe
	// call each.
	Retrieves int64
	Hub       events.Stats
}

// countingClient counts the retrieves that subscriptions make.
type countingClient struct {
	identity.Client
	retrieves atomic.Int64
}

func (c *countingClient) Retrieve(ctx context.Context, id string, p *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	c.retrieves.Add(1)
	return c.Client.Retrieve(ctx, id, p)
}

// stubStripe stands in for Stripe: it creates sessions by number and
// answers every retrieve with a requires_input session at once.
type stubStripe struct {
	identity.Client // the other methods are not used: nil, they panic
	n               atomic.Int64
}

func (s *stubStripe) Create(context.Context, *stripe.IdentityVerificationSessionCreateParams) (*stripe.IdentityVerificationSession, error) {
	return s.session(fmt.Sprintf("vs_bench%020d", s.n.Add(1))), nil
}

func (s *stubStripe) Retrieve(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
	return s.session(id), nil
}

func (*stubStripe) session(id string) *stripe.IdentityVerificationSession {
	return &stripe.IdentityVerificationSession{ID: id, Object: "identity.verification_session", Livemode: false,
		Status: stripe.IdentityVerificationSessionStatusRequiresInput, Type: stripe.IdentityVerificationSessionTypeDocument,
		Created: 1_795_000_000}
}

// mem is a process's memory, after a GC that returned what it could to the
// OS.
type mem struct {
	HeapAlloc  uint64 // live heap objects, bytes
	StackInuse uint64 // goroutine stacks, bytes
	Sys        uint64 // all the Go runtime holds from the OS, bytes
	RSS        uint64 // resident set, bytes (/proc/self/status VmRSS)
	Goroutines int
}

func readMem() mem {
	runtime.GC()
	debug.FreeOSMemory() // a GC too, and gives freed spans back: RSS then counts what is live
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return mem{HeapAlloc: ms.HeapAlloc, StackInuse: ms.StackInuse, Sys: ms.Sys, RSS: rss(), Goroutines: runtime.NumGoroutine()}
}

// rss reads VmRSS from /proc (Linux); 0 elsewhere.
func rss() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
