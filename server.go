// Command idgraph serves a GraphQL API for Stripe Identity
// VerificationSessions, on Stripe or on its embedded emulator.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/idgraph/idgraph/graph"
	"github.com/idgraph/idgraph/internal/accesslog"
	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/budget"
	"github.com/idgraph/idgraph/internal/config"
	"github.com/idgraph/idgraph/internal/emulator"
	"github.com/idgraph/idgraph/internal/events"
	"github.com/idgraph/idgraph/internal/identity"
	"github.com/idgraph/idgraph/internal/metrics"
	"github.com/idgraph/idgraph/internal/playground"
	"github.com/idgraph/idgraph/internal/requestid"
	"github.com/idgraph/idgraph/internal/tenancy"
	"github.com/idgraph/idgraph/internal/tracing"
	"github.com/idgraph/idgraph/internal/webhook"
	"github.com/idgraph/idgraph/internal/websafe"
)

// schemaSDL is the contract, served at /schema.graphql for codegen.
//
//go:embed schema.graphqls
var schemaSDL []byte

const (
	// shutdownGrace is how long in-flight requests get on SIGINT/SIGTERM.
	shutdownGrace = 15 * time.Second
	// emulatorBase is the base URL of idgraph's own emulator calls; they never
	// leave the process (the transport calls the handler), so it need not
	// resolve.
	emulatorBase = "http://emulator.idgraph.invalid"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	gcPercent, memoryLimit := tuneGC(os.Getenv, os.ReadFile)
	// `idgraph token` and `idgraph apikey` print credentials and exit.
	if handled, err := runCommand(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); handled {
		if err != nil {
			fmt.Fprintln(os.Stderr, "idgraph:", err)
			os.Exit(1)
		}
		return
	}
	logGC(slog.New(slog.NewTextHandler(os.Stderr, nil)), gcPercent, memoryLimit)
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "idgraph:", err)
		os.Exit(1)
	}
}

// run starts idgraph and serves until ctx is done, then shuts down
// gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h printed the flags
	}
	if err != nil {
		return err
	}
	if cfg.Version {
		fmt.Fprintln(stdout, version())
		return nil
	}
	// Every line logged with a request's context carries its request ID.
	// To a file or pipe, lines go out together (accesslog.BufferedWriter):
	// one system call per access line was 2% of idgraph's CPU time.
	logOut := stderr
	if f, ok := stderr.(*os.File); ok {
		bw := accesslog.NewBufferedWriter(f)
		defer bw.Flush()
		logOut = bw
	}
	logger := slog.New(requestid.LogHandler(slog.NewTextHandler(logOut, nil)))
	shutdownTracing, tracingOn, err := tracing.Setup(ctx, "idgraph", version())
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdownTracing(ctx); err != nil {
			logger.Warn("flushing traces", "error", err)
		}
	}()
	if tracingOn {
		logger.Info("tracing: spans go to OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = publicURL(ln.Addr())
	}
	app, err := newApp(ctx, cfg, logger, nil)
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	srv := &http.Server{
		Handler:           app.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Longer than an operation's deadline, so that the answer saying
		// the deadline passed still reaches the client.
		WriteTimeout: cfg.OperationTimeout + 10*time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(ln) }()
	logger.Info("idgraph listening", "addr", ln.Addr().String(), "playground", cfg.PublicURL+"/", "graphql", cfg.PublicURL+"/graphql")
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			srv.Close()
			return fmt.Errorf("metrics listener: %w", err)
		}
		msrv := &http.Server{Handler: app.Metrics, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
		go func() {
			if err := msrv.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				serveErr <- err
			}
		}()
		defer msrv.Close()
		logger.Info("metrics listening", "addr", mln.Addr().String())
	}

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	// Subscriptions first: srv.Shutdown waits for SSE streams, which end
	// only when told, and not at all for hijacked WebSockets.
	if err := app.graphql.Shutdown(shutdownCtx); err != nil {
		logger.Warn("ending subscriptions", "error", err)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// app is idgraph's handler and what it must release.
type app struct {
	Handler http.Handler
	// Metrics serves /metrics, on its own listener when configured.
	Metrics http.Handler
	close   []func() error
	ready   []readinessCheck
	// notes are checks whose failure idgraph works around: /readyz says
	// so, and stays ready.
	notes []readinessCheck
	// hub carries sessions' changes to subscribers.
	hub *events.Hub
	// graphql serves /graphql; its Shutdown ends the subscriptions.
	graphql *graph.Handler
}

// Close releases the app's resources (the emulator's database).
func (a *app) Close() error {
	var errs []error
	for _, f := range a.close {
		errs = append(errs, f())
	}
	return errors.Join(errs...)
}

// newApp wires idgraph: the Identity client on Stripe or on the embedded
// emulator, behind tenancy; the authenticator; the GraphQL handler and the
// routes, behind the Host check and CORS. clock drives the emulator's time;
// nil means the real clock (tests pass a manual one).
func newApp(ctx context.Context, cfg config.Config, logger *slog.Logger, clock emulator.Clock) (_ *app, err error) {
	a := &app{}
	defer func() {
		if err != nil {
			a.Close() // what was opened before the failure
		}
	}()
	m := metrics.New()
	a.Metrics = m.Handler()
	exempt := []string{"/healthz", "/readyz"}
	if cfg.MetricsAddr == "" {
		exempt = append(exempt, "/metrics") // scraped by address, not by name
	}
	r := chi.NewRouter()
	r.Use(requestid.Middleware, tracing.Middleware, m.Middleware, accesslog.Middleware(logger), middleware.Recoverer,
		websafe.HostCheck(allowedHosts(cfg), exempt...))

	// Live updates: sessions' changes, from Stripe's webhooks or the
	// emulator's events, to subscribers; across replicas through Redis.
	hub, err := events.New(ctx, events.Options{RedisURL: cfg.RedisURL, Logger: logger.With("component", "events"),
		CallerLimits: map[string]int{budget.ServerCaller: 1000}})
	if err != nil {
		return nil, fmt.Errorf("live updates: %w", err)
	}
	a.close = append(a.close, hub.Close)
	a.notes = append(a.notes, func(context.Context) (bool, string) { return hub.Ready() })
	a.hub = hub
	m.Events(hub.Stats)

	idCfg := identity.Config{Key: cfg.StripeKey, BaseURL: cfg.StripeAPIBase, MaxNetworkRetries: cfg.MaxNetworkRetries}
	var secret []byte
	var externalKey string
	switch {
	case cfg.Emulator():
		ownKey, extKey, keys := emulatorKeys(cfg)
		em, err := emulator.New(ctx, emulator.Options{
			Path:            cfg.EmulatorDB,
			PublicURL:       cfg.PublicURL,
			ProcessingDelay: cfg.ProcessingDelay,
			Clock:           clock,
			Logger:          logger.With("component", "emulator"),
			APIKeys:         keys,
			OnEvent:         publishTo(hub, logger),
			WebhookURLs:     cfg.EmulatorWebhookURLs,
			WebhookSecret:   cfg.EmulatorWebhookSecret,
		})
		if err != nil {
			return nil, fmt.Errorf("start the emulator: %w", err)
		}
		a.close = append(a.close, em.Close)
		a.ready = append(a.ready, em.Ready)
		if secret, err = devSecret(ctx, cfg, em); err != nil {
			return nil, fmt.Errorf("read the emulator's development signing secret: %w", err)
		}
		externalKey = extKey
		// idgraph's own calls reach the emulator in process, with a
		// restricted key as real Stripe wants for sensitive results; other
		// Stripe SDKs use its REST API at /v1 and browsers its hosted page.
		idCfg.Key = ownKey
		idCfg.BaseURL = emulatorBase
		idCfg.HTTPClient = &http.Client{Transport: em.RoundTripper(), Timeout: 30 * time.Second}
		r.Mount("/v1", em.Handler())
		r.Mount("/verify", em.Handler())
		logger.Info("backend: embedded emulator (no STRIPE_SECRET_KEY)", "db", cfg.EmulatorDB, "stripe_api", cfg.PublicURL)
		switch n := len(cfg.EmulatorWebhookURLs); {
		case n > 0 && cfg.EmulatorWebhookSecret == "":
			// As `stripe listen` does: the backend needs it to verify them.
			logger.Info("emulator webhooks: verify them with this signing secret, generated and kept in the emulator's database (or choose one in IDGRAPH_EMULATOR_WEBHOOK_SECRET)",
				"endpoints", n, "secret", em.WebhookSecret())
		case n > 0:
			logger.Info("emulator webhooks: signed with IDGRAPH_EMULATOR_WEBHOOK_SECRET", "endpoints", n)
		}
	case cfg.LiveKey():
		logger.Info("backend: Stripe in LIVE mode", "stripe_api", apiBase(cfg))
	default:
		logger.Info("backend: Stripe in test mode", "stripe_api", apiBase(cfg))
	}

	ac := authConfig(cfg, secret, logger)
	authn, err := auth.New(ctx, ac)
	if err != nil {
		return nil, fmt.Errorf("authentication: %w", err)
	}
	a.close = append(a.close, authn.Close)
	a.ready = append(a.ready, func(context.Context) (bool, string) { return authn.Ready() })
	origins := corsOrigins(cfg)
	logCallers(logger, cfg, ac, origins, externalKey)

	// Every Stripe call is measured and traced, by route template only.
	if idCfg.HTTPClient == nil {
		idCfg.HTTPClient = identity.NewHTTPClient()
	}
	idCfg.HTTPClient.Transport = m.InstrumentStripe(tracing.InstrumentStripe(idCfg.HTTPClient.Transport))
	b, err := newBudget(ctx, cfg, logger, m)
	if err != nil {
		return nil, err
	}
	if b != nil {
		a.close = append(a.close, b.Close)
		a.notes = append(a.notes, func(context.Context) (bool, string) { return b.Ready() })
	}
	// Tenancy above the session cache, which is above the budget's
	// counter: ownership is checked on every read, cached or not, and only
	// what reaches Stripe is counted.
	cache, closeCache, err := newSessionCache(cfg, budget.Counting(identity.NewStripe(idCfg), b), hub, m, logger)
	if err != nil {
		return nil, err
	}
	a.close = append(a.close, closeCache)
	client := tenancy.New(cache, policy(cfg.Policy))
	gql := graph.NewHandler(client, logger, graph.Options{Production: cfg.Production, MaxBodyBytes: cfg.MaxBodyBytes,
		Limits: graph.Limits(cfg.Limits), Metrics: m, Budget: b,
		Events: hub, Authenticator: authn, AllowedOrigins: origins, OperationTimeout: cfg.OperationTimeout})
	a.graphql = gql
	switch {
	case cfg.StripeWebhookSecret != "":
		// Outside authentication, CORS and the budgets: Stripe proves
		// itself by its signature.
		r.Method(http.MethodPost, webhook.Path, webhook.NewHandler(cfg.StripeWebhookSecret, hub, webhook.Options{Logger: logger.With("component", "webhook")}))
	case !cfg.Emulator():
		logger.Warn("no STRIPE_WEBHOOK_SECRET: idgraph hears of no change Stripe makes (subscriptions get nothing from Stripe)")
	}
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	r.Get("/readyz", readyz(a.ready, a.notes))
	if cfg.MetricsAddr == "" {
		r.Handle("/metrics", a.Metrics)
	}
	// Browsers ask for an icon on pages without one (/healthz, a return
	// URL); an empty answer keeps their consoles free of 404s.
	r.Get("/favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	schema := r.With(websafe.CORS(origins))
	if cfg.Production {
		schema = schema.With(authn.Middleware)
	}
	schema.Get("/schema.graphql", schemaFor(cfg.Production, schemaSDL))
	// CORS answers preflights before authentication: they carry no
	// credential.
	r.With(websafe.CORS(origins), websafe.NoStore, authUnlessWebSocket(authn), b.Middleware(cfg.TrustedProxies), withDeadline(cfg.OperationTimeout)).Handle("/graphql", gql)
	if cfg.GraphiQL {
		r.Get("/", playground.Handler("idgraph", "/graphql").ServeHTTP)
		r.Handle(playground.AssetsPrefix+"*", playground.AssetsHandler())
	}
	a.Handler = r
	return a, nil
}

// publishTo feeds the emulator's events to the hub, as Stripe's webhooks
// do in Stripe mode.
func publishTo(hub *events.Hub, logger *slog.Logger) func(emulator.Event) {
	return func(ev emulator.Event) {
		err := hub.Publish(context.Background(), events.Event{ID: ev.ID, Type: ev.Type, Created: time.Unix(ev.Created, 0),
			SessionID: ev.SessionID, ClientReferenceID: ev.ClientReferenceID})
		if err != nil && !errors.Is(err, events.ErrClosed) {
			logger.Warn("live updates: an emulator event was not published", "event", ev.ID, "error", err.Error())
		}
	}
}

func apiBase(cfg config.Config) string {
	if cfg.StripeAPIBase != "" {
		return cfg.StripeAPIBase
	}
	return "https://api.stripe.com"
}

// publicURL derives the URL browsers reach idgraph at from the listen
// address: a wildcard host becomes localhost.
func publicURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
